"""Which users the periodic job should sync."""

from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select

from ..extensions import db
from ..models import OAuth, SyncState, now_utc


def users_due(stale_after: timedelta) -> list[int]:
    """Return connected users to sync now.

    Due: never synced; or not waiting for a retry time and either stale (no
    success within stale_after) or with a history import left unfinished, as
    one stopped by a restart is.
    """
    now = now_utc()
    per_user = (
        select(
            SyncState.user_id,
            func.max(SyncState.last_success).label("last_success"),
            func.max(SyncState.next_attempt).label("next_attempt"),
            func.min(case((SyncState.backfill_done, 1), else_=0)).label("imported"),
        )
        .group_by(SyncState.user_id)
        .subquery()
    )
    query = (
        select(OAuth.user_id)
        .outerjoin(per_user, per_user.c.user_id == OAuth.user_id)
        .where(OAuth.broken_at.is_(None))
        .where(
            or_(
                per_user.c.last_success.is_(None),
                and_(
                    or_(per_user.c.next_attempt.is_(None), per_user.c.next_attempt <= now),
                    or_(per_user.c.imported == 0, per_user.c.last_success < now - stale_after),
                ),
            )
        )
    )
    return list(db.session.execute(query).scalars())
