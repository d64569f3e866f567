"""The fake source's data: its profile and daily steps, read with requests-oauthlib (which refreshes the token)."""

from collections.abc import Callable
from datetime import date

import requests
from flask import current_app
from oauthlib.oauth2 import OAuth2Error, TokenExpiredError
from requests_oauthlib import OAuth2Session

from fitlink.connections import store_refreshed_token
from fitlink.sources import DayValue, ProviderError, Profile, TokenRejected


class FakeSource:
    """One connection's data at the fake provider (a fitlink.sources.DataSource)."""

    budget = None

    def __init__(self, token: dict, token_updater: Callable[[dict], None]):
        config = current_app.config
        self.base = config["FAKE_API_BASE_URL"].rstrip("/")
        self.session = OAuth2Session(
            config["FAKE_CLIENT_ID"], token=token, token_updater=token_updater,
            auto_refresh_url=config["FAKE_TOKEN_URL"],
            auto_refresh_kwargs={"client_id": config["FAKE_CLIENT_ID"], "client_secret": config["FAKE_CLIENT_SECRET"]})

    def get(self, path: str, **params):
        try:
            response = self.session.get(f"{self.base}{path}", params=params, timeout=3)
        except (TokenExpiredError, OAuth2Error) as err:
            raise TokenRejected(type(err).__name__) from err
        except requests.RequestException as err:
            raise ProviderError(type(err).__name__) from err
        if response.status_code == 401:
            raise TokenRejected("401")
        if response.status_code != 200:
            raise ProviderError(str(response.status_code))
        return response.json()

    def profile(self) -> Profile:
        body = self.get("/me")
        return Profile(user_id=body["id"], display_name=body["name"], timezone=body["timezone"], member_since=None)

    def goals(self, today: date) -> dict:
        return {}

    def metrics(self) -> tuple[str, ...]:
        return ("steps",)

    def max_days(self, metric: str) -> int:
        return 30

    def fetch(self, metric: str, start: date, end: date) -> list[DayValue]:
        rows = self.get("/steps", start=start.isoformat(), end=end.isoformat())
        return [DayValue(date.fromisoformat(row["date"]), float(row["steps"])) for row in rows]

    def close(self) -> None:
        self.session.close()


def open_source(connection) -> FakeSource:
    """Open a stored connection; a refreshed token is stored on it at once."""
    return FakeSource(dict(connection.token), lambda token: store_refreshed_token(connection, token))


def revoke(connection) -> bool:
    """Ask the provider to forget the grant; True when it confirmed."""
    config = current_app.config
    response = requests.post(config["FAKE_REVOKE_URL"], data={"token": connection.token.get("refresh_token")},
                             timeout=3)
    return response.status_code == 200
