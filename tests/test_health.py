"""GET /health: 200 when the database and Redis answer, 503 naming the part that does not.

The job-queue part of /health (consumers alive, jobs queued) is in test_heartbeat.py.
"""

from helpers import NO_PROVIDER, build_app, make_config
from fitlink import create_app, jobs
from services import free_port


def test_healthy_app_answers_200(client, app):
    answer = client.get("/health")
    assert answer.status_code == 200
    redis = "ok" if app.config["REDIS_URL"] else "not configured"
    assert answer.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": redis, "jobs": "ok"},
        "jobs": {"consumers": 0, "queued": 0, "oldest_queued_seconds": None},
    }


def test_unreachable_redis_answers_503_naming_redis(tmp_path, provider):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = build_app(make_config(tmp_path, provider.url, REDIS_URL=dead, JOBS_IMMEDIATE=False))
    answer = app.test_client().get("/health")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("failed: ConnectionError")
    assert body["checks"]["jobs"] == "failed: ConnectionError"  # the queue lives in that Redis


def test_unreachable_database_answers_503_naming_the_database(tmp_path, provider):
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/fitlink"
    config = make_config(tmp_path, provider.url, SQLALCHEMY_DATABASE_URI=dead, REDIS_URL=None)
    answer = create_app(config).test_client().get("/health")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {
        "database": "failed: OperationalError", "redis": "not configured", "jobs": "failed: OperationalError"}


def test_web_check_leaves_the_job_queue_out(tmp_path):
    # For load balancers: a stalled job queue is no reason to stop serving pages.
    app = build_app(make_config(tmp_path, NO_PROVIDER, JOBS_IMMEDIATE=False, REDIS_URL=None))
    jobs.refresh_stale()  # queued, and no consumer runs
    client = app.test_client()
    assert client.get("/health").status_code == 503
    web = client.get("/health/web")
    assert web.status_code == 200
    assert web.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}
    jobs.huey.flush()
