"""Delete an account and everything fitlink holds on the person."""

import logging

from flask import current_app
from sqlalchemy import delete, select

from .. import sources
from ..extensions import db
from ..models import OAuth, User

log = logging.getLogger(__name__)


def delete_account(user_id: int) -> None:
    """Revoke each connection's grant (best effort), then delete the user and, by cascade, all their rows.

    Every table that holds the person's data references users.id with ON DELETE
    CASCADE, so one DELETE removes it all in one transaction, including rows a
    sync job running at the same moment has just written.
    """
    connections = db.session.execute(select(OAuth).filter_by(user_id=user_id)).scalars().all()
    for connection in connections:
        revoke_quietly(connection)
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()


def revoke_quietly(connection: OAuth) -> None:
    """Ask the connection's provider to forget the grant; log failures, never raise."""
    kind = _kind(connection.provider)
    if kind is None or kind.revoke is None:
        return
    try:
        kind.revoke(connection)
    except Exception as err:  # a provider's failure must never keep a person's data here
        db.session.rollback()
        log.warning("delete account: revoking %s connection %s failed: %s: %s",
                    connection.provider, connection.id, type(err).__name__, err)


def _kind(name: str) -> sources.SourceKind | None:
    # An app that registered no sources has nothing to revoke.
    if sources.registry.EXTENSION not in current_app.extensions:
        return None
    return sources.get(name)
