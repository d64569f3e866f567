"""Helpers for tests of the Google Health source against the built-in Google Health service."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import requests
from requests_oauthlib import OAuth2Session

from fitlink.builtin_services.common.accounts import get_account, local_today
from fitlink.builtin_services.google_health import call_log, create_demo_app
from fitlink.extensions import db
from fitlink.google_health.blueprint import SCOPES
from fitlink.google_health.client import Credentials, GoogleHealthClient
from fitlink.google_health.source import GoogleHealthSource
from fitlink.models import Connection, DailyMetric

from . import ONE_DAY, build_app, local_path, make_config

CLIENT_ID = "fitlink-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
REDIRECT = "http://127.0.0.1:9/google_health/authorized"
FROZEN = ONE_DAY
WEBHOOK_SECRET = "Bearer test-webhook-secret"


def demo_service(**settings):
    """Return the built-in Google Health service, knowing fitlink's test client, with these settings added."""
    return create_demo_app({"SECRET_KEY": "demo-gh-secret", "TESTING": True,
                            "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET}, **settings})


def data_calls(demo) -> Counter:
    """How many of the service's logged calls read each data type."""
    return Counter(call.data_type for call in call_log(demo) if call.data_type)


def decide(url: str, account: str = "alex", scopes: list[str] = SCOPES, allow: bool = True) -> str:
    """Play a person on the service's consent page; return where it sends the browser back to."""
    with requests.Session() as browser:
        page = browser.get(url)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        form = [("csrf_token", csrf), ("account", account), ("other_account", ""),
                ("allow", "Allow") if allow else ("deny", "Deny")]
        answer = browser.post(url, data=form + [("scopes", scope) for scope in scopes], allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def consent(server, account: str = "alex", scopes: list[str] = SCOPES) -> dict:
    """Allow fitlink's client on the consent page and exchange the code; return the token answer."""
    oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=scopes, pkce="S256")
    url, _ = oauth.authorization_url(f"{server.url}/o/oauth2/v2/auth", access_type="offline", prompt="consent")
    return oauth.fetch_token(f"{server.url}/token", authorization_response=decide(url, account, scopes),
                             client_secret=CLIENT_SECRET)


def open_source(server, token: dict, stored: list | None = None, **options) -> GoogleHealthSource:
    creds = Credentials(server.url, f"{server.url}/token", CLIENT_ID, CLIENT_SECRET)
    updater = stored.append if stored is not None else (lambda token: None)
    return GoogleHealthSource(GoogleHealthClient(creds, token, updater, backoff=0.01, **options))


def alex_today() -> date:
    return local_today(get_account("alex"))


def google_config(google_url: str) -> dict:
    return {
        "GOOGLE_HEALTH_CLIENT_ID": CLIENT_ID,
        "GOOGLE_HEALTH_CLIENT_SECRET": CLIENT_SECRET,
        "GOOGLE_HEALTH_AUTHORIZATION_URL": f"{google_url}/o/oauth2/v2/auth",
        "GOOGLE_HEALTH_TOKEN_URL": f"{google_url}/token",
        "GOOGLE_HEALTH_REVOKE_URL": f"{google_url}/revoke",
        "GOOGLE_HEALTH_API_BASE_URL": google_url,
        "GOOGLE_HEALTH_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "GOOGLE_HEALTH_WEBHOOK_KEYSET_URL": f"{google_url}/webhooks/public_keyset.json",
        "GOOGLE_HEALTH_TIMEOUT": 3,
        "GOOGLE_HEALTH_RETRY_BACKOFF": 0.01,
        "BACKFILL_MAX_DAYS": 7,
    }


def build_fitlink(tmp_path, google_url: str, monkeypatch, **overrides):
    """A fitlink app whose Google Health source talks to google_url."""
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    config = make_config(tmp_path, "http://127.0.0.1:9/demo-fitbit", **google_config(google_url))
    return build_app({**config, **overrides})


def stored(app, model=Connection):
    with app.app_context():
        return db.session.execute(db.select(model)).scalars().all()


def stored_steps(app) -> dict:
    """The steps fitlink stored, by day."""
    return {row.day: row.value for row in stored(app, DailyMetric) if row.metric == "steps"}


def start(client) -> str:
    """Press Connect Google Health; return the consent page URL fitlink sends the browser to."""
    answer = client.get("/google_health")
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect(client, account="alex", allow=True, scopes=SCOPES):
    callback = decide(start(client), account=account, scopes=scopes, allow=allow)
    return client.get(local_path(callback))
