"""Bounded sync work: at most one queued sync per connection, and "Sync now" at most every 30 seconds.

A connection's queued sync is a row of `sync_requests`, kept in fitlink's
database rather than in Huey's storage: every statement here is one atomic
INSERT, UPDATE or DELETE, the same on SQLite and PostgreSQL, so it works
whichever storage Huey uses (SQLite or Redis) and however many consumers run.

- `request` merges what a notification, a press or a retry asks for into the
  row; only when there was none (or its job is due later and this is a press,
  or its job looks lost) does it hand out a token, and the caller queues one
  job carrying it.
- `take` is the job's first step: it removes the row if the row still names
  its token, so a request arriving after that queues the next sync.
- `press` lets one "Sync now" per person through every DEBOUNCE.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
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
    at = at or now
    mask = bits(wanted.metrics)
    merged = {"metrics": SyncRequest.metrics.op("|")(mask)}
    merged.update({name: True for name in ("everything", "manual", "full") if getattr(wanted, name)})
    # A press pulls a sync due later (after a rate limit) forward; a job this late is taken to be lost.
    takes_over = SyncRequest.run_at < now - ABANDONED
    if wanted.manual:
        takes_over = or_(takes_over, SyncRequest.run_at > at)
    insert = _INSERTS[db.session.get_bind().dialect.name]
    for _ in range(3):  # the row was taken between two statements: start over
        token = secrets.token_hex(16)
        try:
            # RETURNING tells whether the row was inserted (psycopg's rowcount is -1 on a skipped conflict).
            created = db.session.execute(insert(SyncRequest).values(
                connection_id=connection_id, metrics=mask, everything=wanted.everything, manual=wanted.manual,
                full=wanted.full, token=token, run_at=at).on_conflict_do_nothing()
                .returning(SyncRequest.connection_id)).first() is not None
            db.session.commit()
        except IntegrityError:  # the connection is gone
            db.session.rollback()
            return None
        if created:
            return token
        if _update(connection_id, {**merged, "token": token, "run_at": at}, takes_over):
            return token
        if _update(connection_id, merged):
            return None
    return None


def _update(connection_id: int, values: dict, condition=None) -> bool:
    statement = update(SyncRequest).where(SyncRequest.connection_id == connection_id).values(**values)
    if condition is not None:
        statement = statement.where(condition)
    changed = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed == 1


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
