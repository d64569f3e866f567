"""GET /health: whether this process can reach its database and Redis, for load balancers."""

import logging

from flask import Blueprint, Flask, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Answer 200 when every configured backend answers, else 503 naming the ones that failed."""
    checks = {"database": check_database(), "redis": check_redis()}
    healthy = all(result in ("ok", "not configured") for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
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


def init_app(app: Flask) -> None:
    """Register /health, with a Redis client of its own when Redis is configured."""
    if app.config["REDIS_URL"]:
        app.extensions["health_redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2
        )
    app.register_blueprint(bp)
