"""What happens when Fitbit authorizes fitlink: fetch the profile, store the connection, queue the import."""

import logging

from flask import flash
from flask_dance.consumer import oauth_authorized
from flask_login import current_user

from .. import jobs
from ..connections import AlreadyLinked, save_connection
from ..dates import local_today
from ..sources import SourceError, describe
from .blueprint import blueprint
from .connection import PROVIDER, source_for

log = logging.getLogger(__name__)


@oauth_authorized.connect_via(blueprint)
def fitbit_authorized(bp, token):
    """Fetch the profile, store the connection, start the import; tell Flask-Dance not to store the token."""
    source = source_for(token)
    try:
        profile = source.profile()
        try:
            goals = source.goals(local_today(profile.timezone))
        except SourceError as err:
            # Goals only decorate the dashboard; connecting must not depend on them.
            log.info("Fitbit daily goals unavailable: %s", err)
            goals = None
    except SourceError as err:
        log.warning("Fitbit profile fetch after authorization failed: %s", err)
        flash(f"{describe(err, 'Fitbit')} after you allowed access, so nothing was connected. "
              "Please try again in a few minutes.", "error")
        return False
    finally:
        source.close()
    token = {key: token[key] for key in ("oauth_token", "oauth_token_secret")}
    try:
        connection = save_connection(current_user, PROVIDER, token, profile, goals)
    except AlreadyLinked:
        flash("That Fitbit account is already connected to another fitlink account.", "error")
        return False
    flash(f"Connected to Fitbit as {profile.display_name or profile.user_id}. Importing your data now.", "success")
    jobs.enqueue_sync(connection.id)
    return False
