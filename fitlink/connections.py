"""A person's connections to sources: look up, store, refresh, break and remove; no request or current_user here."""

import logging

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from . import sources
from .extensions import db
from .models import Connection, SyncState, User, now_utc
from .sources import Profile
from .sync.store import remove_source_rows


log = logging.getLogger(__name__)


class AlreadyLinked(Exception):
    """The provider account is connected to another fitlink user."""


def connection_for(user_id: int, source: str) -> Connection | None:
    """Return the person's connection to one source (by its name), if any."""
    return db.session.execute(
        select(Connection).filter_by(provider=source, user_id=user_id)
    ).scalar_one_or_none()


def connections_of(user_id: int) -> list[Connection]:
    """Return all of the person's connections, oldest first."""
    return list(db.session.execute(select(Connection).filter_by(user_id=user_id).order_by(Connection.id)).scalars())


def owner_of(source: str, provider_user_id: str) -> Connection | None:
    """Return the connection that holds an account at a source, if any."""
    return db.session.execute(
        select(Connection).filter_by(provider=source, provider_user_id=provider_user_id)
    ).scalar_one_or_none()


def save_connection(user: User, source: str, token: dict, profile: Profile,
                    goals: dict | None = None) -> Connection:
    """Store the token and profile on the person's connection; raise AlreadyLinked if another user owns it.

    Connecting a different account of the same source replaces the old
    connection and the data that came from it.
    """
    owner = owner_of(source, profile.user_id)
    if owner is not None and owner.user_id != user.id:
        raise AlreadyLinked(profile.user_id)
    connection = connection_for(user.id, source)
    if connection is not None and connection.provider_user_id != profile.user_id:
        remove_connection(connection)
        connection = None
    if connection is None:
        connection = Connection(provider=source, user_id=user.id)
        db.session.add(connection)
    connection.token = token
    connection.provider_user_id = profile.user_id
    connection.display_name = profile.display_name
    connection.timezone = profile.timezone
    connection.member_since = profile.member_since
    connection.distance_unit = profile.distance_unit
    connection.weight_unit = profile.weight_unit
    connection.goals = goals or connection.goals
    connection.broken_at = None
    # When this grant was made (naive UTC, the mixin's column): a Fitbit revocation dated
    # before it revoked an earlier grant and is ignored (fitbit/revocations.py).
    connection.created_at = now_utc().replace(tzinfo=None)
    db.session.commit()
    return connection


def remove_connection(connection: Connection) -> None:
    """Delete the connection, its sync state and the data that came only from it (not committed)."""
    remove_source_rows(connection.user_id, connection.provider)
    db.session.execute(delete(SyncState).where(SyncState.connection_id == connection.id))
    db.session.execute(delete(Connection).where(Connection.id == connection.id))


def revoke(connection: Connection) -> bool:
    """Ask the connection's provider to forget its grant, where it offers that; never raise.

    Return False when the provider did not confirm (it failed, or answered no).
    """
    kind = sources.get(connection.provider)
    if kind is None or kind.revoke is None or not connection.token:
        return True
    try:
        return bool(kind.revoke(connection))
    except Exception as err:  # noqa: BLE001 (a provider's failure must never keep a person's data here)
        db.session.rollback()
        log.warning("revoking the %s grant of connection %s failed: %s", connection.provider, connection.id,
                    type(err).__name__)
        return False


def store_refreshed_token(connection: Connection, token: dict) -> None:
    """Keep a refreshed OAuth 2.0 token, and commit it now: a rotated refresh token replaces the old one."""
    old = connection.token or {}
    if not token.get("refresh_token") and old.get("refresh_token"):
        token = {**token, "refresh_token": old["refresh_token"]}
    connection.token = dict(token)
    try:
        db.session.commit()
    except SQLAlchemyError as err:
        # The connection may have been removed meanwhile (Disconnect); the sync stops on its own.
        db.session.rollback()
        log.warning("connection %s: refreshed %s token not stored: %s",
                    connection.id, connection.provider, type(err).__name__)


def mark_broken(connection: Connection, forget_token: bool = False) -> None:
    """Record that the provider no longer accepts the grant; keep the synced data (committed)."""
    if forget_token:
        connection.token = {}
    connection.broken_at = now_utc()
    db.session.commit()
