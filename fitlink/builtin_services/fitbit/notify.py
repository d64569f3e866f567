"""Signed subscription notifications, posted the way Fitbit posted them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import date

import requests

log = logging.getLogger(__name__)


def sign_notification(client_secret: str, body: bytes) -> str:
    """Return the X-Fitbit-Signature value for a raw notification body."""
    key = f"{client_secret}&".encode()
    return base64.b64encode(hmac.new(key, body, hashlib.sha1).digest()).decode()


def notification_body(collection: str, day: date, owner_id: str, subscription_id: str) -> bytes:
    """Return the JSON array announcing one changed collection on one day."""
    return json.dumps([{
        "collectionType": collection, "date": day.isoformat(), "ownerId": owner_id,
        "ownerType": "user", "subscriptionId": subscription_id,
    }]).encode()


def post_notification(url: str, body: bytes, client_secret: str) -> int | None:
    """POST one signed notification; return the status, or None if it failed."""
    headers = {"Content-Type": "application/json",
               "X-Fitbit-Signature": sign_notification(client_secret, body)}
    try:
        with requests.Session() as session:
            return session.post(url, data=body, headers=headers, timeout=5).status_code
    except requests.RequestException as error:
        log.warning("Notification to %s failed: %s", url, error)
        return None
