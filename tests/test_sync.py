"""The sync engine against the built-in service: fewest calls, rate limits, faults, locks."""

import json
import threading
import time
from datetime import timedelta

import pytest

from helpers import INTRADAY_DAYS, build_app, connect, make_config, signup

from fitlink import jobs
from fitlink.builtin_services.common.accounts import get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import call_log, reset_call_log, revoke_tokens
from fitlink.connections import remove_connection
from fitlink.extensions import db
from fitlink.fitbit.source import ENDPOINTS
from fitlink.models import DailyMetric, Connection, SourceMetric, SyncState, now_utc
from fitlink.sources import DETAILS, MINUTE_DETAILS
from fitlink.sync import sync_connection
from fitlink.sync.pending import Wanted
from fitlink.sync.plan import minimum_calls
from fitlink.sync.schedule import connections_due

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports

FITBIT_METRICS = tuple(ENDPOINTS)  # what the Fitbit source fetches: daily metrics, minute series, workouts
DAILY_LONGEST = {metric: longest for metric, (_path, longest) in ENDPOINTS.items() if metric not in DETAILS}
# alex logs at most one workout a day: each 100-day range of the activity log list is one page.
RANGED = {metric: longest for metric, (_path, longest) in ENDPOINTS.items() if metric not in MINUTE_DETAILS}
# A refresh covers yesterday and today: one call per daily metric and for the activity log list,
# two per minute series (one day per call).
REFRESH_CALLS = len(DAILY_LONGEST) + 2 * len(MINUTE_DETAILS) + 1

DATA_PATHS = ("/1/user/-/activities/", "/1.2/user/-/sleep/", "/1/user/-/body/", "/1/user/-/hrv/",
              "/1/user/-/spo2/", "/1/user/-/br/", "/1/user/-/temp/", "/1/user/-/cardioscore/")


def data_calls(demo_app) -> list[str]:
    """The data calls the service answered (not the profile or the daily summary)."""
    return [
        path for path, _token in call_log(demo_app)
        if path.startswith(DATA_PATHS) and "/activities/date/" not in path
    ]


def rows_by_metric(app) -> dict[str, int]:
    with app.app_context():
        counts = db.session.execute(
            db.select(DailyMetric.metric, db.func.count()).group_by(DailyMetric.metric)
        ).all()
    return dict(counts)


def connection_id(app, email="ada@example.org") -> int:
    """The id of the person's Fitbit connection."""
    with app.app_context():
        return db.session.execute(
            db.text("select oauth.id from oauth join users on users.id = oauth.user_id "
                    "where email = :e and provider = 'fitbit'"), {"e": email}).scalar_one()


def users_due(stale_after):
    return connections_due(stale_after, ["fitbit"])


def run(app, cid, **options) -> str:
    with app.app_context():
        return jobs.run_sync(cid, Wanted.of(**options))


@pytest.fixture
def long_app(tmp_path, provider):
    """An app that imports three years of history."""
    return build_app(make_config(tmp_path, provider.url, BACKFILL_MAX_DAYS=1095))


