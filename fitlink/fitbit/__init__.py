"""The Fitbit Web API over OAuth 1.0a: blueprint, API client, data source and webhook."""

from flask import Flask

from ..sources import SourceKind
from . import webhook
from .blueprint import blueprint
from .config import DEFAULTS, configure
from .connection import NAME, open_source, source_for


def init_app(app: Flask) -> None:
    """Register Connect Fitbit and the Fitbit webhook."""
    app.register_blueprint(blueprint)
    app.register_blueprint(webhook.bp)


SOURCE = SourceKind(
    name=NAME, label="Fitbit", rank=20, init_app=init_app, open=open_source,
    open_token=lambda token, _token_updater: source_for(token), token_fields=("oauth_token", "oauth_token_secret"),
    connect_endpoint="fitbit.login", requires="FITBIT_CLIENT_KEY", defaults=DEFAULTS, configure=configure,
    consent_setting="FITBIT_AUTHORIZATION_URL",
)
