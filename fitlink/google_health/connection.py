"""Open a Google Health source for a token or a stored connection, and revoke a grant; no request here.

Works in views, jobs and CLI commands alike: everything comes from the app's
configuration and the connection row, nothing from current_user.
"""

import logging
from collections.abc import Callable

import requests
from flask import current_app

from ..connections import store_refreshed_token
from ..models import Connection
from .client import MAX_WAIT, Credentials, GoogleHealthClient
from .source import GoogleHealthSource
from ..transport import require_safe

log = logging.getLogger(__name__)

NAME = "google_health"


def source_for(token: dict, token_updater: Callable[[dict], None], max_wait: float = MAX_WAIT) -> GoogleHealthSource:
    """Build a Google Health source for a token; token_updater receives every refreshed token.

    max_wait: the longest Retry-After to wait for in place (0 in a view).
    """
    config = current_app.config
    creds = Credentials(
        api_base_url=config["GOOGLE_HEALTH_API_BASE_URL"],
        token_url=config["GOOGLE_HEALTH_TOKEN_URL"],
        client_id=config["GOOGLE_HEALTH_CLIENT_ID"],
        client_secret=config["GOOGLE_HEALTH_CLIENT_SECRET"],
    )
    client = GoogleHealthClient(creds, token, token_updater, timeout=config["GOOGLE_HEALTH_TIMEOUT"],
                                backoff=config["GOOGLE_HEALTH_RETRY_BACKOFF"], max_wait=max_wait)
    return GoogleHealthSource(client)


def open_source(connection: Connection) -> GoogleHealthSource:
    """Build the source of a stored connection; a refreshed token is stored on it at once."""
    return source_for(dict(connection.token or {}), lambda token: store_refreshed_token(connection, token))


def revoke(connection: Connection) -> bool:
    """Ask Google to end the grant (best effort); return whether Google confirmed it.

    Revoking the refresh token ends its access tokens too.
    """
    token = connection.token or {}
    value = token.get("refresh_token") or token.get("access_token")
    if not value:
        return True
    config = current_app.config
    try:
        # The token goes in the form body, not the query string, to stay out of access logs.
        response = requests.post(require_safe(config["GOOGLE_HEALTH_REVOKE_URL"]), data={"token": value},
                                 timeout=config["GOOGLE_HEALTH_TIMEOUT"])
    except (requests.RequestException, ValueError) as err:
        log.warning("Google Health revocation failed: %s", type(err).__name__)
        return False
    if response.status_code != 200:
        log.info("Google Health revocation answered %s", response.status_code)
        return False
    return True
