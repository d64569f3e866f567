"""Connecting an OAuth source, the same for every one: the blueprint's shared parts, and the step after consent.

Each OAuth source's blueprint (a Flask-Dance consumer blueprint named like its
SourceKind) mixes in `SourceBlueprint`: its tokens are stored and read through
Flask-Dance's SQLAlchemyStorage over the connection model, the one table jobs
read too; once the provider has granted a token, `connect` fetches the profile,
stores the connection (token included, as flask-dance-multi-provider's
oauth_authorized handler does) and queues the first sync.
"""

import logging

from flask import current_app, flash, redirect, url_for
from flask_dance.consumer.storage.sqla import SQLAlchemyStorage
from flask_login import current_user

from . import jobs, sources
from .connections import AlreadyLinked, save_connection
from .dates import local_today
from .extensions import db
from .models import Connection
from .sources import NotSetUp, SourceError, SourceKind, describe

log = logging.getLogger(__name__)


class SourceBlueprint:
    """A mixin for Flask-Dance consumer blueprints of fitlink sources (the blueprint is named like its kind)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("storage", SQLAlchemyStorage(Connection, db.session, user=current_user))
        kwargs.setdefault("redirect_to", "dashboard.index")
        super().__init__(*args, **kwargs)
        self.before_request(self.require_login)

    @staticmethod
    def require_login():
        """Connecting adds to a fitlink account: send anyone else to log in first."""
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return None

    @property
    def kind(self) -> SourceKind:
        return sources.get(self.name)

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def next_url(self) -> str:
        return url_for(self.redirect_to)

    @property
    def timeout(self) -> float:
        """Seconds to wait for the provider: the setting NAME_TIMEOUT, e.g. FITBIT_TIMEOUT."""
        return current_app.config[f"{self.name.upper()}_TIMEOUT"]

    def authorized_with(self, token: dict):
        """Connect the account the token grants (see `connect`), then go back to the dashboard."""
        connect(self.kind, token)
        return redirect(self.next_url)

    def declined(self, error: str = "access_denied"):
        """Say why nothing was connected when the provider's page did not grant access."""
        log.info("%s authorization ended with %r", self.label, error[:100])
        if error == "access_denied":
            flash(f"You declined access on {self.label}, so nothing was connected.", "info")
        else:
            flash(f"{self.label} did not authorize fitlink, so nothing was connected. Please try again.", "error")
        return redirect(self.next_url)

    def failed(self, step: str, err: Exception):
        """Log why a step of the dance failed (its kind only: messages may carry tokens) and say so plainly."""
        log.warning("%s %s failed: %s", self.label, step, type(err).__name__)
        flash(f"{self.label} could not be reached or refused the request. Nothing was connected; "
              "please try again later.", "error")
        return redirect(self.next_url)


def connect(kind: SourceKind, token: dict) -> None:
    """Fetch the profile a just-granted token opens, store the person's connection, queue its first sync.

    Every outcome is flashed to the person; nothing is stored when a step fails.
    """
    # The token is minutes old; should the profile calls refresh it, keep the newest one.
    latest = {"token": dict(token)}
    source = kind.open_token(dict(token), lambda fresh: latest.update(token=dict(fresh)))
    try:
        profile = source.profile()
        goals = goals_of(source, profile.timezone, kind)
    except NotSetUp as err:
        # Without a profile there is no account to store: the person comes back later.
        flash(f"{err} Nothing is connected yet: connect {kind.label} again once that is done.", "error")
        return
    except SourceError as err:
        log.warning("%s profile fetch after authorization failed: %s", kind.label, type(err).__name__)
        flash(f"{describe(err, kind.label)} after you allowed access, so nothing was connected. "
              "Please try again in a few minutes.", "error")
        return
    finally:
        source.close()
    kept = latest["token"]
    if kind.token_fields:
        kept = {key: kept[key] for key in kind.token_fields}
    try:
        connection = save_connection(current_user, kind.name, kept, profile, goals)
    except AlreadyLinked:
        flash(f"That {kind.label} account is already connected to another fitlink account.", "error")
        return
    flash(f"Connected to {kind.label} as {profile.display_name or profile.user_id}. Importing your data now.",
          "success")
    jobs.enqueue_sync(connection.id)


def goals_of(source, timezone: str, kind: SourceKind) -> dict | None:
    """Return the account's daily goals, or None when the source cannot say now."""
    try:
        return source.goals(local_today(timezone))
    except SourceError as err:
        # Goals only decorate the dashboard; connecting must not depend on them.
        log.info("%s daily goals unavailable: %s", kind.label, type(err).__name__)
        return None
