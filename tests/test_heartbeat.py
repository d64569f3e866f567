"""Job consumers' heartbeats, and the job queue as /health and the dashboard see it."""

import signal
import time
from datetime import datetime, timedelta, timezone

import pytest

from helpers import build_app, make_config
from fitlink import heartbeat, jobs
from fitlink.extensions import db
from fitlink.heartbeat import JobConsumer
from fitlink.models import now_utc
from services import fitlink_env, huey_consumer, stop, wait_until


@pytest.fixture
def queued_app(tmp_path, provider):
    """An app whose jobs wait in the queue (Huey on SQLite in tmp, or CI's Redis): no consumer runs them."""
    app = build_app(make_config(tmp_path, provider.url, JOBS_IMMEDIATE=False))
    jobs.huey.flush()
    yield app
    jobs.huey.flush()


def add_consumer(app, beat_at: datetime) -> None:
    with app.app_context():
        db.session.add(JobConsumer(id="old-host-1-abc", host="old-host", pid=1,
                                   started_at=beat_at, beat_at=beat_at))
        db.session.commit()


def status(app) -> heartbeat.QueueStatus:
    with app.app_context():
        return heartbeat.queue_status()


def test_queued_job_and_only_a_dead_consumer_answer_503(queued_app):
    add_consumer(queued_app, beat_at=now_utc() - timedelta(minutes=5))
    jobs.refresh_stale()
    answer = queued_app.test_client().get("/health")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["jobs"].startswith("stalled: jobs queued and no consumer alive")
    assert body["checks"]["database"] == "ok"
    assert body["jobs"]["consumers"] == 0 and body["jobs"]["queued"] == 1
    assert body["jobs"]["oldest_queued_seconds"] >= 0
    with queued_app.app_context():
        assert heartbeat.waiting_for_worker()


def test_dead_consumer_and_empty_queue_answer_200(queued_app):
    add_consumer(queued_app, beat_at=now_utc() - timedelta(minutes=5))
    answer = queued_app.test_client().get("/health")
    assert answer.status_code == 200
    assert answer.get_json()["jobs"] == {"consumers": 0, "queued": 0, "oldest_queued_seconds": None}
    with queued_app.app_context():
        assert not heartbeat.waiting_for_worker()


def test_live_consumer_answers_200_while_jobs_wait_and_its_stop_removes_it(queued_app):
    jobs.refresh_stale()
    client = queued_app.test_client()
    heartbeat.heartbeat.worker_started()  # what Huey calls as a consumer's worker starts
    try:
        answer = client.get("/health")
        assert answer.status_code == 200
        assert answer.get_json()["jobs"]["consumers"] == 1
        assert answer.get_json()["jobs"]["queued"] == 1
        with queued_app.app_context():
            assert not heartbeat.waiting_for_worker()
    finally:
        heartbeat.heartbeat.worker_stopped()
    assert client.get("/health").status_code == 503
    with queued_app.app_context():
        assert db.session.execute(db.select(JobConsumer)).scalars().all() == []


def test_oldest_queued_age_comes_from_the_enqueue_time(queued_app):
    first = jobs.refresh_stale()
    jobs.refresh_stale()
    jobs.huey.put(heartbeat.ENQUEUED_KEY.format(first.id), time.time() - 3600)
    found = status(queued_app)
    assert found.queued == 2
    assert 3600 <= found.oldest_queued_seconds < 3700


def test_due_scheduled_jobs_count_as_queued_since_their_eta(queued_app):
    due = jobs.refresh_stale.s()
    due.eta = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=2)
    later = jobs.refresh_stale.s()
    later.eta = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=2)
    for task in (due, later):  # what a worker does with a task whose eta is still ahead
        jobs.huey.add_schedule(task)
    found = status(queued_app)
    assert found.queued == 1
    assert 7200 <= found.oldest_queued_seconds < 7300


def test_a_run_task_leaves_no_enqueue_time_behind(queued_app):
    result = jobs.refresh_stale()
    key = heartbeat.ENQUEUED_KEY.format(result.id)
    assert jobs.huey.get(key, peek=True) is not None
    jobs.huey.execute(jobs.huey.dequeue())  # what a consumer's worker does
    assert jobs.huey.get(key, peek=True) is None
    assert status(queued_app) == heartbeat.QueueStatus(consumers=0, queued=0, oldest_queued_seconds=None)


@pytest.mark.processes
def test_huey_consumer_process_beats_runs_jobs_and_leaves_on_a_graceful_stop(queued_app, tmp_path):
    config = queued_app.config
    env = fitlink_env(SECRET_KEY="test-secret", SQLALCHEMY_DATABASE_URI=config["SQLALCHEMY_DATABASE_URI"],
                      REDIS_URL=config["REDIS_URL"] or "", HUEY_SQLITE_PATH=config["HUEY_SQLITE_PATH"],
                      DEMO_FITBIT_CLIENT_SECRET="unused", FITBIT_CLIENT_KEY="unused",
                      FITBIT_CLIENT_SECRET="unused")
    log = tmp_path / "consumer.log"
    process = huey_consumer(env, log)
    try:
        wait_until(lambda: status(queued_app).consumers == 1, timeout=30,
                   message=f"the consumer wrote no heartbeat:\n{log.read_text() if log.exists() else ''}")
        jobs.refresh_stale()
        wait_until(lambda: status(queued_app).queued == 0, timeout=30, message="the consumer ran nothing")
        assert queued_app.test_client().get("/health").status_code == 200
    finally:
        stop(process, signal.SIGINT)  # Huey's graceful stop: workers finish, shutdown hooks run
    assert status(queued_app).consumers == 0
    assert "job refresh_stale done" in log.read_text()
