"""Connect and disconnect views, and what happens when Fitbit authorizes fitlink."""

import logging

from flask import flash, redirect, url_for
from flask_dance.consumer import oauth_authorized
from flask_login import current_user, login_required

from .. import jobs
from ..dates import local_today
from ..extensions import db
from .blueprint import blueprint
from .client import FitbitError
from .link import AlreadyLinked, remove_link, save_link, source_for

log = logging.getLogger(__name__)


@oauth_authorized.connect_via(blueprint)
def fitbit_authorized(bp, token):
    """Fetch the profile, store the link, start the import; tell Flask-Dance not to store the token."""
    source = source_for(token)
    try:
        profile = source.profile()
    except FitbitError as err:
        log.warning("Fitbit profile fetch after authorization failed: %s", err)
        flash("Fitbit authorized fitlink but then failed to answer. Nothing was connected; please try again.", "error")
        return False
    try:
        goals = source.goals(local_today(profile.timezone))
    except FitbitError as err:
        # Goals only decorate the dashboard; connecting must not depend on them.
        log.info("Fitbit daily goals unavailable: %s", err)
        goals = None
    try:
        save_link(current_user, token, profile, goals)
    except AlreadyLinked:
        flash("That Fitbit account is already connected to another fitlink account.", "error")
        return False
    flash(f"Connected to Fitbit as {profile.display_name or profile.user_id}. Importing your data now.", "success")
    jobs.enqueue_sync(current_user.id)
    return False


@blueprint.post("/fitbit/disconnect")
@login_required
def disconnect():
    """Remove the Fitbit token and everything synced from it."""
    remove_link(current_user.id)
    db.session.commit()
    flash("Fitbit is disconnected, and the data fitlink had synced from it is deleted.", "info")
    return redirect(url_for("dashboard.index"))


@blueprint.post("/fitbit/sync")
@login_required
def sync_now():
    """Ask for a sync of the current user's data now."""
    jobs.enqueue_sync(current_user.id, manual=True)
    flash("Sync requested. New data appears here in a moment.", "info")
    return redirect(url_for("dashboard.index"))
