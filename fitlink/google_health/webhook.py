"""Google Health webhooks: answer the endpoint verification, queue the syncs notifications ask for, answer at once.

Google sends the subscriber's secret as the whole `Authorization` header of
every POST, verification included (google-health-api.md, Webhooks). The
notification body's exact shape is not in the sources fitlink has (the
discovery document describes subscribers, not notifications). Public clients
quote {"data": {"healthUserId", "operation", "dataType", "intervals", ...}}
(the built-in service sends that); this also reads the other likely shapes:
the object unwrapped, a list of them or {"notifications": [...]}, the user as
"user": "users/{healthUserId}", the types as "dataTypes" (kebab-case ids). A
notification that names no type refreshes every metric; one that names only
types fitlink does not keep (altitude) refreshes nothing. The ECDSA signature
header is not checked yet: that needs Google's public key, which fitlink does
not have; the secret in `Authorization` is what is checked.
"""

import hmac
import json
import logging

from flask import Blueprint, abort, current_app, request
from sqlalchemy import select

from .. import jobs
from ..extensions import csrf, db
from ..models import OAuth
from ..sources import METRICS
from .connection import PROVIDER

log = logging.getLogger(__name__)

MAX_BODY = 8 * 1024
MAX_NOTIFICATIONS = 100

# Google Health data types -> the fitlink metrics a change to them may touch.
DATA_TYPE_METRICS = {
    "steps": ("steps",),
    "distance": ("distance",),
    "floors": ("floors",),
    "total-calories": ("calories",),
    "active-minutes": ("very_active_minutes", "fairly_active_minutes"),
    "daily-resting-heart-rate": ("resting_heart_rate",),
    "sleep": ("sleep",),
    "weight": ("weight",),
}

bp = Blueprint("google_health_webhook", __name__)


@bp.post("/google-health/webhook")
@csrf.exempt
def notify():
    """Check the secret, then answer verification (201) or queue the syncs a notification asks for (204)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        abort(413)
    body = request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        abort(413)
    if not authorized(request.headers.get("Authorization", "")):
        log.warning("Google Health webhook: wrong or missing Authorization, %d bytes ignored", len(body))
        abort(401)
    try:
        payload = json.loads(body)
    except ValueError:
        abort(400)
    if isinstance(payload, dict) and payload.get("type") == "verification":
        return "", 201
    queue_syncs(changes(payload))
    return "", 204


def authorized(header: str) -> bool:
    """Tell whether the Authorization header is the configured secret (never when none is configured)."""
    secret = current_app.config.get("GOOGLE_HEALTH_WEBHOOK_SECRET") or ""
    return bool(secret) and hmac.compare_digest(header.encode(), secret.encode())


def changes(payload) -> dict[str, set[str] | None]:
    """Return healthUserId -> the metrics notifications named (None: all of them)."""
    if isinstance(payload, dict) and isinstance(payload.get("notifications"), list):
        payload = payload["notifications"]
    notes = payload if isinstance(payload, list) else [payload]
    users: dict[str, set[str] | None] = {}
    for note in notes[:MAX_NOTIFICATIONS]:
        if isinstance(note, dict) and isinstance(note.get("data"), dict):
            note = note["data"]
        user_id = _user_id(note) if isinstance(note, dict) else None
        if user_id is None:
            continue
        metrics = _metrics(note)
        if metrics is None or users.get(user_id, set()) is None:
            users[user_id] = None
        else:
            users[user_id] = users.get(user_id, set()) | metrics
    return users


def queue_syncs(users: dict[str, set[str] | None]) -> None:
    """Queue one sync per connected, unbroken account a notification named (repeats merge into it)."""
    if not users:
        return
    connections = db.session.execute(
        select(OAuth).where(OAuth.provider == PROVIDER, OAuth.provider_user_id.in_(users))
    ).scalars().all()
    for connection in connections:
        if connection.broken_at is not None:
            continue
        wanted = users[connection.provider_user_id]
        metrics = None if wanted is None else tuple(m for m in METRICS if m in wanted)
        if metrics != ():
            jobs.enqueue_sync(connection.id, metrics=metrics)


def _user_id(note: dict) -> str | None:
    value = note.get("healthUserId") or note.get("user")
    if not isinstance(value, str) or not value:
        return None
    return value.removeprefix("users/")[:64]


def _metrics(note: dict) -> set[str] | None:
    named = note.get("dataTypes") or note.get("dataType")
    names = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    metrics = {m for name in names if isinstance(name, str) for m in DATA_TYPE_METRICS.get(name, ())}
    if not names:
        return None
    return metrics
