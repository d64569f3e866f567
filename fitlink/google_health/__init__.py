"""The Google Health API v4 over OAuth 2.0 (PKCE): blueprint, API client, data source and webhook."""

from collections.abc import Callable

from flask import Flask

from ..sources import SourceKind
from . import signatures, webhook
from .blueprint import blueprint
from .config import DEFAULTS, URL_SETTINGS, configure
from .connection import NAME, open_source, revoke, source_for
from .source import GoogleHealthSource


def init_app(app: Flask) -> None:
    """Register Connect Google Health and its webhook."""
    app.register_blueprint(blueprint)
    app.register_blueprint(webhook.bp)
    signatures.init_app(app)


def open_token(token: dict, token_updater: Callable[[dict], None]) -> GoogleHealthSource:
    """Build the source of a token just granted: a page is waiting, so no Retry-After is waited for."""
    return source_for(token, token_updater, max_wait=0)


SOURCE = SourceKind(
    name=NAME, label="Google Health", rank=10, init_app=init_app, open=open_source, open_token=open_token,
    connect_endpoint="google_health.login", revoke=revoke, requires="GOOGLE_HEALTH_CLIENT_ID",
    defaults=DEFAULTS, configure=configure, url_settings=URL_SETTINGS,
    consent_setting="GOOGLE_HEALTH_AUTHORIZATION_URL",
    broken_note="while a Google Cloud project is in Testing, Google ends its access after 7 days",
)
