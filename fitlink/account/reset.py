"""Password-reset links: signed, short-lived, and dead once the password changes."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User

SALT = "fitlink-password-reset"
MAX_AGE_SECONDS = 30 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    # The token carries a digest of the password hash: setting a password (even
    # the same one: the hash is salted) changes it, so a link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    """Return a reset token for user, valid for PASSWORD_RESET_MAX_AGE seconds."""
    return _serializer().dumps({"user": user.id, "password": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """Return the user a valid, unused, unexpired token was made for, else None."""
    max_age = current_app.config.get("PASSWORD_RESET_MAX_AGE", MAX_AGE_SECONDS)
    try:
        payload = _serializer().loads(token, max_age=max_age)
        user = db.session.get(User, int(payload["user"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or payload.get("password") != _fingerprint(user):
        return None
    return user
