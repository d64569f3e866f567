"""Open a Fitbit data source for an access token or a stored connection; no request here."""

from flask import current_app

from ..models import Connection
from .client import Credentials, FitbitClient
from .source import FitbitSource

NAME = "fitbit"


def source_for(token: dict) -> FitbitSource:
    """Build a Fitbit data source signed with this access token."""
    config = current_app.config
    creds = Credentials(
        api_base_url=config["FITBIT_API_BASE_URL"],
        client_key=config["FITBIT_CLIENT_KEY"],
        client_secret=config["FITBIT_CLIENT_SECRET"],
        token=token["oauth_token"],
        token_secret=token["oauth_token_secret"],
    )
    client = FitbitClient(
        creds, timeout=config["FITBIT_TIMEOUT"], backoff=config["FITBIT_RETRY_BACKOFF"]
    )
    return FitbitSource(client)


def open_source(connection: Connection) -> FitbitSource:
    """Build the data source of a stored Fitbit connection."""
    return source_for(connection.token)
