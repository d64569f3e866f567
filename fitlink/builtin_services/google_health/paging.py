"""Opaque page tokens bound to the request they continue."""

from __future__ import annotations

import hashlib
import json

from itsdangerous import BadSignature, URLSafeSerializer

from .errors import invalid_argument

SALT = "demo-google-health-page"
MAX_PAGE_SIZE = 10000


def page_size(value: object, default: int, maximum: int) -> int:
    """Return the page size to use: unset or 0 means the default, larger values are cut."""
    if value in (None, "", 0, "0"):
        return default
    try:
        size = int(value)  # query strings carry text; JSON bodies carry numbers
    except (TypeError, ValueError):
        raise invalid_argument(f"Invalid value for pageSize: {value!r}.") from None
    if isinstance(value, bool) or size < 0:
        raise invalid_argument("pageSize must not be negative.")
    return min(size, maximum)


def fingerprint(fields: dict) -> str:
    """Return a short digest of the request fields a page token is bound to."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(position: int | str, fields: dict, secret: str) -> str:
    """Return a page token holding a position, bound to the request's other fields."""
    return URLSafeSerializer(secret, salt=SALT).dumps([position, fingerprint(fields)])


def decode(token: str | None, kind: type, fields: dict, secret: str) -> int | str | None:
    """Return the position of a page token (None without one); refuse a foreign token."""
    if not token:
        return None
    try:
        position, bound = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise invalid_argument("Invalid page token.") from None
    if bound != fingerprint(fields) or not isinstance(position, kind):
        raise invalid_argument("The page token does not belong to this request: every "
                               "field but pageToken must stay the same.")
    return position


def take_page(items: list, size: int, token: str | None, fields: dict,
              secret: str) -> tuple[list, str | None]:
    """Return one page of items and the token of the next page (None on the last)."""
    start = decode(token, int, fields, secret) or 0
    end = start + size
    return items[start:end], encode(end, fields, secret) if end < len(items) else None
