"""Google Health webhooks: answer the endpoint verification, queue the syncs notifications ask for, answer at once.

Google sends the subscriber's secret as the whole `Authorization` header and
signs every notification (signatures.py); one report says `Authorization` is
absent on events after the verification, so a notification is accepted with
the right secret OR a valid signature. A signature that is present but wrong,
malformed or made with a key Google does not publish refuses the notification
whatever the secret says. The verification handshake needs the secret itself:
Google's second verification POST comes without it and must get 401, signed
or not.

Notifications come in batches of up to 99 in one POST, as a JSON array of
{"data": {"healthUserId", "operation", "dataType", "intervals", ...}} (public
clients that log live deliveries). This also reads the single object, the
object unwrapped, {"notifications": [...]}, the user as "user":
"users/{healthUserId}" and the types as "dataTypes". The batch merges into
one queued sync per connection. A notification that names no type refreshes
every metric; one that names only types fitlink does not keep (altitude)
refreshes nothing.
"""

import hmac
import json
import logging

from flask import Blueprint, abort, current_app, request

from .. import notifications
from ..extensions import csrf
from ..security import body_limit
from ..sources import SYNCED
from . import signatures
from .connection import NAME
from .signatures import Verdict

log = logging.getLogger(__name__)

# Google's batches hold 99; a few more are read, the rest of an oversized array ignored.
MAX_NOTIFICATIONS = 128
MAX_USERS = MAX_NOTIFICATIONS

# Google Health data types -> the fitlink metrics and details a change to them may touch
# (the webhook-supported types of /health/webhooks, as a public design note lists them).
DATA_TYPE_METRICS = {
    "steps": ("steps", "steps_minutes"),
    "distance": ("distance",),
    "floors": ("floors",),
    "total-calories": ("calories", "calories_minutes"),
    "active-minutes": ("very_active_minutes", "fairly_active_minutes", "lightly_active_minutes"),
    "daily-resting-heart-rate": ("resting_heart_rate",),
    "sleep": ("sleep",),
    "weight": ("weight",),
    "heart-rate": ("heart_rate_minutes",),
    "exercise": ("exercises",),
    "daily-heart-rate-variability": ("hrv",),
    "daily-oxygen-saturation": ("spo2",),
    "daily-respiratory-rate": ("breathing_rate",),
    "daily-sleep-temperature-derivations": ("skin_temperature",),
    "daily-vo2-max": ("vo2max",),
    "active-zone-minutes": ("active_zone_minutes",),
    "time-in-heart-rate-zone": ("active_zone_minutes",),
    "body-fat": ("body_fat",),
    "sedentary-period": ("sedentary_minutes",),
}

bp = Blueprint("google_health_webhook", __name__)


@bp.post("/google-health/webhook")
@csrf.exempt
@body_limit("GOOGLE_HEALTH_WEBHOOK_MAX_BYTES")
def notify():
    """Check the secret or signature, then answer verification (201) or queue the syncs asked for (204)."""
    limit = current_app.config["GOOGLE_HEALTH_WEBHOOK_MAX_BYTES"]
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        abort(413)
    secret_ok = authorized(request.headers.get("Authorization", ""))
    verdict = signatures.check(body, signatures.header_of(request.headers))
    if verdict is Verdict.INVALID:
        log.warning("Google Health webhook: invalid signature, %d bytes ignored", len(body))
        abort(401)
    if not secret_ok and verdict is not Verdict.VALID:
        log.warning("Google Health webhook: no valid secret or signature (%s), %d bytes ignored",
                    verdict.value, len(body))
        # Unchecked: the keyset could not be fetched; Google retries a 503 later.
        abort(503 if verdict is Verdict.UNCHECKED else 401)
    try:
        payload = json.loads(body)
    except ValueError:
        abort(400)
    if isinstance(payload, dict) and payload.get("type") == "verification":
        return ("", 201) if secret_ok else ("", 401)
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
        if user_id is None or (user_id not in users and len(users) >= MAX_USERS):
            continue
        metrics = _metrics(note)
        if metrics is None or users.get(user_id, set()) is None:
            users[user_id] = None
        else:
            users[user_id] = users.get(user_id, set()) | metrics
    return users


def queue_syncs(users: dict[str, set[str] | None]) -> None:
    """Queue one sync per connected, unbroken account a notification named (repeats merge into it)."""
    notifications.queue_syncs(NAME, {
        user: None if wanted is None else tuple(m for m in SYNCED if m in wanted) for user, wanted in users.items()
    })


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
