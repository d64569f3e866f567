"""Sync leases: only the owner renews or releases; failing fetches keep it; a sync that lost it stops and writes nothing."""

import json
import threading
import time
from datetime import timedelta

import pytest
from helpers import build_app, connect, make_config, signup

from fitlink import jobs
from fitlink.builtin_services.common.accounts import get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.extensions import db
from fitlink.fitbit.source import ENDPOINTS
from fitlink.models import DailyMetric, Connection, SourceMetric, now_utc
from fitlink.sync import lease
from fitlink.sync.pending import Wanted

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports

DOCTORED = 999_999.0


@pytest.fixture
def leased_app(tmp_path, provider):
    """An app whose sync leases last a second or two, with alex's Fitbit connected and imported."""
    app = build_app(make_config(tmp_path, provider.url, SYNC_LEASE_SECONDS=1.5, FITBIT_TIMEOUT=10,
                                FITBIT_RETRY_BACKOFF=0, BACKFILL_MAX_DAYS=30))
    client = app.test_client()
    signup(client)
    connect(client, account="alex")
    return app


def lease_of(app) -> tuple:
    with app.app_context():
        link = db.session.execute(db.select(Connection)).scalar_one()
        return link.sync_lease_owner, link.sync_lease_until


def run(app, outcomes: list, **options) -> threading.Thread:
    def sync():
        with app.app_context():
            outcomes.append(jobs.run_sync(1, Wanted.of(**options)))
    thread = threading.Thread(target=sync)
    thread.start()
    return thread


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_only_the_owner_renews_or_releases(leased_app):
    with leased_app.app_context():
        first = lease.acquire(1)
        assert first and lease.acquire(1) is None
        link = db.session.get(Connection, 1)
        link.sync_lease_until = now_utc() - timedelta(seconds=1)  # its worker hung past the lease
        db.session.commit()
        second = lease.acquire(1)
        assert second and second != first
        assert not lease.renew(1, first)
        lease.release(1, first)  # the late first sync gives back nothing that is not its own
        db.session.commit()
    assert lease_of(leased_app)[0] == second
    with leased_app.app_context():
        assert lease.renew(1, second)
        db.session.commit()
        lease.release(1, second)
    assert lease_of(leased_app) == (None, None)


class HeldCalls:
    """Hold the first two steps calls until released; the first is answered with doctored values, or a 401."""

    def __init__(self, app, first: str):
        self.app, self.first = app, first
        self.arrived = [threading.Event(), threading.Event()]
        self.go = [threading.Event(), threading.Event()]
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if "/activities/steps/date/" not in environ["PATH_INFO"]:
            return self.app(environ, start_response)
        with self.lock:
            number, self.count = self.count, self.count + 1
        if number > 1:
            return self.app(environ, start_response)
        self.arrived[number].set()
        self.go[number].wait(20)
        if number == 1:
            return self.app(environ, start_response)
        if self.first == "401":
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"errors": [{"errorType": "expired_token"}], "success": false}']
        today = local_today(get_account("alex")).isoformat()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"activities-steps": [{"dateTime": today, "value": str(DOCTORED)}]}).encode()]


@pytest.mark.parametrize("first", ["doctored", "401"])
def test_a_sync_whose_call_hangs_past_its_lease_stops_and_writes_nothing(leased_app, demo_app, first):
    """Finding 7: with a hanging provider, two syncs of one user ran at once."""
    held = HeldCalls(demo_app, first)
    outcomes_a, outcomes_b = [], []
    with serve_in_thread(held) as hanging:
        leased_app.config["FITBIT_API_BASE_URL"] = hanging.url
        try:
            a = run(leased_app, outcomes_a, manual=True)
            assert held.arrived[0].wait(10)
            owner_a, until_a = lease_of(leased_app)
            wait_for(lambda: now_utc() > until_a)  # A's call outlives its lease
            b = run(leased_app, outcomes_b, manual=True)
            assert held.arrived[1].wait(10)  # B took the lease over and is fetching
            owner_b = lease_of(leased_app)[0]
            assert owner_b not in (None, owner_a)
            held.go[0].set()  # A's answer comes at last
            a.join(10)
            assert outcomes_a == ["lease_lost"]
            assert lease_of(leased_app)[0] == owner_b  # A did not release B's lease
        finally:
            for go in held.go:
                go.set()
        b.join(10)
    assert outcomes_b == ["complete"]
    assert lease_of(leased_app) == (None, None)
    with leased_app.app_context():
        assert db.session.get(Connection, 1).broken_at is None  # a late 401 does not mark it broken either
        for model in (DailyMetric, SourceMetric):
            assert db.session.execute(db.select(model).filter_by(value=DOCTORED)).first() is None
            duplicates = db.session.execute(
                db.select(model.metric, model.day).group_by(model.user_id, model.metric, model.day)
                .having(db.func.count() > 1)).all()
            assert duplicates == []


class SlowGarbage:
    """Answer every data call slowly with an HTML page: each fetch fails, the sync goes on to the next metric."""

    def __init__(self, app, delay: float):
        self.app, self.delay, self.calls = app, delay, 0

    def __call__(self, environ, start_response):
        if "/date/" not in environ["PATH_INFO"]:
            return self.app(environ, start_response)
        self.calls += 1
        time.sleep(self.delay)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html><body>Service temporarily unavailable</body></html>"]


def test_failing_fetches_renew_the_lease_so_no_second_sync_starts(leased_app, demo_app):
    slow = SlowGarbage(demo_app, delay=0.3)
    outcomes = []
    with serve_in_thread(slow) as garbage:
        leased_app.config["FITBIT_API_BASE_URL"] = garbage.url
        a = run(leased_app, outcomes, manual=True)
        # Six failed calls of 0.3 s each: the lease taken at the start would have run out by now.
        wait_for(lambda: slow.calls >= 6)
        with leased_app.app_context():
            assert jobs.run_sync(1, Wanted.of(manual=True)) == "locked"
        a.join(20)
    assert outcomes == ["errors"]
    # One per metric, none twice (the activity log list has no /date/: the service answers it).
    assert slow.calls == sum("/date/" in path for path, _longest in ENDPOINTS.values())
