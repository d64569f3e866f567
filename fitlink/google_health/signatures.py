"""Check the ECDSA signature Google puts on every webhook notification, with Google's own Tink library.

The header (`GOOGLE-HEALTH-API-SIGNATURE`; older pages say `X-HEALTHAPI-SIGNATURE`)
is base64 of `0x01 || key id (4 bytes, big-endian) || DER ECDSA P-256/SHA-256
signature of the raw body`: exactly a Tink signature with the TINK output prefix,
and the keys are published as a Tink public keyset (the Google Health API's
Webhooks documentation). So Tink reads both as they are and picks the key by the prefix: no
key conversion and no hand-written crypto here. Only the key id is read from
the prefix, to tell a rotated key (refetch the keyset) from a forged one.

The keyset is fetched once per process, kept, and fetched again when a
signature names a key id it lacks, at most once a minute: a flood of made-up
key ids costs one bounded fetch a minute. Each fetch is bounded (time and size)
and runs under a lock, so concurrent notifications wait for one fetch at most.
"""

import base64
import binascii
import json
import logging
import threading
import time
from dataclasses import dataclass
from enum import Enum

import requests
import tink
from flask import Flask, current_app
from tink import signature

from ..transport import is_safe

log = logging.getLogger(__name__)

HEADERS = ("GOOGLE-HEALTH-API-SIGNATURE", "X-HEALTHAPI-SIGNATURE")
EXTENSION = "google_health_keyset"
TINK_PREFIX = 0x01
PREFIX_BYTES = 5
# base64 of a prefix and the longest DER P-256 signature (72 bytes) is 104 characters.
MAX_HEADER = 200
MAX_KEYSET_BYTES = 64 * 1024
FETCH_SECONDS = 5  # the whole keyset fetch, connection to last byte
REFETCH_SECONDS = 60

signature.register()


class Verdict(Enum):
    """What a notification's signature says."""

    ABSENT = "absent"  # no signature header
    VALID = "valid"
    INVALID = "invalid"  # malformed, wrong, or made with a key Google does not publish
    UNCHECKED = "unchecked"  # the keyset could not be fetched


@dataclass(frozen=True)
class Keyset:
    """A parsed public keyset: Tink's verifier and the ids of its enabled keys."""

    verifier: signature.PublicKeyVerify
    key_ids: frozenset[int]


class KeysetCache:
    """The keyset of one process: fetched on first use, refetched for unknown key ids once a minute."""

    def __init__(self, clock=time.monotonic):
        self.keyset: Keyset | None = None
        self.fetches = 0
        self._clock = clock
        self._last_fetch: float | None = None  # any fetch: a failed first load is retried a minute on
        self._last_refetch: float | None = None  # fetches for an unknown key id
        self._lock = threading.Lock()

    def get(self, url: str, key_id: int) -> Keyset | None:
        """Return a keyset, fetched again when it lacks key_id unless a refetch ran in the last minute."""
        with self._lock:
            if self.keyset is not None and key_id in self.keyset.key_ids:
                return self.keyset
            last = self._last_fetch if self.keyset is None else self._last_refetch
            if last is None or self._clock() - last >= REFETCH_SECONDS:
                if self.keyset is not None:
                    self._last_refetch = self._clock()
                self._last_fetch = self._clock()
                self.fetches += 1
                self.keyset = fetch(url) or self.keyset
            return self.keyset


def fetch(url: str) -> Keyset | None:
    """Download and parse a public keyset; None (logged) when that fails."""
    if not is_safe(url):
        log.warning("Google Health keyset URL must be HTTPS (or loopback HTTP); not fetched")
        return None
    deadline = time.monotonic() + FETCH_SECONDS
    try:
        with requests.get(url, timeout=FETCH_SECONDS, stream=True) as response:
            response.raise_for_status()
            body = b""
            for chunk in response.iter_content(8192):
                body += chunk
                if len(body) > MAX_KEYSET_BYTES or time.monotonic() > deadline:
                    raise ValueError("keyset too large or too slow")
        return parse(body.decode())
    except (requests.RequestException, ValueError, tink.TinkError) as err:
        log.warning("Google Health keyset fetch failed: %s", type(err).__name__)
        return None


def parse(text: str) -> Keyset:
    """Parse a Tink JSON public keyset (public keys only: Tink refuses secret key material)."""
    keyset = tink.json_proto_keyset_format.parse_without_secret(text)
    listed = json.loads(text).get("key") or []
    ids = frozenset(int(key["keyId"]) for key in listed
                    if isinstance(key, dict) and key.get("status") == "ENABLED" and "keyId" in key)
    return Keyset(keyset.primitive(signature.PublicKeyVerify), ids)


def header_of(headers) -> str | None:
    """Return the signature header's value under either of its names, or None."""
    for name in HEADERS:
        if name in headers:
            return headers[name]
    return None


def check(body: bytes, header: str | None) -> Verdict:
    """Check a notification's signature header against the configured keyset."""
    if header is None:
        return Verdict.ABSENT
    if len(header) > MAX_HEADER:
        return Verdict.INVALID
    try:
        raw = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return Verdict.INVALID
    if len(raw) <= PREFIX_BYTES or raw[0] != TINK_PREFIX:
        return Verdict.INVALID
    key_id = int.from_bytes(raw[1:PREFIX_BYTES], "big")
    keyset = keyset_cache(current_app).get(current_app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"], key_id)
    if keyset is None:
        return Verdict.UNCHECKED
    if key_id not in keyset.key_ids:
        return Verdict.INVALID
    try:
        keyset.verifier.verify(raw, body)
    except tink.TinkError:
        return Verdict.INVALID
    return Verdict.VALID


def keyset_cache(app: Flask) -> KeysetCache:
    """Return the app's keyset cache."""
    return app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """Give the app an empty keyset cache; the first signed notification fills it."""
    app.extensions[EXTENSION] = KeysetCache()
