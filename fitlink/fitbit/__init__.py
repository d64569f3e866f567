"""The Fitbit Web API over OAuth 1.0a: blueprint, API client, data source and webhook."""

from flask import Flask

from ..sources import SourceKind
from . import connect, webhook  # noqa: F401  (connect: the oauth_authorized handler)
from .blueprint import blueprint
from .connection import PROVIDER, open_source


def init_app(app: Flask) -> None:
    """Register Connect Fitbit and the Fitbit webhook."""
    app.register_blueprint(blueprint)
    app.register_blueprint(webhook.bp)


SOURCE = SourceKind(name=PROVIDER, label="Fitbit", rank=20, init_app=init_app, open=open_source,
                    connect_endpoint="fitbit.login", requires="FITBIT_CLIENT_KEY")
