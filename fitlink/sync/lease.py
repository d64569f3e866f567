"""One sync per user at a time: a lease on the user's Fitbit link that expires by itself.

The lease is a timestamp taken with one conditional UPDATE, atomic on SQLite and
PostgreSQL alike. A sync renews it as it commits each range; a worker killed
mid-sync leaves a lease that simply runs out, so nothing needs releasing by hand.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..models import OAuth, now_utc


def lease_expiry() -> datetime:
    """Return when a lease taken or renewed now runs out."""
    return now_utc() + timedelta(seconds=current_app.config["SYNC_LEASE_SECONDS"])


def acquire(user_id: int) -> bool:
    """Take the user's sync lease if nobody holds it; commit and say whether it was taken."""
    now = now_utc()
    taken = db.session.execute(
        update(OAuth)
        .where(OAuth.user_id == user_id)
        .where(or_(OAuth.sync_lease_until.is_(None), OAuth.sync_lease_until < now))
        .values(sync_lease_until=lease_expiry())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def renew(user_id: int) -> bool:
    """Extend the lease in the current transaction; False when the link is gone (disconnected)."""
    return db.session.execute(
        update(OAuth).where(OAuth.user_id == user_id).values(sync_lease_until=lease_expiry())
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def release(user_id: int) -> None:
    """Give the lease back (whatever the sync's transaction did) and commit."""
    db.session.rollback()
    db.session.execute(
        update(OAuth).where(OAuth.user_id == user_id).values(sync_lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
