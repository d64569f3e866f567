"""Background jobs on Huey: SQLite in instance/ by default, Redis at scale."""

import logging
import threading
from datetime import datetime, timedelta

import click
from flask import Flask, current_app, has_app_context
from flask.cli import get_debug_flag
from huey import Huey, crontab
from huey.consumer import Consumer
from huey.storage import RedisStorage, SqliteStorage
from werkzeug.serving import is_running_from_reloader

from . import heartbeat, sources
from .models import now_utc
from .sync import pending, sync_connection
from .sync.pending import Wanted
from .sync.schedule import connections_due

log = logging.getLogger(__name__)

LOCKED_RETRY = timedelta(seconds=15)


class SqliteQueue(SqliteStorage):
    """Huey's SQLite storage, synced to disk as fitlink's database is (database.py): WAL, synchronous=NORMAL.

    Huey leaves SQLite's default, FULL, which waits for the disk at every
    commit: two waits for each queued job (the job, and its enqueue time for
    the heartbeat), in the webhook's answer. With WAL, NORMAL loses no committed
    job on a crash, only on power loss, and a lost sync job is queued again by
    the next request for it (sync/pending.py: ABANDONED) or the periodic refresh.
    """

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


# Storage is chosen by init_app from the configuration; tasks register here at import.
huey = Huey("fitlink", storage_class=SqliteQueue, filename=":memory:")
_bound = {"app": None, "consumer": None}
_consumer_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Point the job queue at the configured storage and remember the app for workers."""
    config = app.config
    if config["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": config["REDIS_URL"]}
    else:
        huey.storage_class, huey.storage_kwargs = SqliteQueue, {"filename": config["HUEY_SQLITE_PATH"]}
    huey.immediate = bool(config.get("JOBS_IMMEDIATE"))  # tests: run each task when queued
    huey.storage = huey.create_storage()
    _bound["app"] = app
    heartbeat.init_app(app, huey)
    # Jobs run in this process unless separate consumers run them (gunicorn.conf.py says so).
    if config["JOBS_IN_PROCESS"] and not huey.immediate:
        app.before_request(start_embedded_consumer)


def start_if_flask_run(app: Flask) -> None:
    """Start the in-process consumer now if this process serves `flask run` (last step of create_app).

    Not waiting for the first request means an idle server still runs queued and periodic jobs.
    """
    if app.config["JOBS_IN_PROCESS"] and not huey.immediate and _serving_with_flask_run():
        start_embedded_consumer()


def _serving_with_flask_run() -> bool:
    """Whether this process is the one `flask run` serves from (not another command, not the reloader's watcher)."""
    command = click.get_current_context(silent=True)
    if command is None or command.info_name != "run":
        return False
    reload = command.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return not reload or is_running_from_reloader()


class EmbeddedConsumer(Consumer):
    """A Huey consumer running in threads of the web process (signals stay with the server)."""

    def _set_signal_handlers(self):
        pass


def start_embedded_consumer() -> None:
    """Start the in-process consumer once (at `flask run`'s start, else on the first request)."""
    if _bound["consumer"] is not None:
        return
    with _consumer_lock:
        if _bound["consumer"] is None:
            # An idle consumer polls at most a second apart (Huey's default backs off to 10 s),
            # so an import starts within a second of Allow.
            consumer = EmbeddedConsumer(huey, workers=2, worker_type="thread", periodic=True, max_delay=1.0)
            consumer.start()
            _bound["consumer"] = consumer
            log.info("embedded job consumer started")
            refresh_stale()  # catch up after a stop, as fitlink.worker does


def stop_embedded_consumer() -> None:
    """Stop the in-process consumer, letting running jobs finish (tests that serve several apps)."""
    with _consumer_lock:
        consumer, _bound["consumer"] = _bound["consumer"], None
    if consumer is not None:
        consumer.stop(graceful=True)


def _in_app_context(func, *args, **kwargs):
    if has_app_context():
        return func(*args, **kwargs)
    with _bound["app"].app_context():
        return func(*args, **kwargs)


def enqueue_sync(connection_id: int, *, manual: bool = False, full: bool = False,
                 metrics: tuple[str, ...] | None = None) -> bool:
    """Ask for a sync of one connection's data (all metrics unless `metrics` narrows it).

    At most one sync per connection waits in the queue: a request made while
    one waits merges into it (sync/pending.py). Return whether a job was queued.
    """
    wanted = Wanted.of(manual=manual, full=full, metrics=metrics)
    return _queue(connection_id, pending.request(connection_id, wanted))


def _queue(connection_id: int, token: str | None, at: datetime | None = None) -> bool:
    if token is None:
        return False
    if at is None:
        sync_task(connection_id, token)
    else:
        sync_task.schedule((connection_id, token), eta=at)
    return True


@huey.task()
def sync_task(connection_id: int, token: str):
    """Start the connection's queued sync if this job still holds it; run it, and come back later if need be."""
    return _in_app_context(_start, connection_id, token)


def _start(connection_id: int, token: str) -> str:
    wanted = pending.take(connection_id, token)
    if wanted is None:
        return "merged"  # another job took this sync over
    return run_sync(connection_id, wanted)


def run_sync(connection_id: int, wanted: Wanted = Wanted(everything=True)) -> str:
    """Sync what `wanted` asks (one sync per connection at a time); return the outcome.

    Its metrics are refreshed first, due or not; then, when it asks for
    everything, the rest as far as it is due. A sync that found the connection
    locked or rate-limited queues one retry of what was left, merged like any request.
    """
    outcome = "complete"
    if wanted.metrics or wanted.full:
        outcome = _run(connection_id, wanted, metrics=None if wanted.full else wanted.metrics)
    if wanted.everything and not wanted.full and outcome in ("complete", "errors"):
        outcome = _run(connection_id, Wanted(everything=True, manual=wanted.manual), metrics=None)
    return outcome


def _run(connection_id: int, wanted: Wanted, metrics: tuple[str, ...] | None) -> str:
    result = sync_connection(connection_id, full=wanted.full, manual=wanted.manual, metrics=metrics)
    log.info("connection %s: sync %s, %s calls, %s rows", connection_id, result.outcome, result.calls, result.rows)
    if result.outcome == "locked":
        # The running sync may have started before this data changed: run again after it.
        retry_at = now_utc() + LOCKED_RETRY
    elif result.outcome == "rate_limited" and result.retry_at is not None:
        retry_at = result.retry_at
    else:
        return result.outcome
    _queue(connection_id, pending.request(connection_id, wanted, at=retry_at), retry_at)
    return result.outcome


@huey.periodic_task(crontab(minute="*/15"))
def refresh_stale():
    """Queue a sync for every connection whose data is stale or whose retry is due."""
    return _in_app_context(_refresh_stale)


def _refresh_stale() -> int:
    synced = sources.live_names()
    due = connections_due(timedelta(minutes=current_app.config["REFRESH_MINUTES"]), synced)
    for connection_id in due:
        enqueue_sync(connection_id)
    return len(due)
