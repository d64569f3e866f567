"""Store, look up and remove a user's Fitbit link; no request or current_user here."""

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models import DailyMetric, OAuth, SyncState, User, now_utc
from ..sources import Profile
from .client import Credentials, FitbitClient
from .source import FitbitSource

PROVIDER = "fitbit"


class AlreadyLinked(Exception):
    """The Fitbit account is linked to another fitlink user."""


def link_for(user_id: int) -> OAuth | None:
    """Return the user's Fitbit link, if any."""
    return db.session.execute(
        select(OAuth).filter_by(provider=PROVIDER, user_id=user_id)
    ).scalar_one_or_none()


def source_for(token: dict) -> FitbitSource:
    """Build a Fitbit data source signed with this access token."""
    config = current_app.config
    creds = Credentials(
        api_base_url=config["FITBIT_API_BASE_URL"],
        client_key=config["FITBIT_CLIENT_KEY"],
        client_secret=config["FITBIT_CLIENT_SECRET"],
        token=token["oauth_token"],
        token_secret=token["oauth_token_secret"],
    )
    client = FitbitClient(
        creds, timeout=config["FITBIT_TIMEOUT"], backoff=config["FITBIT_RETRY_BACKOFF"]
    )
    return FitbitSource(client)


def save_link(user: User, token: dict, profile: Profile, goals: dict | None = None) -> OAuth:
    """Store the token and profile on the user's link; raise AlreadyLinked if another user owns it."""
    owner = db.session.execute(
        select(OAuth).filter_by(provider=PROVIDER, provider_user_id=profile.user_id)
    ).scalar_one_or_none()
    if owner is not None and owner.user_id != user.id:
        raise AlreadyLinked(profile.user_id)
    link = link_for(user.id)
    if link is not None and link.provider_user_id != profile.user_id:
        # A different Fitbit account: the old account's data is not this one's.
        remove_link(user.id)
        link = None
    if link is None:
        link = OAuth(provider=PROVIDER, user_id=user.id)
        db.session.add(link)
    link.token = {key: token[key] for key in ("oauth_token", "oauth_token_secret")}
    link.provider_user_id = profile.user_id
    link.display_name = profile.display_name
    link.timezone = profile.timezone
    link.member_since = profile.member_since
    link.distance_unit = profile.distance_unit
    link.weight_unit = profile.weight_unit
    link.goals = goals or link.goals
    link.broken_at = None
    db.session.commit()
    return link


def remove_link(user_id: int) -> None:
    """Delete the user's token, synced data and sync state (not committed)."""
    for model in (OAuth, DailyMetric, SyncState):
        db.session.execute(delete(model).where(model.user_id == user_id))


def revoke(link: OAuth) -> None:
    """Forget the token of a link the user revoked on Fitbit's side; keep the synced data."""
    link.token = {}
    link.broken_at = now_utc()
    db.session.commit()
