"""Rate limits that fit the provider: a background reserve of a tenth of the announced limit, imports that finish.

The built-in Fitbit service counts calls per access token in windows of
DEMO_FITBIT_RATE_WINDOW seconds. The import is driven as the job queue drives
it: `jobs.run_sync` once, then again after each pause, once the window reset.
"""

import re
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import CLIENT_SECRET, build_app, connect, make_config, signup

from fitlink import clock as fitlink_clock
from fitlink import jobs
from fitlink.builtin_services.common import whole_day
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import call_log, create_demo_app
from fitlink.builtin_services.fitbit.models import demo_db
from fitlink.extensions import db
from fitlink.fitbit.connection import open_source
from fitlink.fitbit.source import ENDPOINTS
from fitlink.models import DailyMetric, Connection, SyncState
from fitlink.sources import DETAILS, MINUTE_DETAILS
from fitlink.sync.pending import Wanted


pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

# The service's field per metric in daily_values: a day it has no value for is no row.
SERVED = {
    "steps": "steps", "distance": "distance", "calories": "calories", "floors": "floors",
    "very_active_minutes": "minutesVeryActive", "fairly_active_minutes": "minutesFairlyActive",
    "resting_heart_rate": "restingHeartRate", "sleep": "sleep", "weight": "weight",
    "lightly_active_minutes": "minutesLightlyActive", "sedentary_minutes": "minutesSedentary",
}
# The nightly metrics' keys in whole_day.night_metrics.
NIGHTLY = {"hrv": "hrv", "spo2": "spo2", "breathing_rate": "br", "skin_temperature": "temp"}
DAILY = tuple(metric for metric in ENDPOINTS if metric not in DETAILS)
INTRADAY_DAYS = 2  # minute series fetched back (one call a day and series)
# Each endpoint's paths (the activity log list's without its query: the call log has none).
ENDPOINT = {metric: re.compile(re.escape(path.split("?")[0]).replace(r"\{start\}", "[^/]+").replace(r"\{end\}", "[^/]+"))
            for metric, (path, _longest) in ENDPOINTS.items()}


class FakeClock:
    """The service's clock, moved by the test."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class StatusLog:
    """WSGI middleware noting each request's path and status (the call log has no status)."""

    def __init__(self, app):
        self.app, self.answers = app, []

    def __call__(self, environ, start_response):
        def noted(status, headers, *rest):
            self.answers.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, *rest)

        return self.app(environ, noted)


