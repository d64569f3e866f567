"""The built-in Google Health service, exercised over real HTTP as fitlink's client uses it."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth2Session

from fitlink.demo_fitbit.accounts import daily_values, get_account, local_today
from fitlink.demo_fitbit.server import serve_in_thread
from fitlink.demo_google_health import (
    call_log, create_demo_app, expire_access_tokens, expire_refresh_tokens, inject_faults,
    record_activity, reset_call_log,
)
from fitlink.demo_google_health.catalog import ACTIVITY, METRICS, PROFILE, SETTINGS, SLEEP
from fitlink.demo_google_health.models import health_db
from fitlink.demo_google_health.people import health_user_id

CLIENT_ID = "fitlink-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
REDIRECT = "http://127.0.0.1:9/google-health/callback"
SUBSCRIBER_SECRET = "Bearer test-webhook-secret"
FROZEN = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
ALL_SCOPES = [ACTIVITY, METRICS, SLEEP, SETTINGS, PROFILE]


class Receiver:
    """A tiny subscriber endpoint that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").title(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        self.requests.append((headers, body))
        start_response("204 No Content", [])
        return [b""]


class Clock:
    """A service clock the test moves."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def loopback_http(monkeypatch):
    # requests-oauthlib, the client, refuses plain http; the tests talk to 127.0.0.1 only.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def receiver():
    handler = Receiver()
    with serve_in_thread(handler) as handle:
        handler.url = f"{handle.url}/google-health/notifications"
        yield handler


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def config(receiver, clock):
    return {"SECRET_KEY": "demo-gh-test-secret", "TESTING": True,
            "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET},
            "DEMO_GOOGLE_HEALTH_NOW": clock, "DEMO_GOOGLE_HEALTH_FAULT_DELAY": 1.0,
            "DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": receiver.url,
            "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": SUBSCRIBER_SECRET}


@pytest.fixture
def app(config):
    demo = create_demo_app(config)
    yield demo
    with demo.app_context():
        health_db.engine.dispose()


@pytest.fixture
def server(app):
    with serve_in_thread(app) as handle:
        yield handle


def authorization_url(server, scopes=ALL_SCOPES, **params) -> tuple[OAuth2Session, str]:
    session = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=scopes, pkce="S256")
    url, _ = session.authorization_url(f"{server.url}/o/oauth2/v2/auth", **params)
    return session, url


def decide(url: str, button: str = "Allow", account: str = "alex", other: str = "",
           scopes: list[str] | None = None) -> requests.Response:
    """Play the person on the consent page; return the answer to the form."""
    with requests.Session() as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        offered = re.findall(r'name="scopes" type="checkbox" value="([^"]+)"', page.text)
        form = [("csrf_token", csrf), ("account", account), ("other_account", other),
                (button.lower(), button)]
        form += [("scopes", scope) for scope in (offered if scopes is None else scopes)]
        return browser.post(url, data=form, allow_redirects=False)


def callback_params(response: requests.Response) -> dict:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def connect(server, account="alex", scopes=ALL_SCOPES, **params) -> dict:
    """Run the whole code flow with PKCE; return the token response."""
    params = {"access_type": "offline", "prompt": "consent"} | params
    session, url = authorization_url(server, scopes, **params)
    location = decide(url, account=account).headers["Location"]
    return session.fetch_token(f"{server.url}/token", authorization_response=location,
                               client_secret=CLIENT_SECRET)


def code_for(server, **params) -> tuple[OAuth2Session, str]:
    """Consent for alex; return the client session (holding the verifier) and the code."""
    params = {"access_type": "offline"} | params
    session, url = authorization_url(server, **params)
    return session, callback_params(decide(url))["code"]


def exchange(server, code: str, verifier: str, secret: str = CLIENT_SECRET,
             redirect_uri: str = REDIRECT) -> requests.Response:
    return requests.post(f"{server.url}/token", data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "client_id": CLIENT_ID, "client_secret": secret, "redirect_uri": redirect_uri})


def refresh(server, refresh_token: str) -> requests.Response:
    return requests.post(f"{server.url}/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


def api(server, token: dict | str, path: str, body: dict | None = None,
        **params) -> requests.Response:
    access = token if isinstance(token, str) else token["access_token"]
    url = f"{server.url}/v4/users/me/{path}"
    headers = {"Authorization": f"Bearer {access}"}
    if body is not None:
        return requests.post(url, json=body, headers=headers, params=params)
    return requests.get(url, headers=headers, params=params)


def day_range(start: date, days: int) -> dict:
    end = start + timedelta(days=days)
    return {"range": {"start": {"date": {"year": start.year, "month": start.month,
                                         "day": start.day}},
                      "end": {"date": {"year": end.year, "month": end.month, "day": end.day}}},
            "windowSizeDays": 1}


def roll_up(server, token, data_type: str, start: date, days: int, **extra):
    return api(server, token, f"dataTypes/{data_type}/dataPoints:dailyRollUp",
               day_range(start, days) | extra)


def status_of(response: requests.Response, code: int, status: str) -> dict:
    """Assert a google.rpc.Status answer; return its error object."""
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert isinstance(error["message"], str) and error["message"]
    return error


def reason_of(error: dict) -> str:
    (detail,) = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    return detail["reason"]


def alex_today() -> date:
    return local_today(get_account("alex", FROZEN), FROZEN)


# --- the authorization code flow ---

def test_code_flow_with_pkce_gives_google_shaped_tokens(server):
    token = connect(server)
    assert token["access_token"].startswith("ya29.")
    assert token["refresh_token"].startswith("1//")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert set(token["scope"]) == set(ALL_SCOPES)
    identity = api(server, token, "identity").json()
    assert identity == {"name": "users/me/identity", "healthUserId": health_user_id("alex"),
                        "legacyUserId": get_account("alex").encoded_id}


def test_settings_and_profile_describe_the_account(server):
    token = connect(server, account="sam")
    settings = api(server, token, "settings").json()
    assert settings["name"] == f"users/{health_user_id('sam')}/settings"
    assert settings["timeZone"] == "America/Los_Angeles"
    assert settings["utcOffset"] == "-28800s"  # late November: standard time
    assert settings["distanceUnit"] == "DISTANCE_UNIT_MILES"
    assert settings["weightUnit"] == "WEIGHT_UNIT_POUNDS"
    profile = api(server, token, "profile").json()
    since = get_account("sam", FROZEN).member_since
    assert profile["membershipStartDate"] == {"year": since.year, "month": since.month,
                                              "day": since.day}
    assert isinstance(profile["age"], int) and profile["autoWalkingStrideLengthMm"] > 0


def test_daily_roll_up_of_steps_matches_the_fitbit_service(server):
    token = connect(server)
    start = alex_today() - timedelta(days=6)
    answer = roll_up(server, token, "steps", start, 7)
    assert answer.status_code == 200, answer.text
    points = answer.json()["rollupDataPoints"]
    assert len(points) == 7 and "nextPageToken" not in answer.json()
    for offset, point in enumerate(points):
        day = start + timedelta(days=offset)
        assert point["civilStartTime"] == {"date": {"year": day.year, "month": day.month,
                                                    "day": day.day}}
        following = day + timedelta(days=1)
        assert point["civilEndTime"]["date"]["day"] == following.day
        assert point["steps"] == {"countSum": str(daily_values("alex", day)["steps"])}
