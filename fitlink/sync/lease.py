"""One sync per connection at a time: a lease on the connection row that expires by itself.

The lease is an expiry time and an owner token, taken with one conditional
UPDATE, atomic on SQLite and PostgreSQL alike. Only its owner renews or
releases it; the sync renews it on every attempt, failed or not, and stops when
it is lost. A worker killed mid-sync leaves a lease that simply runs out.
"""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..models import Connection, now_utc


def lease_expiry() -> datetime:
    """Return when a lease taken or renewed now runs out."""
    return now_utc() + timedelta(seconds=current_app.config["SYNC_LEASE_SECONDS"])


def acquire(connection_id: int) -> str | None:
    """Take the connection's sync lease if nobody holds it; commit; return the owner token or None."""
    owner = secrets.token_hex(16)
    now = now_utc()
    taken = db.session.execute(
        update(Connection)
        .where(Connection.id == connection_id)
        .where(or_(Connection.sync_lease_until.is_(None), Connection.sync_lease_until < now))
        .values(sync_lease_until=lease_expiry(), sync_lease_owner=owner)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return owner if taken == 1 else None


def renew(connection_id: int, owner: str) -> bool:
    """Extend the lease in the current transaction; False when it is no longer ours (or the connection is gone)."""
    return db.session.execute(
        update(Connection).where(Connection.id == connection_id, Connection.sync_lease_owner == owner)
        .values(sync_lease_until=lease_expiry())
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def release(connection_id: int, owner: str) -> None:
    """Give the lease back if we still hold it (whatever the sync's transaction did) and commit."""
    db.session.rollback()
    db.session.execute(
        update(Connection).where(Connection.id == connection_id, Connection.sync_lease_owner == owner)
        .values(sync_lease_until=None, sync_lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
