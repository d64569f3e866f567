"""What a webhook does once it has read a notification: find the connections named, queue their syncs.

A source's webhook checks the request and reads which of its accounts changed
what (its owner look-up: an id the provider uses for the account, stored as
the connection's provider_user_id); the rest is the same for every source.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import select

from . import jobs
from .extensions import db
from .models import Connection


def connections_of(provider: str, account_ids: Iterable[str]) -> list[Connection]:
    """Return the connections that hold these accounts of one source (one query)."""
    return list(db.session.execute(
        select(Connection).where(Connection.provider == provider, Connection.provider_user_id.in_(list(account_ids)))
    ).scalars())


def queue_syncs(provider: str, changed: Mapping[str, tuple[str, ...] | None]) -> int:
    """Queue one sync per connected, unbroken account named (account id -> metrics, None: all); return how many.

    An account named with no metrics (a change to data fitlink does not keep) queues nothing.
    A repeated notification merges into the sync already queued (jobs.enqueue_sync).
    """
    wanted = {account: metrics for account, metrics in changed.items() if metrics != ()}
    if not wanted:
        return 0
    # Two columns, not whole rows: no token to decrypt while the provider waits for the answer.
    found = db.session.execute(
        select(Connection.id, Connection.provider_user_id).where(
            Connection.provider == provider, Connection.provider_user_id.in_(list(wanted)), Connection.broken_at.is_(None))
    ).all()
    for connection_id, account in found:
        jobs.enqueue_sync(connection_id, metrics=wanted[account])
    return len(found)
