"""What happens when Google Health authorizes fitlink, or does not."""

import logging

from flask import flash
from flask_dance.consumer import oauth_authorized, oauth_error
from flask_login import current_user

from .. import jobs
from ..connections import AlreadyLinked, save_connection
from ..sources import NotSetUp, SourceError, describe
from .blueprint import blueprint
from .connection import PROVIDER, source_for

log = logging.getLogger(__name__)


@oauth_authorized.connect_via(blueprint)
def google_health_authorized(bp, token):
    """Fetch the profile, store the connection, start the import; tell Flask-Dance not to store the token."""
    # The token is minutes old; should the profile calls refresh it, keep the newest one.
    latest = {"token": dict(token)}
    # A page is waiting: a Retry-After is not waited for here, the person is told to try again.
    source = source_for(dict(token), lambda fresh: latest.update(token=dict(fresh)), max_wait=0)
    try:
        profile = source.profile()
    except NotSetUp as err:
        # Without a Google Health profile there is no account to store: the person comes back later.
        flash(f"{err} Nothing is connected yet: connect Google Health again once that is done.", "error")
        return False
    except SourceError as err:
        log.warning("Google Health profile fetch after authorization failed: %s", type(err).__name__)
        flash(f"{describe(err, 'Google Health')} after you allowed access, so nothing was connected. "
              "Please try again in a few minutes.", "error")
        return False
    finally:
        source.close()
    try:
        connection = save_connection(current_user, PROVIDER, latest["token"], profile)
    except AlreadyLinked:
        flash("That Google Health account is already connected to another fitlink account.", "error")
        return False
    flash(f"Connected to Google Health as {profile.display_name or profile.user_id}. Importing your data now.",
          "success")
    jobs.enqueue_sync(connection.id)
    return False


@oauth_error.connect_via(blueprint)
def google_health_error(bp, error=None, error_description=None, error_uri=None):
    """Tell the person why nothing was connected; Google's own description is not repeated to them."""
    if error == "access_denied":
        flash("You declined access on Google Health, so nothing was connected.", "info")
    else:
        flash("Google Health did not authorize fitlink, so nothing was connected. Please try again.", "error")
