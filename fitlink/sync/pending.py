"""Bounded sync work: at most one queued sync per connection, and "Sync now" at most every 30 seconds.

A connection's queued sync is a row of `sync_requests`, kept in fitlink's
database rather than in Huey's storage: every statement here is one atomic
INSERT (an upsert), UPDATE or DELETE, the same on SQLite and PostgreSQL, so it works
whichever storage Huey uses (SQLite or Redis) and however many consumers run.

- `request` merges what a notification, a press or a retry asks for into the
  row in one statement (one commit: a webhook answers fast); only when there
  was none (or its job is due later and this is a press, or its job looks
  lost) does it hand out a token, and the caller queues one job carrying it.
- `take` is the job's first step: it removes the row if the row still names
  its token, so a request arriving after that queues the next sync.
- `press` lets one "Sync now" per person through every DEBOUNCE.
"""

import secrets
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import SyncRequest, User, now_utc
from ..sources import SYNCED

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
DEBOUNCE = timedelta(seconds=30)
# A queued job this late is taken to be lost (its queue flushed, say): the next request queues another.
ABANDONED = timedelta(minutes=10)


@dataclass(frozen=True)
class Wanted:
    """What a connection's next sync must do: the union of every request merged into it."""

    metrics: tuple[str, ...] = ()  # refresh these now, due or not
    everything: bool = False  # and continue everything else (refresh what is due, import history)
    manual: bool = False  # the person asked: the rate-limit reserve may be spent
    full: bool = False  # start the history import again from the beginning

    @classmethod
    def of(cls, *, manual: bool = False, full: bool = False, metrics: tuple[str, ...] | None = None) -> "Wanted":
        """Return what one request asks: `metrics` None means everything."""
        return cls(tuple(metrics or ()), metrics is None, manual, full)


def bits(metrics: tuple[str, ...]) -> int:
    """Return the bit set of the named metrics (SYNCED order; unknown names are ignored)."""
    return sum(1 << index for index, metric in enumerate(SYNCED) if metric in metrics)


def names(mask: int) -> tuple[str, ...]:
    """Return the metrics a bit set holds, in SYNCED order."""
    return tuple(metric for index, metric in enumerate(SYNCED) if mask & (1 << index))


def request(connection_id: int, wanted: Wanted, at: datetime | None = None) -> str | None:
    """Merge a request into the connection's queued sync (due at `at`, default now); commit.

    Return a token when a job carrying it must be queued (due at `at`); None
    when a queued job already covers the request.
    """
    now = now_utc()
    token = secrets.token_hex(16)
    try:
        # RETURNING gives the row's token after the statement: ours when it was inserted or taken over.
        current = db.session.execute(_merge(db.session.get_bind().dialect.name, wanted.manual), {
            "connection_id": connection_id, "metrics": bits(wanted.metrics), "everything": wanted.everything,
            "manual": wanted.manual, "full": wanted.full, "token": token, "run_at": at or now,
            "lost_before": now - ABANDONED,
        }).scalar_one()
        db.session.commit()
    except IntegrityError:  # the connection is gone
        db.session.rollback()
        return None
    return token if current == token else None


@cache
def _merge(dialect: str, manual: bool):
    """Build (once) the statement of `request`: an INSERT that merges into the connection's row when it exists.

    One statement, so one commit a request (a webhook answers sooner), and no
    window between two statements in which the job could take the row.
    """
    names = ("connection_id", "metrics", "everything", "manual", "full", "token", "run_at")
    insert = _INSERTS[dialect](SyncRequest).values({name: bindparam(name) for name in names})
    row, new = SyncRequest.__table__.c, insert.excluded
    # A press pulls a sync due later (after a rate limit) forward; a job this late is taken to be lost.
    takes_over = row.run_at < bindparam("lost_before")
    if manual:
        takes_over = or_(takes_over, row.run_at > new.run_at)
    return insert.on_conflict_do_update(index_elements=[row.connection_id], set_={
        "metrics": row.metrics.op("|")(new.metrics),
        **{name: or_(row[name], new[name]) for name in ("everything", "manual", "full")},
        "token": case((takes_over, new.token), else_=row.token),
        "run_at": case((takes_over, new.run_at), else_=row.run_at),
    }).returning(row.token)


def take(connection_id: int, token: str) -> Wanted | None:
    """Start the queued sync whose job holds token: remove it and return what it asks; commit.

    None: another job took it over, or it was merged and already run.
    """
    row = db.session.execute(
        delete(SyncRequest)
        .where(SyncRequest.connection_id == connection_id, SyncRequest.token == token)
        .returning(SyncRequest.metrics, SyncRequest.everything, SyncRequest.manual, SyncRequest.full)
    ).first()
    db.session.commit()
    if row is None:
        return None
    return Wanted(names(row.metrics), bool(row.everything), bool(row.manual), bool(row.full))


def press(user_id: int) -> bool:
    """Record a "Sync now" press and commit; False when the person pressed less than DEBOUNCE ago."""
    now = now_utc()
    counted = db.session.execute(
        update(User).where(User.id == user_id)
        .where(or_(User.sync_pressed_at.is_(None), User.sync_pressed_at <= now - DEBOUNCE))
        .values(sync_pressed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return counted == 1
