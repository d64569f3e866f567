"""Fitbit's userRevokedAccess notifications: act on the current grant's, ignore replays of old ones.

A notification is signed with the client secret alone (webhook.valid_signature):
the signature holds no time, so a captured one stays valid for ever and can be
posted again once the person has reconnected. What tells an old revocation from
a current one is its `date`: Fitbit's notifications carry ownerId, ownerType,
collectionType, subscriptionId and date, the person's local date of the change
(fitlink.builtin_services.fitbit.notify builds the same). The subscriptionId cannot tell
grants apart: fitlink does not choose one per connection. So each revocation is
placed against the day the current grant was made (Connection.created_at, set at
every connect by connections.save_connection, in the connection's time zone):

- the connection is already broken: a repeat; nothing to do;
- dated before the grant's day: it revoked an earlier grant; ignored;
- dated the grant's day, or undated: it may be hours older than the grant, so
  the provider decides: a sync of one metric; a revoked token answers 401 and
  the sync marks the connection broken (sync/engine.py);
- dated after the grant's day: this grant was revoked; the token is forgotten.
"""

import logging
from datetime import date, timezone

from .. import jobs
from ..connections import mark_broken
from ..dates import zone
from ..models import Connection

log = logging.getLogger(__name__)

# What the provider is asked when a revocation's date cannot place it: one cheap call.
CHECK_METRICS = ("steps",)


def notice_day(note: dict) -> date | None:
    """Return the local date a notification names, or None when it names none we can read."""
    try:
        return date.fromisoformat(note["date"]) if isinstance(note.get("date"), str) else None
    except ValueError:
        return None


def grant_day(connection: Connection) -> date:
    """Return the person's local date on which the connection's current grant was made."""
    made = connection.created_at
    if made.tzinfo is None:
        made = made.replace(tzinfo=timezone.utc)  # stored as naive UTC
    return made.astimezone(zone(connection.timezone)).date()


def act_on_revocation(connection: Connection, day: date | None) -> str:
    """Break the connection if the revocation dated `day` is its own; return what was done.

    One of "repeat", "old" (both ignored), "checking" (a sync asks the provider), "revoked".
    """
    if connection.broken_at is not None:
        return "repeat"
    granted = grant_day(connection)
    if day is not None and day < granted:
        log.info("webhook: revocation dated before connection %s was made; ignored", connection.id)
        return "old"
    if day is None or day == granted:
        log.info("webhook: revocation for connection %s may predate it; asking the provider", connection.id)
        jobs.enqueue_sync(connection.id, metrics=CHECK_METRICS)
        return "checking"
    log.info("webhook: user %s revoked access; token removed", connection.user_id)
    mark_broken(connection, forget_token=True)
    return "revoked"