def test_backfill_of_three_years_takes_the_minimum_number_of_calls(long_app, demo_app):
    # Three years of every metric take more than Fitbit's 150 calls an hour (the 30-day
    # endpoints alone take 37 each): this test counts calls, so the hour has room for them all.
    demo_app.extensions["builtin_fitbit"].limiter.limit = 1000
    client = long_app.test_client()
    signup(client)
    reset_call_log(demo_app)
    connect(client, account="alex")
    account = get_account("alex")
    today = local_today(account)
    days = min(1095, (today - account.member_since).days + 1)
    assert len(data_calls(demo_app)) == minimum_calls(days, RANGED) + INTRADAY_DAYS * len(MINUTE_DETAILS)
    counts = rows_by_metric(long_app)
    for metric in ("steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes",
                   "lightly_active_minutes", "sedentary_minutes", "vo2max", "active_zone_minutes"):
        assert counts[metric] == days, metric
    for metric in ("sleep", "weight", "hrv", "spo2", "breathing_rate", "skin_temperature", "body_fat"):
        assert 0 < counts[metric] < days, metric
    with long_app.app_context():
        states = db.session.execute(db.select(SyncState)).scalars().all()
        assert {state.resource for state in states} == set(FITBIT_METRICS)
        assert all(state.backfill_done and state.newest_synced == today for state in states)

    reset_call_log(demo_app)
    assert run(long_app, connection_id(long_app)) == "complete"
    assert data_calls(demo_app) == []  # just imported: a background run has nothing to refresh
    assert run(long_app, connection_id(long_app), manual=True) == "complete"
    assert rows_by_metric(long_app) == counts
    # A refresh is one call per daily metric and the log list, one a day per minute series: yesterday and today.
    calls = data_calls(demo_app)
    assert len(calls) == REFRESH_CALLS
    yesterday = today - timedelta(days=1)
    minute_calls = [path for path in calls if path.endswith("/1d/1min.json")]
    assert sorted(minute_calls) == sorted(f"/1/user/-/activities/{resource}/date/{day}/1d/1min.json"
                                          for resource in ("steps", "heart", "calories") for day in (yesterday, today))
    assert calls.count("/1/user/-/activities/list.json") == 1
    daily = [path for path in calls if path not in minute_calls and not path.endswith("/list.json")]
    assert all(path.endswith(f"/{yesterday}/{today}.json") for path in daily)
    with long_app.app_context():
        # The refresh ran today's range before yesterday's: no metric's newest synced day moved back.
        states = db.session.execute(db.select(SyncState)).scalars().all()
        assert {state.resource: state.newest_synced for state in states} == dict.fromkeys(FITBIT_METRICS, today)


def test_history_stops_at_member_since(app, client, demo_app):
    signup(client)
    connect(client, account="sam")
    account = get_account("sam")
    days = (local_today(account) - account.member_since).days + 1
    assert days < 365
    assert rows_by_metric(app)["steps"] == days


def test_a_429_mid_backfill_pauses_then_resumes_with_nothing_lost(long_app, demo_app):
    limiter = demo_app.extensions["builtin_fitbit"].limiter
    limiter.limit = 6  # profile, goals, then four series calls
    client = long_app.test_client()
    signup(client)
    connect(client, account="alex")
    uid = connection_id(long_app)
    with long_app.app_context():
        states = db.session.execute(db.select(SyncState)).scalars().all()
        waits = {state.next_attempt for state in states}
        assert len(waits) == 1 and None not in waits
        (wait,) = waits
        assert now_utc() < wait <= now_utc() + timedelta(hours=1, minutes=1)
        assert not all(state.backfill_done for state in states)
    page = client.get("/dashboard").text
    assert "Paused: Waiting for Fitbit&#39;s rate limit. Resumes at" in page
    assert "Importing history:" in page
    partial = rows_by_metric(long_app)

    limiter.limit = 1000  # the next hour
    assert run(long_app, uid) == "complete"
    account = get_account("alex")
    days = min(1095, (local_today(account) - account.member_since).days + 1)
    complete = rows_by_metric(long_app)
    assert complete["steps"] == days
    assert all(complete[metric] >= partial.get(metric, 0) for metric in complete)
    with long_app.app_context():
        duplicates = db.session.execute(
            db.select(DailyMetric.metric, DailyMetric.day)
            .group_by(DailyMetric.user_id, DailyMetric.metric, DailyMetric.day)
            .having(db.func.count() > 1)
        ).all()
        assert duplicates == []
        assert all(s.backfill_done for s in db.session.execute(db.select(SyncState)).scalars())
    assert "Importing history" not in client.get("/dashboard").text


def test_background_sync_keeps_a_tenth_of_the_budget_for_sync_now(long_app, demo_app):
    demo_app.extensions["builtin_fitbit"].limiter.limit = 20  # a reserve of 2
    client = long_app.test_client()
    signup(client)
    reset_call_log(demo_app)
    connect(client)
    # profile + goals leave 18; series calls go on while more than 2 remain.
    assert len(data_calls(demo_app)) == 16
    with long_app.app_context():
        assert all(s.last_error == "Waiting for Fitbit's rate limit"
                   for s in db.session.execute(db.select(SyncState)).scalars())
    reset_call_log(demo_app)
    client.post("/sync")  # the person's own "Sync now" may use the reserve
    assert len(data_calls(demo_app)) == 2


