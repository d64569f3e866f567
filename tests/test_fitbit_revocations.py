"""Fitbit revocations: a captured signed userRevokedAccess notification replayed later changes nothing.

The built-in service notifies fitlink over real HTTP when the person revokes
access; a middleware in front of fitlink keeps each notification, as someone on
the path could, and the test posts it again after the person reconnected.
"""

import io
import json
from datetime import timedelta

import pytest

from helpers import CLIENT_SECRET, ONE_DAY, PASSWORD, build_app, connect, login, make_config

from fitlink import clock, jobs
from fitlink.auth import create_user
from fitlink.builtin_services.common.accounts import get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app, revoke_tokens
from fitlink.extensions import db
from fitlink.models import Connection
from fitlink.sync.pending import Wanted

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports

ACCOUNT = "kiri"


class Capture:
    """WSGI middleware in front of fitlink keeping every body and signature posted to its webhook."""

    def __init__(self):
        self.app = None
        self.notifications: list[tuple[bytes, str]] = []

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/fitbit/webhook" and environ["REQUEST_METHOD"] == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.notifications.append((body, environ.get("HTTP_X_FITBIT_SIGNATURE", "")))
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


@pytest.fixture
def notified(tmp_path):
    """(app, demo, capture): fitlink on a real port, the built-in service notifying its webhook."""
    clock.travel_to(ONE_DAY)
    capture = Capture()
    with serve_in_thread(capture) as fitlink_server:
        demo = create_demo_app({
            "SECRET_KEY": "demo", "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
            "DEMO_FITBIT_SUBSCRIBER_URL": fitlink_server.url + "/fitbit/webhook",
        })
        with serve_in_thread(demo) as provider:
            app = capture.app = build_app(make_config(tmp_path, provider.url))
            with app.app_context():
                create_user("ada@example.org", PASSWORD)
            yield app, demo, capture


def state(app) -> tuple[bool, bool]:
    """Return (broken, has a token) of the one connection."""
    with app.app_context():
        connection = db.session.execute(db.select(Connection)).scalar_one()
        return connection.broken_at is not None, bool(connection.token)


def replay(app, notification: tuple[bytes, str]) -> int:
    body, signature = notification
    return app.test_client().post("/fitbit/webhook", data=body, content_type="application/json",
                                  headers={"X-Fitbit-Signature": signature}).status_code


def later(days: int, hours: int = 0) -> None:
    """Move the clock to days and hours after ONE_DAY (kiri's local day, UTC+14, runs 10:00 to 10:00 UTC)."""
    clock.travel_to(ONE_DAY + timedelta(days=days, hours=hours))


def test_a_replayed_revocation_is_ignored_and_a_fresh_one_still_works(notified):
    app, demo, capture = notified
    browser = app.test_client()
    assert login(browser).status_code == 302
    assert connect(browser, account=ACCOUNT).status_code == 302

    later(2)
    assert revoke_tokens(demo, ACCOUNT) == 1  # the person revokes; the service tells fitlink
    assert state(app) == (True, False)
    (captured,) = capture.notifications
    (note,) = json.loads(captured[0])
    assert (note["collectionType"], note["date"]) == ("userRevokedAccess", local_today(get_account(ACCOUNT)).isoformat())

    later(4)
    assert connect(browser, account=ACCOUNT).status_code == 302  # reconnected
    for _ in range(2):  # replayed, and replayed again
        assert replay(app, captured) == 204
        assert state(app) == (False, True)
    with app.app_context():
        assert jobs.run_sync(1, Wanted.of(manual=True)) == "complete"  # the new grant works

    later(6)
    assert revoke_tokens(demo, ACCOUNT) == 1  # a fresh revocation still ends the connection
    assert state(app) == (True, False)
    assert replay(app, capture.notifications[-1]) == 204  # its repeat changes nothing
    assert state(app) == (True, False)


def test_a_replay_on_the_day_of_reconnecting_is_checked_with_the_provider(notified):
    app, demo, capture = notified
    browser = app.test_client()
    login(browser)
    later(2)
    connect(browser, account=ACCOUNT)
    later(2, hours=1)
    revoke_tokens(demo, ACCOUNT)
    # Dated the day the grant was made: the provider decides, and it refused the revoked token.
    assert state(app)[0] is True
    (captured,) = capture.notifications

    later(2, hours=2)
    connect(browser, account=ACCOUNT)  # reconnected the same day
    assert replay(app, captured) == 204
    assert state(app) == (False, True)  # the provider accepted the new token: the replay changed nothing

    later(2, hours=3)
    revoke_tokens(demo, ACCOUNT)  # revoked again the same day: the provider refuses it now
    assert state(app)[0] is True
