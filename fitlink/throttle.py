"""Throttle log-in, sign-up and password-reset attempts per account and per client address.

Flask-Limiter counts in memory by default, and in Redis when FITLINK_REDIS_URL is
set, so the counts hold across processes and hosts. Limits are Flask-Limiter
strings ("10 per 15 minutes") under the FITLINK_THROTTLE_* settings below.
"""

import hashlib
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from .extensions import limiter
from .forms import normalise_email

DEFAULTS = {
    # NIST 800-63B asks for at most 100 failed attempts per account; far fewer is kinder to victims.
    "THROTTLE_LOGIN_PER_ACCOUNT": "10 per 15 minutes",
    # Looser: many people may share one address (offices, mobile carriers).
    "THROTTLE_LOGIN_PER_ADDRESS": "50 per 15 minutes",
    "THROTTLE_SIGNUP_PER_ACCOUNT": "5 per hour",
    "THROTTLE_SIGNUP_PER_ADDRESS": "10 per hour",
    "THROTTLE_RESET_PER_ACCOUNT": "3 per hour",
    "THROTTLE_RESET_PER_ADDRESS": "10 per hour",
}


def account_key() -> str:
    """Return the limit key of the email the form names ("" when none: the limit is skipped).

    Hashed, so neither the limit store nor Flask-Limiter's log lines hold addresses.
    """
    email = normalise_email(request.form.get("email"))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32] if email else ""


def address_key() -> str:
    """Return the limit key of the client address (see TRUSTED_PROXIES in security.py)."""
    return "address:" + (get_remote_address() or "unknown")


def _setting(name: str):
    return lambda: current_app.config[name]


def failed(response: Response) -> bool:
    """Whether a form was refused: success redirects, a refusal shows the form again."""
    return response.status_code != 302


def completed(response: Response) -> bool:
    """Whether a form went through (a redirect): only those cost work or send mail."""
    return response.status_code == 302


def limits(kind: str, counting: Callable[[Response], bool] | None = None):
    """Decorate a view so its POSTs (those counting(response) accepts) count against
    THROTTLE_<KIND>_PER_ACCOUNT and _PER_ADDRESS; past either, it answers 429."""

    def decorate(view):
        for scope, key in (("ACCOUNT", account_key), ("ADDRESS", address_key)):
            view = limiter.limit(
                _setting(f"THROTTLE_{kind}_PER_{scope}"), key_func=key, methods=["POST"], deduct_when=counting,
            )(view)
        return view

    return decorate


def too_many_attempts(error: RateLimitExceeded):
    """Answer 429 with how long to wait, in plain words."""
    current = limiter.current_limit
    # window[0] is when the window resets (reset_at adds a second for its own header).
    seconds = max(1, current.window[0] - time.time()) if current else 60
    minutes = math.ceil(seconds / 60)
    message = f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}."
    page = render_template("error.html", title="Too many attempts", message=message)
    return page, 429, {"Retry-After": str(math.ceil(seconds))}


def init_app(app: Flask) -> None:
    """Bind the limiter to the app's storage and register the 429 page."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "fitlink-limits")
    # If Redis goes away, count in this process rather than refuse every log-in.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many_attempts)
