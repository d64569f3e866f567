"""GET /health: whether this process reaches its database and Redis, and whether queued jobs get run.

GET /health/web checks only what this web process needs to serve pages: a load
balancer that takes servers out on 503 should poll it, since dead job consumers
are no reason to stop serving (monitoring polls /health).
"""

import logging

from flask import Blueprint, Flask, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import heartbeat
from .extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Answer 200 when every configured backend answers and queued jobs have a consumer, else 503
    naming the checks that failed; `jobs` gives consumers alive, jobs queued and the oldest's wait."""
    checks = {"database": check_database(), "redis": check_redis()}
    checks["jobs"], jobs = check_jobs()
    return answer(checks, jobs=jobs)


@bp.get("/health/web")
def health_web():
    """Answer 200 when the database and Redis answer, else 503 naming the one that failed."""
    return answer({"database": check_database(), "redis": check_redis()})


def answer(checks: dict[str, str], **details):
    """Return the health body and 200 when every check passed, 503 otherwise."""
    healthy = all(result in ("ok", "not configured") for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks, **details}
    return jsonify(body), 200 if healthy else 503


def check_database() -> str:
    """Return "ok", or what went wrong running SELECT 1."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as err:
        log.warning("health: database check failed: %s", err)
        return f"failed: {type(err).__name__}"
    finally:
        db.session.rollback()


def check_redis() -> str:
    """Return "ok", "not configured", or what went wrong with PING."""
    client = current_app.extensions.get("health_redis")
    if client is None:
        return "not configured"
    try:
        client.ping()
        return "ok"
    except RedisError as err:
        log.warning("health: redis check failed: %s", err)
        return f"failed: {type(err).__name__}"


def check_jobs() -> tuple[str, dict | None]:
    """Return "ok", "stalled: ..." or what went wrong reading the queue, and the queue's numbers."""
    try:
        status = heartbeat.queue_status()
    except heartbeat.QUEUE_ERRORS as err:
        log.warning("health: job queue check failed: %s", err)
        return f"failed: {type(err).__name__}", None
    finally:
        db.session.rollback()
    jobs = {"consumers": status.consumers, "queued": status.queued,
            "oldest_queued_seconds": status.oldest_queued_seconds}
    if status.stalled:
        log.warning("health: %s jobs queued and no job consumer alive", status.queued)
        return f"stalled: jobs queued and no consumer alive for {heartbeat.ALIVE_SECONDS} s", jobs
    return "ok", jobs


def init_app(app: Flask) -> None:
    """Register /health, with a Redis client of its own when Redis is configured."""
    if app.config["REDIS_URL"]:
        app.extensions["health_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2
        )
    app.register_blueprint(bp)
