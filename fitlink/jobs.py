"""Background jobs on Huey: SQLite in instance/ by default, Redis at scale."""

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.consumer import Consumer
from huey.storage import RedisStorage, SqliteStorage

from . import sources
from .sync import sync_connection
from .sync.schedule import connections_due

log = logging.getLogger(__name__)

LOCKED_RETRY = timedelta(seconds=15)

# Storage is chosen by init_app from the configuration; tasks register here at import.
huey = Huey("fitlink", storage_class=SqliteStorage, filename=":memory:")
_bound = {"app": None, "consumer": None}
_consumer_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Point the job queue at the configured storage and remember the app for workers."""
    config = app.config
    if config["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": config["REDIS_URL"]}
    else:
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": config["HUEY_SQLITE_PATH"]}
    huey.immediate = bool(config.get("JOBS_IMMEDIATE"))  # tests: run each task when queued
    huey.storage = huey.create_storage()
    _bound["app"] = app
    if config.get("JOBS_IN_PROCESS") is None:
        config["JOBS_IN_PROCESS"] = not config["REDIS_URL"]
    if config["JOBS_IN_PROCESS"] and not huey.immediate:
        app.before_request(start_embedded_consumer)


class EmbeddedConsumer(Consumer):
    """A Huey consumer running in threads of the web process (signals stay with the server)."""

    def _set_signal_handlers(self):
        pass


def start_embedded_consumer() -> None:
    """Start the in-process consumer once, on the first request this process serves."""
    if _bound["consumer"] is not None:
        return
    with _consumer_lock:
        if _bound["consumer"] is None:
            consumer = EmbeddedConsumer(huey, workers=2, worker_type="thread", periodic=True)
            consumer.start()
            _bound["consumer"] = consumer
            log.info("embedded job consumer started")


def _in_app_context(func, *args, **kwargs):
    if has_app_context():
        return func(*args, **kwargs)
    with _bound["app"].app_context():
        return func(*args, **kwargs)


def enqueue_sync(connection_id: int, *, manual: bool = False, full: bool = False,
                 metrics: tuple[str, ...] | None = None) -> None:
    """Queue a sync of one connection's data (all metrics unless `metrics` narrows it)."""
    sync_task(connection_id, manual=manual, full=full, metrics=metrics)


@huey.task()
def sync_task(connection_id: int, manual: bool = False, full: bool = False, metrics=None):
    """Sync one connection, one run at a time per connection; come back later when locked or paused."""
    return _in_app_context(run_sync, connection_id, manual=manual, full=full, metrics=metrics)


def run_sync(connection_id: int, manual: bool = False, full: bool = False, metrics=None) -> str:
    """Sync the connection (one sync per connection at a time); return the outcome."""
    result = sync_connection(connection_id, full=full, manual=manual,
                             metrics=tuple(metrics) if metrics else None)
    log.info("connection %s: sync %s, %s calls, %s rows", connection_id, result.outcome, result.calls, result.rows)
    options = {"manual": manual, "full": full, "metrics": metrics}
    if result.outcome == "locked":
        # The running sync may have started before this data changed: run again after it.
        sync_task.schedule((connection_id,), options, delay=LOCKED_RETRY.seconds)
    elif result.outcome == "rate_limited" and result.retry_at is not None:
        sync_task.schedule((connection_id,), options, eta=result.retry_at)
    return result.outcome


@huey.periodic_task(crontab(minute="*/15"))
def refresh_stale():
    """Queue a sync for every connection whose data is stale or whose retry is due."""
    return _in_app_context(_refresh_stale)


def _refresh_stale() -> int:
    synced = [kind.name for kind in sources.kinds() if kind.open is not None]
    due = connections_due(timedelta(minutes=current_app.config["REFRESH_MINUTES"]), synced)
    for connection_id in due:
        sync_task(connection_id)
    return len(due)
