"""The Google Health API v4 over OAuth 2.0 (PKCE): blueprint, API client, data source and webhook."""

import logging

from flask import Flask

from ..sources import SourceKind
from . import connect, signatures, webhook  # noqa: F401  (connect: the oauth_authorized and oauth_error handlers)
from .blueprint import blueprint
from .connection import PROVIDER, open_source, revoke
from .transport import allow_loopback_http

# requests-oauthlib, oauthlib and Flask-Dance log tokens, secrets and code verifiers at DEBUG.
TOKEN_LOGGERS = ("requests_oauthlib", "oauthlib", "flask_dance")


def init_app(app: Flask) -> None:
    """Register Connect Google Health and its webhook; check where tokens may be sent."""
    allow_loopback_http(app)
    for name in TOKEN_LOGGERS:
        # Even with LOG_LEVEL=debug, their token-bearing lines stay out of the logs.
        logging.getLogger(name).setLevel(logging.INFO)
    app.register_blueprint(blueprint)
    app.register_blueprint(webhook.bp)
    signatures.init_app(app)


SOURCE = SourceKind(name=PROVIDER, label="Google Health", rank=10, init_app=init_app, open=open_source,
                    connect_endpoint="google_health.login", revoke=revoke, requires="GOOGLE_HEALTH_CLIENT_ID")
