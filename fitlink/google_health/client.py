"""A Google Health API v4 client for one grant, usable from views, jobs and the CLI.

Bearer tokens through requests-oauthlib's OAuth2Session, which refreshes an
expired access token itself (auto_refresh_url) and hands every new token to a
`token_updater`. Answers are mapped to fitlink.sources errors; transient ones
(429, 503, 504, time-outs, broken connections) are retried with exponential
backoff and random jitter first, as Google asks (the API's Quotas page).
A 429 that says `Retry-After` (seconds or an HTTP date) is retried no sooner
than that; one that asks for more than `max_wait` is not waited for here: the
RateLimited error carries the time, and the sync comes back then.
Tokens never reach a log line: messages name the path and the status only.
"""

import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from oauthlib.oauth2 import InvalidGrantError, MissingTokenError, OAuth2Error
from requests_oauthlib import OAuth2Session
from werkzeug.http import parse_date

from .. import clock
from ..sources import BadPayload, NotSetUp, ProviderError, RateLimited, SourceError, TokenRejected
from ..transport import require_safe

log = logging.getLogger(__name__)

NOT_LINKED = ("Your Google account has no Fitbit or Google Health data linked yet. Set up Google Health "
              "(or migrate your Fitbit account) and fitlink will pick it up.")
# 403 PERMISSION_DENIED: a read scope the person did not grant (Google's consent screen lets them
# untick each one), or a legacy Fitbit login consented instead of a Google Account.
NO_PERMISSION = ("Google Health did not give fitlink permission to read this data. Connect Google Health "
                 "again with the Google account that holds your data, and allow everything fitlink asks to read.")

# Google sends no rate-limit headers: after a 429, wait about the quota's window.
RATE_WAIT = timedelta(minutes=1)
# Google's quota is 300 requests per minute per user; stay under it without being told.
CALLS_PER_MINUTE = 250
RETRIED_STATUSES = (429, 503, 504)
# The longest Retry-After a job's call waits for in place; a longer one pauses the sync
# instead (a view waits for none: the person is told to come back).
MAX_WAIT = 30.0


@dataclass(frozen=True)
class Credentials:
    """The OAuth client and the endpoints one grant is used with."""

    api_base_url: str
    token_url: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class RpcStatus:
    """The google.rpc.Status of an error answer: {"error": {code, message, status, details}}."""

    code: int
    status: str
    message: str
    reasons: tuple[str, ...]

    @classmethod
    def of(cls, response: requests.Response) -> "RpcStatus":
        """Read an error answer; anything not shaped like a Status keeps only the HTTP code."""
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict):
            return cls(response.status_code, "", "", ())
        details = error.get("details") if isinstance(error.get("details"), list) else []
        reasons = tuple(str(d["reason"]) for d in details if isinstance(d, dict) and d.get("reason"))
        return cls(response.status_code, str(error.get("status") or ""), str(error.get("message") or "")[:200],
                   reasons)

    def __str__(self) -> str:
        return " ".join(part for part in (str(self.code), self.status, *self.reasons, self.message) if part)


