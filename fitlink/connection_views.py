"""Sync now and Disconnect, the same for every kind of source (blueprint "connections")."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from . import jobs, sources
from .connections import connection_for, connections_of, remove_connection, revoke
from .extensions import db
from .sync import pending

bp = Blueprint("connections", __name__)


@bp.post("/sync")
@login_required
def sync_now():
    """Ask for a sync of every connected source of the current person now."""
    synced = [c.id for c in connections_of(current_user.id)
              if c.broken_at is None and (kind := sources.get(c.provider)) and kind.open]
    if not synced:
        return redirect(url_for("dashboard.index"))
    # One press per person counts every 30 seconds: more would only queue the same work again.
    if not pending.press(current_user.id):
        flash(f"You already asked for a sync less than {pending.DEBOUNCE.seconds} seconds ago, so nothing new "
              "was queued. New data appears here in a moment.", "info")
        return redirect(url_for("dashboard.index"))
    for connection_id in synced:
        jobs.enqueue_sync(connection_id, manual=True)
    flash("Sync requested. New data appears here in a moment.", "info")
    return redirect(url_for("dashboard.index"))


@bp.post("/connections/<source>/disconnect")
@login_required
def disconnect(source: str):
    """Remove one connection: its token, and the data that came from it."""
    kind = sources.get(source)
    connection = connection_for(current_user.id, source) if kind else None
    if connection is None:
        abort(404)
    revoked = revoke(connection)
    remove_connection(connection)
    db.session.commit()
    flash(f"{kind.label} is disconnected, and the data fitlink had from it is deleted.", "info")
    if not revoked:
        flash(f"{kind.label} did not confirm that it ended fitlink's access. You can remove fitlink "
              f"in your {kind.label} account's security settings.", "error")
    return redirect(url_for("dashboard.index"))