def test_a_rejected_token_marks_the_connection_broken_and_stops_jobs(app, client, demo_app):
    signup(client)
    connect(client)
    uid = connection_id(app)
    revoke_tokens(demo_app, "alex")
    reset_call_log(demo_app)
    assert run(app, uid, manual=True) == "token_rejected"
    assert len(call_log(demo_app)) == 1
    with app.app_context():
        assert db.session.get(Connection, 1).broken_at is not None
        assert users_due(timedelta(0)) == []
    page = client.get("/dashboard").text
    assert "Reconnect Fitbit" in page and "Reconnect needed" in page
    assert run(app, uid) == "not_connected"
    assert len(call_log(demo_app)) == 1
    assert rows_by_metric(app)["steps"] > 0  # nothing stored is lost
    connect(client)  # reconnecting mends it
    with app.app_context():
        assert db.session.get(Connection, 1).broken_at is None


class FakeProvider:
    """A provider that answers every API call the same bad way."""

    def __init__(self, status=200, body=b"{}", delay=0.0):
        self.status, self.body, self.delay, self.hits = status, body, delay, 0

    def __call__(self, environ, start_response):
        self.hits += 1
        time.sleep(self.delay)
        start_response(f"{self.status} X", [("Content-Type", "application/json")])
        return [self.body]


def point_api_at(app, url):
    app.config["FITBIT_API_BASE_URL"] = url


@pytest.mark.parametrize(
    "fake",
    [FakeProvider(status=500), FakeProvider(status=503, body=b"<html>down</html>"), FakeProvider(delay=1.0)],
    ids=["500", "503", "timeout"],
)
def test_provider_failures_are_retried_then_recorded(tmp_path, provider, fake):
    app = build_app(make_config(tmp_path, provider.url, FITBIT_RETRY_BACKOFF=0))
    client = app.test_client()
    signup(client)
    connect(client)  # at the suite's timeout: the service is made at its first request, slower on a busy machine
    before = rows_by_metric(app)
    with serve_in_thread(fake) as bad:
        point_api_at(app, bad.url)
        app.config["FITBIT_TIMEOUT"] = 0.3  # the fake's one-second answer is a timeout
        assert run(app, connection_id(app), manual=True) == "errors"
    assert fake.hits == 3  # the first call tried three times; an outage stops the sync
    assert rows_by_metric(app) == before
    with app.app_context():
        states = db.session.execute(db.select(SyncState)).scalars().all()
        assert all(state.last_error and state.next_attempt > now_utc() for state in states)
    assert "Sync now" in client.get("/dashboard").text


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", json.dumps({"activities-steps": [{"dateTime": "2026-13-45", "value": "1"}]}).encode(),
     json.dumps({"activities-steps": [{"dateTime": "2026-11-01", "value": "many"}]}).encode()],
    ids=["not-json", "array", "bad-date", "bad-value"],
)
def test_a_malformed_payload_writes_nothing(app, client, body):
    signup(client)
    connect(client)
    with app.app_context():
        before = db.session.execute(db.select(DailyMetric.metric, DailyMetric.day, DailyMetric.value)).all()
    fake = FakeProvider(body=body)
    with serve_in_thread(fake) as bad:
        point_api_at(app, bad.url)
        assert run(app, connection_id(app), manual=True) == "errors"
    assert fake.hits == len(FITBIT_METRICS)  # one call each, not retried: the answer will not improve
    with app.app_context():
        after = db.session.execute(db.select(DailyMetric.metric, DailyMetric.day, DailyMetric.value)).all()
        assert sorted(after) == sorted(before)
        states = db.session.execute(db.select(SyncState)).scalars().all()
        # SpO2 by interval answers a bare array: [] is a range without readings, not a bad answer.
        readable = {"spo2"} if body == b"[]" else set()
        assert all(bool(s.last_error) != (s.resource in readable) for s in states)


