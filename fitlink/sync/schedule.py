"""Which connections the periodic job should sync."""

from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select

from ..extensions import db
from ..models import Connection, SyncState, now_utc


def connections_due(stale_after: timedelta, providers: list[str]) -> list[int]:
    """Return the ids of connections to sync now, among those of the given (synced) providers.

    Due: not waiting for a retry time, and never synced, stale (no success
    within stale_after) or with a history import left unfinished, as one
    stopped by a restart is.
    """
    now = now_utc()
    per_connection = (
        select(
            SyncState.connection_id,
            func.max(SyncState.last_success).label("last_success"),
            func.max(SyncState.next_attempt).label("next_attempt"),
            func.min(case((SyncState.backfill_done, 1), else_=0)).label("imported"),
        )
        .group_by(SyncState.connection_id)
        .subquery()
    )
    query = (
        select(Connection.id)
        .outerjoin(per_connection, per_connection.c.connection_id == Connection.id)
        .where(Connection.broken_at.is_(None), Connection.provider.in_(providers))
        .where(
            and_(
                or_(per_connection.c.next_attempt.is_(None), per_connection.c.next_attempt <= now),
                or_(per_connection.c.last_success.is_(None), per_connection.c.imported == 0,
                    per_connection.c.last_success < now - stale_after),
            )
        )
    )
    return list(db.session.execute(query).scalars())
