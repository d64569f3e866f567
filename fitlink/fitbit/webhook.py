"""Fitbit subscriptions: verify the endpoint, check signatures, enqueue syncs, answer at once."""

import base64
import hashlib
import hmac
import json
import logging
from datetime import date

from flask import Blueprint, abort, current_app, request

from ..extensions import csrf
from ..notifications import connections_of, queue_syncs
from ..security import body_limit
from ..sources import SYNCED
from .connection import NAME
from .revocations import act_on_revocation, notice_day

log = logging.getLogger(__name__)

# What a notification's collection says may have changed. Fitbit's subscriptions cover
# activities, body, foods and sleep (and userRevokedAccess): the minute series, workouts, Active
# Zone Minutes and cardio fitness come from the tracker's activity sync; HRV, SpO2, breathing
# rate and skin temperature are measured during the main sleep, so they follow the sleep
# collection; body fat comes with a weigh-in.
COLLECTION_METRICS = {
    "activities": (
        "steps", "distance", "calories", "floors",
        "very_active_minutes", "fairly_active_minutes", "resting_heart_rate",
        "vo2max", "active_zone_minutes", "lightly_active_minutes", "sedentary_minutes",
        "steps_minutes", "heart_rate_minutes", "calories_minutes", "exercises",
    ),
    "sleep": ("sleep", "hrv", "spo2", "breathing_rate", "skin_temperature"),
    "body": ("weight", "body_fat"),
}

bp = Blueprint("fitbit_webhook", __name__)


@bp.get("/fitbit/webhook")
def verify():
    """Answer Fitbit's verification: 204 for our code, 404 for any other."""
    expected = current_app.config.get("FITBIT_SUBSCRIBER_VERIFICATION_CODE") or ""
    given = request.args.get("verify", "")
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        return "", 204
    abort(404)


@bp.post("/fitbit/webhook")
@csrf.exempt
@body_limit("FITBIT_WEBHOOK_MAX_BYTES")
def notify():
    """Check the signature of a batch of notifications and enqueue the syncs they ask for."""
    # Larger bodies get 413 before a byte is read (security.body_limit).
    body = request.get_data(cache=False)
    if not valid_signature(body, request.headers.get("X-Fitbit-Signature", "")):
        log.warning("webhook: bad signature, %d bytes ignored", len(body))
        abort(404)
    try:
        notes = json.loads(body)
    except (ValueError, RecursionError):  # deep nesting exhausts the parser's stack
        log.warning("webhook: body is not JSON")
        abort(400, "The body must be a JSON array of notifications.")
    if not isinstance(notes, list):
        log.warning("webhook: body is not a JSON array")
        return "", 204
    handle(notes)
    return "", 204


def valid_signature(body: bytes, signature: str) -> bool:
    """Return whether signature is base64(HMAC-SHA1(client secret + '&', body))."""
    key = (current_app.config["FITBIT_CLIENT_SECRET"] + "&").encode()
    expected = base64.b64encode(hmac.new(key, body, hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.encode())


def handle(notes: list) -> None:
    """Act on owners' revocations (revocations.py: old ones are ignored); queue one sync per other owner."""
    owners: dict[str, set[str]] = {}
    revoked: dict[str, list[date | None]] = {}
    for note in notes:
        if isinstance(note, dict) and isinstance(note.get("ownerId"), str):
            owners.setdefault(note["ownerId"], set()).add(str(note.get("collectionType")))
            if note.get("collectionType") == "userRevokedAccess":
                revoked.setdefault(note["ownerId"], []).append(notice_day(note))
    if revoked:
        for connection in connections_of(NAME, revoked):
            act_on_revocation(connection, latest(revoked[connection.provider_user_id]))
    queue_syncs(NAME, {owner: changed_metrics(collections)
                           for owner, collections in owners.items() if owner not in revoked})


def latest(days: list[date | None]) -> date | None:
    """Return the latest of one owner's revocation dates in a batch (None when none is dated)."""
    dated = [day for day in days if day is not None]
    return max(dated) if dated else None


def changed_metrics(collections: set[str]) -> tuple[str, ...]:
    """Return the metrics that notifications of these collections may have changed."""
    return tuple(
        metric
        for metric in SYNCED
        if any(metric in COLLECTION_METRICS.get(name, ()) for name in collections)
    )
