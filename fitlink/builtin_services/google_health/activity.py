"""Test hooks that change the service's world: recorded steps, notifications, expiry."""

from __future__ import annotations

import json
import logging
from datetime import date, time, timedelta

import requests
from flask import Flask
from sqlalchemy import select, update

from ..common import recorded

from .catalog import ACTIVITY
from .models import AccessToken, Grant, RecordedSteps, health_db
from .people import health_user_id
from .state import health_state
from .times import civil, local, rfc3339

log = logging.getLogger(__name__)
NOTIFIED_TYPES = ("steps", "distance")  # what added steps change, among webhook types


def notification(user_id: str, data_type: str, day: date, zone: str) -> dict:
    """Return a webhook notification announcing changed data on one local day.

    The shape follows Google's webhooks page as quoted by several public clients
    (data.version, clientProvidedSubscriptionName, healthUserId, operation, dataType,
    intervals in three forms: physicalTimeInterval, civilDateTimeInterval and
    civilIso8601TimeInterval); the page itself could not be read here, so a client should
    tolerate any interval form alone.
    """
    start, end = local(day, time(0), zone), local(day + timedelta(days=1), time(0), zone)
    return {"data": {
        "version": "1", "clientProvidedSubscriptionName": "demo-google-health",
        "healthUserId": user_id, "operation": "UPSERT", "dataType": data_type,
        "intervals": [{
            "physicalTimeInterval": {"startTime": rfc3339(start), "endTime": rfc3339(end)},
            "civilDateTimeInterval": {"startTime": civil(start), "endTime": civil(end)},
            "civilIso8601TimeInterval": {"startTime": f"{day.isoformat()}T00:00:00",
                                         "endTime": f"{(day + timedelta(days=1)).isoformat()}"
                                                    "T00:00:00"}}]}}


def _post(state, body: bytes) -> int | None:
    """POST a notification body to the subscriber as Google does: secret and signature headers."""
    behaviours = state.behaviours
    headers = {"Content-Type": "application/json"}
    if behaviours.notify_with_secret:
        headers["Authorization"] = state.subscriber_secret or ""
    if behaviours.sign:
        headers[behaviours.signature_header] = state.signer.sign(body)
    try:
        with requests.Session() as session:
            return session.post(state.subscriber_url, data=body, headers=headers, timeout=5).status_code
    except requests.RequestException as error:
        log.warning("Notification to %s failed: %s", state.subscriber_url, error)
        return None


def deliver(app: Flask, notifications: list[dict]) -> int | None:
    """POST notifications to the subscriber as one batch (a JSON array); return its status."""
    return _post(health_state(app), json.dumps(notifications).encode())


def record_activity(app: Flask, account: str, steps: int,
                    day: date | None = None) -> list[int | None]:
    """Add steps to an account's day (default: its today) and notify the subscriber.

    A notification goes out per changed data type when some live grant of the account has
    the activity scope, each in its own POST or all in one batch (an option); return the
    subscriber's statuses (None when it could not be reached).
    """
    state = health_state(app)
    with state.db_lock, app.app_context():
        person, day = recorded.add_steps(health_db, RecordedSteps, account, steps, day, state.now)
        scopes = health_db.session.scalars(select(Grant.scopes).where(
            Grant.account == person.name, Grant.revoked.is_(False))).all()
    if not state.subscriber_url or not any(ACTIVITY in s.split() for s in scopes):
        return []
    user_id = health_user_id(person.name)
    notes = [notification(user_id, kind, day, person.timezone) for kind in NOTIFIED_TYPES]
    if state.behaviours.batch:
        return [deliver(app, notes)]
    return [_post(state, json.dumps(note).encode()) for note in notes]


def expire_access_tokens(app: Flask) -> int:
    """Make every access token expired now; return how many there were."""
    state = health_state(app)
    with state.db_lock, app.app_context():
        result = health_db.session.execute(update(AccessToken).values(
            expires_at=state.now().timestamp() - 1))
        health_db.session.commit()
    return result.rowcount


def expire_refresh_tokens(app: Flask, account: str) -> int:
    """Expire an account's refresh tokens, as Testing mode does after 7 days; return grants."""
    state = health_state(app)
    with state.db_lock, app.app_context():
        result = health_db.session.execute(update(Grant).where(
            Grant.account == account.strip().lower()).values(refresh_expired=True))
        health_db.session.commit()
    return result.rowcount
