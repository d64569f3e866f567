"""Bounded work: one queued sync per connection, one retry per locked or rate-limited sync, Sync now debounced.

The jobs wait in a real queue (Huey on SQLite, and on Redis) and these tests
run them one by one, as a consumer would.
"""

from contextlib import ExitStack
from datetime import timedelta

import pytest
from helpers import build_app, connect, make_config, notification, post, signup
from services import redis_database

from fitlink import jobs
from fitlink.builtin_services.common.accounts import get_account
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.extensions import db
from fitlink.models import Connection, SyncRequest, User, now_utc
from fitlink.sync import lease
from fitlink.sync.pending import names

ALEX = get_account("alex").encoded_id
REPEATED = "You already asked for a sync less than 30 seconds ago, so nothing new was queued."


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.services)])
def queued(request, tmp_path, provider):
    """An app whose jobs wait in Huey's queue (SQLite or Redis storage); alex's Fitbit connected and imported."""
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_database()) if request.param == "redis" else None
        app = build_app(make_config(tmp_path, provider.url, JOBS_IMMEDIATE=False, REDIS_URL=redis_url,
                                    BACKFILL_MAX_DAYS=30))
        # Consumers wait up to a second on an empty Redis queue; these tests look and move on.
        jobs.huey.storage.blocking = False
        client = app.test_client()
        signup(client)
        connect(client, account="alex")
        assert drain() == ["complete"]  # the import
        yield app, client
        jobs.huey.flush()


def drain() -> list:
    """Run every queued job, as a consumer would (jobs they queue included); return their results.

    A job queued for later is only moved to the schedule (Huey's worker does the same).
    """
    results = []
    while (task := jobs.huey.dequeue()) is not None:
        result = jobs.huey.execute(task)
        if task.eta is None or result is not None:
            results.append(result)
    return results


def run_scheduled() -> list:
    """Run every scheduled job now, as if its time had come, then the queue; return their results."""
    due = jobs.huey.scheduled()
    jobs.huey.storage.flush_schedule()
    return [jobs.huey.execute(task, timestamp=task.eta) for task in due] + drain()


def counts() -> tuple[int, int]:
    """Jobs waiting in the queue, jobs scheduled for later."""
    return jobs.huey.pending_count(), jobs.huey.scheduled_count()


def queued_request(app) -> SyncRequest | None:
    with app.app_context():
        asked = db.session.get(SyncRequest, 1)
        if asked is not None:
            db.session.expunge(asked)
        return asked


def test_thirty_replays_of_a_notification_queue_one_sync_that_covers_them_all(queued):
    app, client = queued
    body = notification(ALEX)
    for _ in range(30):
        assert post(client, body).status_code == 204
    assert post(client, notification(ALEX, "sleep")).status_code == 204
    assert counts() == (1, 0)
    asked = queued_request(app)
    assert set(names(asked.metrics)) == {
        "steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes",
        "resting_heart_rate", "vo2max", "active_zone_minutes", "lightly_active_minutes", "sedentary_minutes",
        "steps_minutes", "heart_rate_minutes", "calories_minutes", "exercises",
        "sleep", "hrv", "spo2", "breathing_rate", "skin_temperature"}
    assert not (asked.everything or asked.manual or asked.full)
    assert drain() == ["complete"]
    assert queued_request(app) is None  # cleared when its job started


class NotifyDuringSync:
    """Post notifications to fitlink while its sync's first data call is being answered."""

    def __init__(self, provider_app, fitlink_app, times: int):
        self.provider_app, self.fitlink_app, self.times = provider_app, fitlink_app, times
        self.queued_meanwhile = None

    def __call__(self, environ, start_response):
        if self.queued_meanwhile is None and "/date/" in environ["PATH_INFO"]:
            client = self.fitlink_app.test_client()
            for _ in range(self.times):
                assert post(client, notification(ALEX)).status_code == 204
            self.queued_meanwhile = counts()
        return self.provider_app(environ, start_response)


def test_notifications_while_a_sync_runs_queue_exactly_one_more(queued, demo_app):
    app, client = queued
    racing = NotifyDuringSync(demo_app, app, times=5)
    with serve_in_thread(racing) as wrapped:
        app.config["FITBIT_API_BASE_URL"] = wrapped.url
        assert post(client, notification(ALEX)).status_code == 204
        assert drain() == ["complete", "complete"]
    assert racing.queued_meanwhile == (1, 0)


def test_sync_now_counts_once_per_30_seconds_and_says_so(queued):
    app, client = queued
    first = client.post("/sync", follow_redirects=True).text
    assert "Sync requested." in first
    for _ in range(14):
        again = client.post("/sync", follow_redirects=True)
        assert again.status_code == 200 and REPEATED in again.text
    assert counts() == (1, 0)
    assert queued_request(app).manual
    with app.app_context():  # half a minute later
        db.session.get(User, 1).sync_pressed_at = now_utc() - timedelta(seconds=31)
        db.session.commit()
    assert "Sync requested." in client.post("/sync", follow_redirects=True).text
    assert counts() == (1, 0)  # merged into the press still waiting
    assert drain() == ["complete"]


def test_a_locked_sync_schedules_one_retry_whatever_arrives_meanwhile(queued):
    app, client = queued
    with app.app_context():
        holder = lease.acquire(1)  # a sync of this connection runs elsewhere
    post(client, notification(ALEX))
    assert drain() == ["locked"]
    assert counts() == (0, 1)
    for _ in range(10):
        post(client, notification(ALEX, "body"))
    assert counts() == (0, 1)  # merged into the retry
    assert "weight" in names(queued_request(app).metrics)
    assert run_scheduled() == ["locked"]
    assert counts() == (0, 1)
    with app.app_context():
        lease.release(1, holder)
    assert run_scheduled() == ["complete"]
    assert counts() == (0, 0) and queued_request(app) is None


def test_a_rate_limited_sync_waits_once_and_a_press_brings_it_forward(queued, demo_app):
    app, client = queued
    limiter = demo_app.extensions["builtin_fitbit"].limiter
    limiter.limit = 0
    post(client, notification(ALEX))
    assert drain() == ["rate_limited"]
    assert counts() == (0, 1)
    assert queued_request(app).run_at > now_utc()
    post(client, notification(ALEX, "sleep"))
    assert counts() == (0, 1)  # merged into the retry at the reset
    limiter.limit = 1000
    client.post("/sync")
    assert counts() == (1, 1)  # the person's press runs now; the retry is left with nothing to do
    assert drain() == ["complete"]
    assert run_scheduled() == ["merged"]
    assert counts() == (0, 0)


def test_a_lost_job_does_not_block_the_connection(queued):
    app, client = queued
    post(client, notification(ALEX))
    jobs.huey.flush()  # the queued job is lost (a queue emptied by hand, say)
    post(client, notification(ALEX))
    assert counts() == (0, 0)  # merged: its job is not known to be lost yet
    with app.app_context():
        db.session.get(SyncRequest, 1).run_at = now_utc() - timedelta(minutes=11)
        db.session.commit()
    post(client, notification(ALEX))
    assert counts() == (1, 0)
    assert drain() == ["complete"]


def test_a_queued_sync_of_a_disconnected_source_does_nothing(queued):
    app, client = queued
    post(client, notification(ALEX))
    assert client.post("/connections/fitbit/disconnect").status_code == 302
    assert drain() == ["merged"]
    with app.app_context():
        assert db.session.execute(db.select(Connection)).scalars().all() == []
