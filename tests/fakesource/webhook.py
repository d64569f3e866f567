"""The fake source's webhook: a body signed with the client secret names the accounts whose data changed."""

import hashlib
import hmac
import json

from flask import Blueprint, abort, current_app, request

from fitlink.extensions import csrf
from fitlink.notifications import queue_syncs

bp = Blueprint("fake_webhook", __name__)


def signature(body: bytes, secret: str) -> str:
    """Return the hex HMAC-SHA256 of body under the client secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@bp.post("/fake/webhook")
@csrf.exempt
def notify():
    """Queue a sync of each account named in a signed {"changed": [{"account", "metrics"}]}."""
    body = request.get_data()
    expected = signature(body, current_app.config["FAKE_CLIENT_SECRET"])
    if not hmac.compare_digest(expected, request.headers.get("X-Fake-Signature", "")):
        abort(404)
    changed = {note["account"]: tuple(note.get("metrics") or ()) or None for note in json.loads(body)["changed"]}
    queue_syncs("fake", changed)
    return "", 204
