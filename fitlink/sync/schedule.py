"""Which users the periodic job should sync."""

from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import OAuth, SyncState, now_utc


def users_due(stale_after: timedelta) -> list[int]:
    """Return connected users not synced within stale_after, or whose retry time has come."""
    now = now_utc()
    per_user = (
        select(
            SyncState.user_id,
            func.max(SyncState.last_success).label("last_success"),
            func.max(SyncState.next_attempt).label("next_attempt"),
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
                    per_user.c.last_success < now - stale_after,
                    or_(per_user.c.next_attempt.is_(None), per_user.c.next_attempt <= now),
                ),
                per_user.c.next_attempt <= now,
            )
        )
    )
    return list(db.session.execute(query).scalars())