def serve(config: dict):
    """The built-in Fitbit service with the given rate limit settings, and its status log."""
    demo = create_demo_app({"SECRET_KEY": "demo-test-secret", "TESTING": True,
                            "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET}, **config})
    return demo, StatusLog(demo)


def connection_id(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(Connection.id)).scalar_one()


def run(app, cid, **options) -> str:
    with app.app_context():
        return jobs.run_sync(cid, Wanted.of(**options))


def endpoint_of(path: str) -> str | None:
    """The metric whose endpoint answered path."""
    return next((metric for metric, pattern in ENDPOINT.items() if pattern.fullmatch(path)), None)


def expected_rows(first: date, last: date) -> Counter:
    """Rows per metric the service holds for alex from first to last."""
    account = get_account("alex")
    counts = Counter()
    day = first
    while day <= last:
        values = daily_values("alex", day)
        counts.update(metric for metric, field in SERVED.items() if values[field] is not None)
        counts.update(metric for metric, key in NIGHTLY.items() if key in whole_day.night_metrics(account, day, values))
        counts.update(("vo2max", "active_zone_minutes"))  # every day: alex has a score and zone minutes daily
        counts.update(["body_fat"] if whole_day.body_fat(account, values) is not None else [])
        day += timedelta(days=1)
    return counts


def minimum_calls(metric: str, days: int) -> int:
    """The fewest calls for a metric's days: its longest range, a day per call for minute series
    (alex logs at most a workout a day: a 100-day range of the activity log list is one page)."""
    return INTRADAY_DAYS if metric in MINUTE_DETAILS else -(-days // ENDPOINTS[metric][1])


def import_with_windows(tmp_path, window: float, wait, early_retry: bool = False, limit: int = 4) -> None:
    """Import a year through a service allowing `limit` calls per `window` seconds; check coverage and calls.

    With `early_retry` the first resume comes before the window reset (a worker whose
    clock runs ahead): its first call is refused with a 429, and it pauses again.
    """
    demo, statuses = serve({"DEMO_FITBIT_RATE_LIMIT": limit, "DEMO_FITBIT_RATE_WINDOW": window,
                            "DEMO_FITBIT_NOW": wait.clock})
    with serve_in_thread(statuses) as provider:
        app = build_app(make_config(tmp_path, provider.url, BACKFILL_MAX_DAYS=365,
                                    INTRADAY_BACKFILL_DAYS=INTRADAY_DAYS))
        client = app.test_client()
        signup(client)
        connect(client, account="alex")  # profile and goals, then the import's first run
        cid = connection_id(app)
        outcomes = []
        with app.app_context():
            states = db.session.execute(db.select(SyncState)).scalars().all()
            outcome = "complete" if states and all(s.backfill_done for s in states) else "rate_limited"
        if early_retry:
            assert run(app, cid) == "rate_limited"
            assert [status for _path, status in statuses.answers][-1] == 429
        # About 80 calls: as many windows as they need, and a few more.
        while outcome != "complete" and len(outcomes) < 100 // limit + 5:
            assert outcome == "rate_limited", outcome
            wait()
            outcome = run(app, cid)
            outcomes.append(outcome)
        assert outcome == "complete", outcomes
        assert len(outcomes) >= 2  # the import paused and resumed

        account = get_account("alex", wait.clock())
        today = local_today(account, wait.clock())
        first = max(account.member_since, today - timedelta(days=364))
        with app.app_context():
            rows = dict(db.session.execute(
                db.select(DailyMetric.metric, db.func.count()).group_by(DailyMetric.metric)).all())
            assert all(s.backfill_done for s in db.session.execute(db.select(SyncState)).scalars())
        expected = expected_rows(first, today)
        assert rows == {metric: expected[metric] for metric in DAILY}
        assert rows["steps"] == (today - first).days + 1

        days = (today - first).days + 1
        calls = Counter(endpoint_of(call.path) for call in call_log(demo))
        refused = Counter(endpoint_of(path) for path, status in statuses.answers if status == 429)
        for metric in ENDPOINTS:
            minimum = minimum_calls(metric, days)
            assert minimum <= calls[metric] <= minimum + refused[metric] + 1, (metric, calls, refused)
        assert sum(refused.values()) == (1 if early_retry else 0)
    with demo.app_context():
        demo_db.engine.dispose()


class ClockWait:
    """Wait for the service's next window on a real clock: sleep until it starts."""

    def __init__(self, window: float):
        self.window = window

    @staticmethod
    def clock() -> datetime:
        return datetime.now(timezone.utc)

    def __call__(self) -> None:
        time.sleep(self.window - time.time() % self.window + 0.05)


class FakeWait:
    """Wait for the service's next window on a fake clock: move the clock to it."""

    def __init__(self, window: float):
        self.window = window
        self.clock = FakeClock(fitlink_clock.now())

    def __call__(self) -> None:
        stamp = self.clock().timestamp()
        self.clock.advance(self.window - stamp % self.window + 0.05)


def test_four_calls_per_thirty_seconds_import_a_year_in_the_fewest_calls(tmp_path):
    import_with_windows(tmp_path, 30, FakeWait(30))


def test_a_resume_before_the_reset_costs_one_refused_call_and_nothing_else(tmp_path):
    import_with_windows(tmp_path, 30, FakeWait(30), early_retry=True)


@pytest.mark.serial  # real 2-second windows: a busy neighbour on the core can make a pause miss one
def test_eight_calls_per_two_real_seconds_import_a_year_in_the_fewest_calls(tmp_path):
    # Eight, not four as above: the same pauses and the same reserve (a tenth of 8 rounds down to none, as of
    # 4), in half the windows: 80 calls wait through 10 real windows, not 20 (this test is make test's serial run).
    import_with_windows(tmp_path, 2, ClockWait(2), limit=8)


def test_a_short_window_says_the_seconds_left_in_it(tmp_path):
    clock = FakeClock(datetime(2026, 11, 27, 12, 0, 10, tzinfo=timezone.utc))
    demo, statuses = serve({"DEMO_FITBIT_RATE_LIMIT": 4, "DEMO_FITBIT_RATE_WINDOW": 30, "DEMO_FITBIT_NOW": clock})
    with serve_in_thread(statuses) as provider:
        app = build_app(make_config(tmp_path, provider.url, JOBS_IMMEDIATE=False))
        client = app.test_client()
        signup(client)
        connect(client, account="alex")  # two calls; the import stays queued
        jobs.huey.flush()
        with app.app_context():
            source = open_source(db.session.get(Connection, connection_id(app)))
            source.profile()
            assert (source.budget.limit, source.budget.remaining, source.budget.reserve()) == (4, 1, 0)
            reset_in = (source.budget.reset_at - fitlink_clock.now()).total_seconds()
            assert 18 <= reset_in <= 20  # 12:00:10 is 20 seconds before the window ends
            source.profile()
            clock.advance(20)  # the next window
            source.profile()
            assert source.budget.remaining == 3
            source.close()
    assert [status for path, status in statuses.answers if path.endswith("profile.json")][-3:] == [200, 200, 200]
    with demo.app_context():
        demo_db.engine.dispose()


def test_a_fifth_call_in_the_window_is_refused(tmp_path):
    clock = FakeClock(datetime(2026, 11, 27, 12, 0, 29, tzinfo=timezone.utc))
    demo, _statuses = serve({"DEMO_FITBIT_RATE_LIMIT": 4, "DEMO_FITBIT_RATE_WINDOW": 30, "DEMO_FITBIT_NOW": clock})
    limiter = demo.extensions["builtin_fitbit"].limiter
    answers = [limiter.hit("t", clock()) for _ in range(5)]
    assert [a.allowed for a in answers] == [True] * 4 + [False]
    assert {a.reset for a in answers} == {1}
    clock.advance(1)
    assert limiter.hit("t", clock()) == (True, 4, 3, 30)
    with demo.app_context():
        demo_db.engine.dispose()


# The import the hourly test makes: 90 days of every metric fit in one hour's 150 calls (three
# years do not: the 30-day endpoints alone take 37 calls each).
HOURLY_DAYS = 90


@pytest.fixture
def hourly(tmp_path):
    """fitlink on a service allowing 150 calls per clock hour, its clock stopped inside one hour."""
    clock = FakeClock(fitlink_clock.now())
    demo, statuses = serve({"DEMO_FITBIT_NOW": clock})
    with serve_in_thread(statuses) as provider:
        app = build_app(make_config(tmp_path, provider.url, BACKFILL_MAX_DAYS=HOURLY_DAYS,
                                    INTRADAY_BACKFILL_DAYS=INTRADAY_DAYS, JOBS_IMMEDIATE=False))
        yield app, demo
    with demo.app_context():
        demo_db.engine.dispose()


def test_background_sync_stops_with_fifteen_of_150_left_and_sync_now_uses_them(hourly):
    app, demo = hourly
    client = app.test_client()
    signup(client)
    connect(client, account="alex")  # profile and goals: 148 left; the import stays queued
    jobs.huey.flush()
    cid = connection_id(app)
    needed = sum(minimum_calls(metric, HOURLY_DAYS) for metric in ENDPOINTS)
    with app.app_context():
        source = open_source(db.session.get(Connection, cid))
        for _ in range(148 - needed - 5):  # the hour's other calls: needed + 5 left, less than needed + the reserve
            source.profile()
        assert (source.budget.limit, source.budget.remaining, source.budget.reserve()) == (150, needed + 5, 15)
        source.close()

    assert run(app, cid) == "rate_limited"
    assert len(call_log(demo)) == 150 - 15
    with app.app_context():
        states = db.session.execute(db.select(SyncState)).scalars().all()
        assert not all(s.backfill_done for s in states)
        assert {s.last_error for s in states} == {"Waiting for Fitbit's rate limit"}

    # Sync now refreshes every metric first (yesterday and today), some thirty calls: the reserve
    # goes to them, all of it, and the next hour finishes the import.
    assert run(app, cid, manual=True) == "rate_limited"
    assert len(call_log(demo)) == 150
    demo.extensions["builtin_fitbit"].clock.advance(3600)
    assert run(app, cid) == "complete"
    with app.app_context():
        assert all(s.backfill_done for s in db.session.execute(db.select(SyncState)).scalars())
