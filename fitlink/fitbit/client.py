"""A Fitbit Web API client for any user, usable from views, jobs and the CLI."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask_dance.consumer.requests import OAuth1Session

from .. import clock
from ..sources import BadPayload, Budget, ProviderError, RateLimited, TokenRejected

log = logging.getLogger(__name__)


# Clients that retry exactly at the reset fail on clock skew (Fitbit's rate-limit documentation).
RESET_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class Credentials:
    """What it takes to call the API on one user's behalf."""

    api_base_url: str
    client_key: str
    client_secret: str
    token: str
    token_secret: str


class FitbitClient:
    """Signed GETs against the Fitbit Web API, with errors mapped to fitlink.sources errors."""

    def __init__(self, creds: Credentials, timeout: float = 10, retries: int = 2, backoff: float = 0.5):
        self.base = creds.api_base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.budget = Budget()
        self.calls = 0
        self.session = OAuth1Session(
            client_key=creds.client_key,
            client_secret=creds.client_secret,
            resource_owner_key=creds.token,
            resource_owner_secret=creds.token_secret,
        )

    def get(self, path: str, array: bool = False) -> dict | list:
        """GET an API path (such as /1/user/-/profile.json) and return its JSON body.

        The body must be an object, or with `array` an object or an array (SpO2 by interval
        answers a bare array).
        """
        for attempt in range(self.retries + 1):
            try:
                return self._get_once(path, array)
            except ProviderError:
                if attempt == self.retries:
                    raise
                time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _get_once(self, path: str, array: bool) -> dict | list:
        url = self.base + path
        try:
            self.calls += 1
            response = self.session.get(url, timeout=self.timeout, should_load_token=False)
        except requests.RequestException as err:
            raise ProviderError(f"{type(err).__name__} on {path}") from err
        self._read_budget(response)
        status = response.status_code
        if status == 401:
            raise TokenRejected(f"401 on {path}")
        if status == 429:
            retry_at = self.budget.reset_at or (_now() + timedelta(minutes=60))
            raise RateLimited(f"429 on {path}", retry_at + RESET_MARGIN)
        if status >= 500:
            raise ProviderError(f"{status} on {path}")
        if status != 200:
            raise BadPayload(f"{status} on {path}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as err:
            raise BadPayload(f"not JSON from {path}") from err
        if not isinstance(body, (dict, list) if array else dict):
            raise BadPayload(f"unexpected JSON from {path}")
        return body

    def _read_budget(self, response: requests.Response) -> None:
        headers = response.headers
        try:
            self.budget.limit = int(headers["Fitbit-Rate-Limit-Limit"])
            self.budget.remaining = int(headers["Fitbit-Rate-Limit-Remaining"])
            reset = int(headers["Fitbit-Rate-Limit-Reset"])
        except (KeyError, ValueError):
            return
        self.budget.reset_at = _now() + timedelta(seconds=reset)

    def close(self) -> None:
        self.session.close()


def _now() -> datetime:
    return clock.now()
