"""Sign notifications as Google does, with Tink, and publish the public keyset.

Google's header is base64 of a Tink ECDSA P-256 signature with the TINK prefix
(0x01, key id, DER signature), and its keys are a Tink public keyset rotated every
30 days (the Google Health API's Webhooks documentation); this service makes the same with the
same library, so a client checks it exactly as it checks Google's.
"""

from __future__ import annotations

import base64
import json
import threading

import tink
from flask import Blueprint, Flask, Response, current_app
from tink import signature

from .state import health_state

signature.register()
bp = Blueprint("webhook_keys", __name__)
KEYSET_PATH = "/webhooks/public_keyset.json"


class Signer:
    """The service's signing keys: the newest signs, all are published."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles = [tink.new_keyset_handle(signature.signature_key_templates.ECDSA_P256)]
        self.keyset_fetches = 0

    def rotate(self) -> int:
        """Add a key that signs from now on (the old one stays published); return its key id."""
        handle = tink.new_keyset_handle(signature.signature_key_templates.ECDSA_P256)
        with self._lock:
            self._handles.append(handle)
        return handle.keyset_info().primary_key_id

    def sign(self, body: bytes) -> str:
        """Return the signature header value of a body."""
        with self._lock:
            signer = self._handles[-1].primitive(signature.PublicKeySign)
        return base64.b64encode(signer.sign(body)).decode()

    def public_keyset(self) -> dict:
        """Return the Tink JSON public keyset holding every key; the newest is primary."""
        with self._lock:
            handles = list(self._handles)
        keys = []
        for handle in handles:
            public = tink.json_proto_keyset_format.serialize_without_secret(handle.public_keyset_handle())
            keys += json.loads(public)["key"]
        return {"primaryKeyId": handles[-1].keyset_info().primary_key_id, "key": keys}


@bp.get(KEYSET_PATH)
def public_keyset():
    """Publish the public keys of the notification signatures."""
    signer = health_state(current_app).signer
    signer.keyset_fetches += 1
    return Response(json.dumps(signer.public_keyset()), mimetype="application/json")


def rotate_signing_key(app: Flask) -> int:
    """Rotate the notification signing key, as Google does every 30 days; return the new key id."""
    return health_state(app).signer.rotate()


def keyset_fetches(app: Flask) -> int:
    """Return how many times the public keyset was fetched."""
    return health_state(app).signer.keyset_fetches