class Transient(Exception):
    """A failure worth retrying; `error` is what to raise when the retries run out.

    `wait` is the seconds the provider asked for (Retry-After), None when it said nothing.
    """

    def __init__(self, error: SourceError, wait: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class GoogleHealthClient:
    """Authorized calls to /v4/... of one grant, with refresh, retries and mapped errors."""

    def __init__(self, creds: Credentials, token: dict, token_updater: Callable[[dict], None], *,
                 timeout: float = 10, retries: int = 3, backoff: float = 0.5,
                 calls_per_minute: int = CALLS_PER_MINUTE, max_wait: float = MAX_WAIT,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] | None = None):
        self.base = require_safe(creds.api_base_url).rstrip("/")
        self.token_url = require_safe(creds.token_url)
        self.timeout, self.retries, self.backoff, self.max_wait = timeout, retries, backoff, max_wait
        # The clock and the wait, replaceable so a test needs no real waiting.
        self.sleep, self.now = sleep, now or _now
        self.calls_per_minute = calls_per_minute
        self.calls = 0  # requests sent to the API (token refreshes not counted)
        self._recent: deque[float] = deque()
        self._token_updater = token_updater
        self.session = OAuth2Session(
            client_id=creds.client_id,
            token=token,
            auto_refresh_url=self.token_url,
            # Google takes the client credentials in the refresh request's form body.
            auto_refresh_kwargs={"client_id": creds.client_id, "client_secret": creds.client_secret},
            token_updater=self._store,
        )
        self.session.register_compliance_hook("refresh_token_response", check_token_answer)

    def get(self, path: str, params: dict | None = None) -> dict:
        """GET an API path (such as /v4/users/me/identity) and return its JSON object."""
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict) -> dict:
        """POST a JSON body to an API path and return the JSON object answered."""
        return self._call("POST", path, json=body)

    def _refresh(self) -> None:
        """Trade the refresh token for a new access token now, and hand it to the token updater."""
        if not self.session.token.get("refresh_token"):
            raise TokenRejected("the access token expired and Google gave no refresh token")
        with mapped_errors("token refresh"):
            token = self.session.refresh_token(self.token_url, timeout=self.timeout)
        self._store(token)

    def close(self) -> None:
        """Release the HTTP connections."""
        self.session.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        url = self.base + path
        refreshed = False
        for attempt in range(self.retries + 1):
            try:
                response = self._send(method, url, path, **kwargs)
                if response.status_code == 401 and not refreshed:
                    # The access token was revoked or expired early: renew it once. A refresh that
                    # failed in passing (time-out, 503, 429) is retried with the call, not taken for a 401.
                    self._refresh()
                    refreshed = True
                    response = self._send(method, url, path, **kwargs)
                return read_answer(response, path, self.now())
            except Transient as err:
                if attempt == self.retries or (err.wait is not None and err.wait > self.max_wait):
                    raise err.error from err
                delay = err.wait if err.wait is not None else (
                    self.backoff * 2**attempt + random.uniform(0, self.backoff))
                log.info("Google Health %s: %s; retrying in %.1f s", path, err, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _send(self, method: str, url: str, path: str, **kwargs) -> requests.Response:
        self._pace()
        self.calls += 1
        with mapped_errors(path):
            return self.session.request(method, url, timeout=self.timeout, **kwargs)

    def _pace(self) -> None:
        """Refuse to send past the per-user quota; say when the oldest call leaves the window."""
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 60:
            self._recent.popleft()
        if len(self._recent) >= self.calls_per_minute:
            wait = 60 - (now - self._recent[0])
            raise RateLimited(f"{self.calls_per_minute} calls in a minute",
                              self.now() + timedelta(seconds=wait))
        self._recent.append(now)

    def _store(self, token: dict) -> None:
        # requests-oauthlib keeps the old refresh token when an answer brings none (RFC 6749 §6).
        self.session.token = token
        self._token_updater(dict(token))


@contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Turn transport and OAuth errors raised while calling Google into fitlink.sources errors."""
    try:
        yield
    except (requests.Timeout, requests.ConnectionError) as err:
        raise Transient(ProviderError(f"{type(err).__name__} on {what}")) from err
    except requests.RequestException as err:
        raise ProviderError(f"{type(err).__name__} on {what}") from err
    except InvalidGrantError as err:
        raise TokenRejected(f"{what}: the refresh token is no longer valid (invalid_grant)") from err
    except MissingTokenError as err:
        raise BadPayload(f"{what}: the token endpoint answered without an access token") from err
    except OAuth2Error as err:
        raise ProviderError(f"{what}: token endpoint said {err.error}") from err


def check_token_answer(response: requests.Response) -> requests.Response:
    """Map a token endpoint's overload, outage or garbage before oauthlib parses the answer."""
    status = response.status_code
    if status in RETRIED_STATUSES:
        error = (RateLimited("429 from the token endpoint", _now() + RATE_WAIT) if status == 429
                 else ProviderError(f"{status} from the token endpoint"))
        raise Transient(error)
    if status >= 500:
        raise ProviderError(f"{status} from the token endpoint")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadPayload(f"{status} from the token endpoint, not a JSON object")
    return response


def retry_after(response: requests.Response, now: datetime) -> float | None:
    """Return the seconds a Retry-After header asks for (a number or an HTTP date), None without one."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        moment = parse_date(value)
        if moment is None:
            return None
        seconds = (moment - now).total_seconds()
    # A day at most: a wild value must not park a connection for years.
    return min(max(seconds, 0.0), 86400.0)


def read_answer(response: requests.Response, path: str, now: datetime | None = None) -> dict:
    """Return a 200's JSON object, or raise the error its status and google.rpc.Status mean."""
    status = response.status_code
    if status == 200:
        try:
            body = response.json()
        except ValueError as err:
            raise BadPayload(f"not JSON from {path}") from err
        if not isinstance(body, dict):
            raise BadPayload(f"not a JSON object from {path}")
        return body
    rpc = RpcStatus.of(response)
    if status == 429:
        now = now or _now()
        wait = retry_after(response, now)
        come_back = now + (RATE_WAIT if wait is None else timedelta(seconds=wait))
        raise Transient(RateLimited(f"{rpc} on {path}", come_back), wait)
    if status in RETRIED_STATUSES:
        raise Transient(ProviderError(f"{rpc} on {path}"))
    if "ACCOUNT_NOT_LINKED" in rpc.reasons or (rpc.status == "FAILED_PRECONDITION" and not rpc.reasons):
        raise NotSetUp(NOT_LINKED)
    if status == 401:
        raise TokenRejected(f"{rpc} on {path} after a token refresh")
    if status == 403:
        raise NotSetUp(NO_PERMISSION)
    raise ProviderError(f"{rpc} on {path}")


def _now() -> datetime:
    return clock.now()
