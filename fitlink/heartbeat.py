"""Job consumers' heartbeats, and what the job queue looks like to /health and the dashboard.

Every consumer process (`huey_consumer fitlink.worker.huey`, or the consumer
embedded in the web process) writes its row in `job_consumers` every
BEAT_SECONDS while its workers run; a consumer whose row is younger than
ALIVE_SECONDS is alive. The rows live in fitlink's database because every setup
has one, whether Huey queues on SQLite or on Redis; a killed consumer's row just
ages, and rows older than FORGET_AFTER are deleted.

Huey's queue messages carry no enqueue time, so a signal handler keeps one per
queued task in Huey's own key-value store and drops it when the task leaves the
queue; the oldest queued job is the next one Huey will dequeue.
"""

import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask
from huey import Huey
from huey import signals as S
from redis.exceptions import RedisError
from sqlalchemy import String, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models import now_utc

log = logging.getLogger(__name__)

BEAT_SECONDS = 10
ALIVE_SECONDS = 60
FORGET_AFTER = timedelta(days=1)
# Due scheduled tasks counted per look (the schedule is read in eta order).
SCHEDULE_SCAN = 100
ENQUEUED_KEY = "fitlink:enqueued:{}"
# What reading the queue's storage or the database may raise.
QUEUE_ERRORS = (RedisError, sqlite3.Error, SQLAlchemyError)

_huey: dict[str, Huey] = {}  # the queue init_app was given


class JobConsumer(db.Model):
    """One job consumer process and when it last said it was alive."""

    __tablename__ = "job_consumers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]


@dataclass(frozen=True)
class QueueStatus:
    """Consumers alive, jobs waiting to run, and how long the oldest has waited (None: unknown)."""

    consumers: int
    queued: int
    oldest_queued_seconds: float | None

    @property
    def stalled(self) -> bool:
        """Whether jobs are waiting and no consumer is alive to run them."""
        return self.queued > 0 and self.consumers == 0


class Heartbeat:
    """This process's consumer row, written every BEAT_SECONDS while any of its workers runs."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.consumer_id = ""
        self._workers = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def worker_started(self) -> None:
        """Count a started worker; the first one starts the beat (Huey's startup hook)."""
        with self._lock:
            self._workers += 1
            if self._workers > 1:
                return
            # A new id per start: the row of a consumer that was killed stays its own.
            self.consumer_id = f"{socket.gethostname()[:60]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self._stopped.clear()
            self.beat(started=True)
            self._thread = threading.Thread(target=self._run, name="fitlink-heartbeat", daemon=True)
            self._thread.start()

    def worker_stopped(self) -> None:
        """Count a stopped worker; the last one stops the beat and removes the row (shutdown hook)."""
        with self._lock:
            self._workers = max(self._workers - 1, 0)
            if self._workers or self._thread is None:
                return
            self._stopped.set()
            self._thread.join()
            self._thread = None
            self._write(lambda: db.session.execute(delete(JobConsumer).where(JobConsumer.id == self.consumer_id)))
            log.info("job consumer %s stopped", self.consumer_id)

    def _run(self) -> None:
        while not self._stopped.wait(BEAT_SECONDS):
            self.beat()

    def beat(self, started: bool = False) -> None:
        """Write this consumer's row now, and forget consumers silent for FORGET_AFTER."""
        def write():
            now = now_utc()
            row = db.session.get(JobConsumer, self.consumer_id)
            if row is None:
                row = JobConsumer(id=self.consumer_id, host=socket.gethostname()[:255],
                                  pid=os.getpid(), started_at=now, beat_at=now)
                db.session.add(row)
            row.beat_at = now
            db.session.execute(delete(JobConsumer).where(JobConsumer.beat_at < now - FORGET_AFTER))

        if self._write(write) and started:
            log.info("job consumer %s started", self.consumer_id)

    def _write(self, change) -> bool:
        """Run change() in a transaction of its own; log and carry on when the database fails."""
        if self.app is None:
            return False
        with self.app.app_context():
            try:
                change()
                db.session.commit()
                return True
            except SQLAlchemyError as err:
                # The next beat tries again; /health reports the consumer dead meanwhile.
                db.session.rollback()
                log.warning("job consumer heartbeat failed: %s", type(err).__name__)
                return False
            finally:
                db.session.remove()


heartbeat = Heartbeat()


def init_app(app: Flask, huey: Huey) -> None:
    """Make every consumer of huey beat while it runs, and note when each task is queued."""
    heartbeat.app = app
    huey.on_startup(name="fitlink-heartbeat")(heartbeat.worker_started)
    huey.on_shutdown(name="fitlink-heartbeat")(heartbeat.worker_stopped)
    for receiver in (_note_enqueued, _forget_enqueued):
        huey.disconnect_signal(receiver)  # one connection each, however many apps are built
    huey.signal(S.SIGNAL_ENQUEUED)(_note_enqueued)
    # A task leaves the queue to run, to be dropped, or to wait in the schedule for its eta.
    huey.signal(S.SIGNAL_EXECUTING, S.SIGNAL_REVOKED, S.SIGNAL_EXPIRED, S.SIGNAL_SCHEDULED)(_forget_enqueued)
    _huey["instance"] = huey


def _note_enqueued(signal, task) -> None:
    _huey["instance"].put(ENQUEUED_KEY.format(task.id), time.time())


def _forget_enqueued(signal, task) -> None:
    _huey["instance"].delete(ENQUEUED_KEY.format(task.id))


def consumers_alive() -> int:
    """Return how many consumers wrote a heartbeat in the last ALIVE_SECONDS."""
    since = now_utc() - timedelta(seconds=ALIVE_SECONDS)
    return db.session.scalar(select(func.count()).select_from(JobConsumer).where(JobConsumer.beat_at >= since))


def queue_status() -> QueueStatus:
    """Return consumers alive, jobs queued (pending plus scheduled and due) and the oldest's wait.

    Raises one of QUEUE_ERRORS when the queue or the database cannot be read.
    """
    huey = _huey["instance"]
    now = time.time()
    waits = []
    oldest = huey.pending(limit=1)  # the next task Huey dequeues: the oldest (no priorities)
    if oldest:
        enqueued_at = huey.get(ENQUEUED_KEY.format(oldest[0].id), peek=True)
        if enqueued_at is not None:  # None: queued before this bookkeeping existed
            waits.append(now - enqueued_at)
    due = [eta for eta in (_timestamp(task.eta) for task in huey.scheduled(limit=SCHEDULE_SCAN))
           if eta is not None and eta <= now]
    if due:
        # A due task waits in the schedule only while no consumer's scheduler runs.
        waits.append(now - min(due))
    return QueueStatus(
        consumers=consumers_alive(),
        queued=huey.pending_count() + len(due),
        oldest_queued_seconds=round(max(max(waits), 0), 1) if waits else None,
    )


def _timestamp(eta: datetime | None) -> float | None:
    """Return a task's eta as a Unix time (Huey keeps naive UTC times)."""
    if eta is None:
        return None
    return (eta if eta.tzinfo else eta.replace(tzinfo=timezone.utc)).timestamp()


def waiting_for_worker() -> bool:
    """Return whether jobs are queued and no job consumer is alive to run them (False if unknown)."""
    try:
        return _huey["instance"].pending_count() > 0 and consumers_alive() == 0
    except QUEUE_ERRORS as err:
        log.warning("job queue status unavailable: %s", type(err).__name__)
        return False
