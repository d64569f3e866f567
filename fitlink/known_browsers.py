"""Browsers that have logged in to an account since its last password change.

The log-in throttle lets such a browser through limits a stranger's failures
fill (throttle.py): ten wrong passwords from an attacker must not lock the
owner out. A browser is known by a signed cookie holding, per account, a digest
of the account's id and session secret; the secret is replaced on every
password change, reset and deletion (models.User), so those end every mark.
"""

import hashlib

from flask import after_this_request, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from .extensions import db
from .forms import posted_email
from .models import User

COOKIE = "fitlink_known"
SALT = "fitlink-known-browser"
MAX_AGE_SECONDS = 90 * 24 * 60 * 60
MAX_ACCOUNTS = 5  # a shared computer remembers this many accounts, the latest first


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _mark(user: User) -> str:
    # A digest, so the cookie never carries the session secret itself.
    return hashlib.sha256(f"{user.id}:{user.session_secret}".encode()).hexdigest()[:32]


def _marks() -> list[str]:
    """Return the marks this browser's cookie holds (none when missing, forged or expired)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return []
    try:
        marks = _serializer().loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return []
    return [mark for mark in marks if isinstance(mark, str)] if isinstance(marks, list) else []


def remember(user: User) -> None:
    """Mark this browser as known to user's account, on the response to this request."""
    marks = [_mark(user), *(mark for mark in _marks() if mark != _mark(user))][:MAX_ACCOUNTS]
    value = _serializer().dumps(marks)

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(COOKIE, value, max_age=MAX_AGE_SECONDS, httponly=True, samesite="Lax",
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
        return response


def is_known() -> bool:
    """Whether this browser has logged in to the account the form's email names since its password changed."""
    if "known_browser" not in g:
        marks = _marks()
        email = posted_email()
        user = None
        if marks and email:  # no query for a browser without a valid cookie
            user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        g.known_browser = user is not None and _mark(user) in marks
    return g.known_browser
