"""Test hooks that change the service's world: recorded steps, notifications, expiry."""

from __future__ import annotations

import json
import logging
from datetime import date, time, timedelta

import requests
from flask import Flask
from sqlalchemy import select, update

from fitlink.demo_fitbit.accounts import get_account, local_today

from .catalog import ACTIVITY
from .models import AccessToken, Grant, RecordedSteps, health_db
from .people import health_user_id
from .state import health_state
from .times import local, rfc3339

log = logging.getLogger(__name__)
NOTIFIED_TYPES = ("steps", "distance")  # what added steps change, among webhook types


def notification(user_id: str, data_type: str, day: date, zone: str) -> dict:
    """Return a webhook notification announcing changed data on one local day.

    The shape follows Google's webhooks page as quoted by several public clients
    (data.version, clientProvidedSubscriptionName, healthUserId, operation, dataType,
    intervals with physicalTimeInterval and civilIso8601TimeInterval); the page itself could
    not be read here, so a client should tolerate either interval form alone.
    """
    start, end = local(day, time(0), zone), local(day + timedelta(days=1), time(0), zone)
    return {"data": {
        "version": "1", "clientProvidedSubscriptionName": "demo-google-health",
        "healthUserId": user_id, "operation": "UPSERT", "dataType": data_type,
        "intervals": [{
            "physicalTimeInterval": {"startTime": rfc3339(start), "endTime": rfc3339(end)},
            "civilIso8601TimeInterval": {"startTime": f"{day.isoformat()}T00:00:00",
                                         "endTime": f"{(day + timedelta(days=1)).isoformat()}"
                                                    "T00:00:00"}}]}}


def _post(url: str, secret: str, body: dict) -> int | None:
    # Google also signs each payload with its own ECDSA key (GOOGLE-HEALTH-API-SIGNATURE);
    # no client can check a demo signature against Google's public key, so none is sent.
    headers = {"Content-Type": "application/json", "Authorization": secret}
    try:
        with requests.Session() as session:
            return session.post(url, data=json.dumps(body), headers=headers,
                                timeout=5).status_code
    except requests.RequestException as error:
        log.warning("Notification to %s failed: %s", url, error)
        return None


def record_activity(app: Flask, account: str, steps: int,
                    day: date | None = None) -> list[int | None]:
    """Add steps to an account's day (default: its today) and notify the subscriber.

    A notification goes out per changed data type when some live grant of the account has
    the activity scope; return the subscriber's statuses (None when it could not be reached).
    """
    state = health_state(app)
    with state.db_lock, app.app_context():
        person = get_account(account, state.now())
        day = day or local_today(person, state.now())
        health_db.session.add(RecordedSteps(account=person.name, day=day, steps=steps))
        health_db.session.commit()
        scopes = health_db.session.scalars(select(Grant.scopes).where(
            Grant.account == person.name, Grant.revoked.is_(False))).all()
    if not state.subscriber_url or not any(ACTIVITY in s.split() for s in scopes):
        return []
    user_id = health_user_id(person.name)
    return [_post(state.subscriber_url, state.subscriber_secret or "",
                  notification(user_id, kind, day, person.timezone))
            for kind in NOTIFIED_TYPES]


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