class SlowWSGI:
    """Delay every request to an app, so that two syncs overlap."""

    def __init__(self, app, delay):
        self.app, self.delay = app, delay

    def __call__(self, environ, start_response):
        time.sleep(self.delay)
        return self.app(environ, start_response)


def test_two_concurrent_syncs_for_one_user_do_not_both_run(app, client, demo_app):
    signup(client)
    connect(client)
    uid = connection_id(app)
    outcomes = []
    with serve_in_thread(SlowWSGI(demo_app, 0.2)) as slow:
        point_api_at(app, slow.url)
        reset_call_log(demo_app)
        threads = [threading.Thread(target=lambda: outcomes.append(run(app, uid, manual=True))) for _ in range(2)]
        threads[0].start()
        time.sleep(0.1)
        threads[1].start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["complete", "locked"]
    assert len(data_calls(demo_app)) == REFRESH_CALLS


def test_periodic_job_picks_stale_users_only(app, client):
    signup(client)
    connect(client)
    uid = connection_id(app)
    with app.app_context():
        assert users_due(timedelta(hours=1)) == []
        assert users_due(timedelta(0)) == [uid]


def test_periodic_job_resumes_an_unfinished_import_but_waits_for_its_retry_time(app, client):
    signup(client)
    connect(client)
    uid = connection_id(app)
    with app.app_context():
        state = db.session.execute(db.select(SyncState).filter_by(resource="sleep")).scalar_one()
        state.backfill_done = False  # as after a stop mid-import
        db.session.commit()
        assert users_due(timedelta(hours=1)) == [uid]
        state.next_attempt = now_utc() + timedelta(minutes=5)
        db.session.commit()
        assert users_due(timedelta(hours=1)) == []
        assert users_due(timedelta(0)) == []


def test_a_lease_left_by_a_killed_worker_expires(app, client):
    signup(client)
    connect(client)
    uid = connection_id(app)
    with app.app_context():
        link = db.session.execute(db.select(Connection)).scalar_one()
        link.sync_lease_until = now_utc() + timedelta(minutes=1)  # held by a worker that died
        db.session.commit()
        assert sync_connection(uid).outcome == "locked"
        link.sync_lease_until = now_utc() - timedelta(seconds=1)
        db.session.commit()
        assert sync_connection(uid, manual=True).outcome == "complete"
        assert db.session.get(Connection, link.id).sync_lease_until is None


def test_sync_without_a_connection_does_nothing(app):
    with app.app_context():
        assert sync_connection(12345).outcome == "not_connected"


def test_cli_sync_and_status(app, client, runner):
    signup(client)
    connect(client)
    result = runner.invoke(args=["fitbit", "sync", "--user", "ADA@example.org"])
    assert result.exit_code == 0, result.output
    assert "ada@example.org (fitbit): complete" in result.output
    status = runner.invoke(args=["fitbit", "status"])
    assert "100% imported" in status.output and get_account("alex").display_name in status.output
    missing = runner.invoke(args=["fitbit", "sync", "--user", "nobody@example.org"])
    assert missing.exit_code != 0 and "No connected user" in missing.output


class DisconnectDuringSync:
    """Disconnect the user (as the Disconnect button does) when the first series call arrives."""

    def __init__(self, provider_app, fitlink_app, uid):
        self.provider_app, self.fitlink_app, self.uid, self.done = provider_app, fitlink_app, uid, False

    def __call__(self, environ, start_response):
        if not self.done and environ["PATH_INFO"].startswith(DATA_PATHS):
            self.done = True
            with self.fitlink_app.app_context():
                remove_connection(db.session.get(Connection, self.uid))
                db.session.commit()
        return self.provider_app(environ, start_response)


def test_data_arriving_after_a_disconnect_is_not_kept(app, client, demo_app):
    signup(client)
    connect(client)
    uid = connection_id(app)
    with serve_in_thread(DisconnectDuringSync(demo_app, app, uid)) as racing:
        point_api_at(app, racing.url)
        assert run(app, uid, manual=True) in ("not_connected", "lease_lost")
    assert rows_by_metric(app) == {}
    with app.app_context():
        assert db.session.execute(db.select(SyncState)).scalars().all() == []
        assert db.session.execute(db.select(SourceMetric)).scalars().all() == []
