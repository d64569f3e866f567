"""Throttle log-in, sign-up, password-reset and account-form attempts per account and client address.

Flask-Limiter counts in memory by default, and in Redis when FITLINK_REDIS_URL is
set, so the counts hold across processes and hosts. Limits are Flask-Limiter
strings ("10 per 15 minutes") under the FITLINK_THROTTLE_* settings below.

Failed log-ins count per account and address together, per account across every
address, and per address across every account. A browser that has logged in to
the account since its password last changed (known_browsers.py) skips those and
has a limit of its own, so a stranger's wrong passwords never lock the owner out.
"""

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, render_template
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from . import known_browsers
from .extensions import limiter
from .forms import posted_email

DEFAULTS = {
    # One address guessing one account: the owner elsewhere, or in a known browser, is not held up.
    "THROTTLE_LOGIN_PER_ACCOUNT_ADDRESS": "10 per 15 minutes",
    # Many addresses guessing one account: NIST 800-63B asks for at most 100 failures per account.
    "THROTTLE_LOGIN_PER_ACCOUNT": "100 per day",
    # Looser: many people may share one address (offices, mobile carriers).
    "THROTTLE_LOGIN_PER_ADDRESS": "50 per 15 minutes",
    # The failures of an account's known browsers, together (they skip the three above).
    "THROTTLE_LOGIN_KNOWN_BROWSER": "20 per 15 minutes",
    # Wrong current passwords on /account/password and /account/delete, per logged-in account.
    "THROTTLE_ACCOUNT_FORMS_PER_ACCOUNT": "5 per 15 minutes",
    "THROTTLE_SIGNUP_PER_ACCOUNT": "5 per hour",
    "THROTTLE_SIGNUP_PER_ADDRESS": "10 per hour",
    "THROTTLE_RESET_PER_ACCOUNT": "3 per hour",
    "THROTTLE_RESET_PER_ADDRESS": "10 per hour",
}


def account_key() -> str:
    """Return the limit key of the email the form names ("" when none: the limit is skipped).

    Hashed, so neither the limit store nor Flask-Limiter's log lines hold addresses.
    """
    email = posted_email()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32] if email else ""


def address_group(address: str | None) -> str:
    """Return the network a client address stands for: itself for IPv4, its /64 for IPv6.

    One IPv6 subscriber is handed a whole /64 (often more), so counting single
    IPv6 addresses would give an attacker 2**64 fresh buckets.
    """
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip), 64), strict=False))
    return str(ip)


def address_key() -> str:
    """Return the limit key of the client's address group (see TRUSTED_PROXIES in security.py)."""
    return "address:" + address_group(get_remote_address())


def account_address_key() -> str:
    """Return the limit key of the form's account seen from the client's address group."""
    account = account_key()
    return f"{account}|{address_key()}" if account else ""


def known_browser_key() -> str:
    """Return the limit key of the attempts of the form's account's known browsers, wherever they are.

    One key for them all, so a stolen cookie gains no fresh bucket from each new address.
    """
    account = account_key()
    return f"known|{account}" if account else ""


def user_key() -> str:
    """Return the limit key of the logged-in account ("" when nobody is: the limit is skipped)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _setting(name: str):
    return lambda: current_app.config[name]


def _stranger() -> bool:
    return not known_browsers.is_known()


def failed(response: Response) -> bool:
    """Whether a form was refused: success redirects, a refusal shows the form again."""
    return response.status_code != 302


def completed(response: Response) -> bool:
    """Whether a form went through (a redirect): only those cost work or send mail."""
    return response.status_code == 302


def _apply(view, rules: tuple, counting: Callable[[Response], bool] | None):
    for setting, key, exempt in rules:
        view = limiter.limit(_setting(setting), key_func=key, methods=["POST"], deduct_when=counting,
                             exempt_when=exempt)(view)
    return view


def limits(kind: str, counting: Callable[[Response], bool] | None = None):
    """Decorate a view so its POSTs (those counting(response) accepts) count against
    THROTTLE_<KIND>_PER_ACCOUNT and _PER_ADDRESS; past either, it answers 429."""
    rules = ((f"THROTTLE_{kind}_PER_ACCOUNT", account_key, None), (f"THROTTLE_{kind}_PER_ADDRESS", address_key, None))
    return lambda view: _apply(view, rules, counting)


def login_limits(view):
    """Decorate the log-in view: failures count per account and address, per account, per address,
    and a known browser's against its own limit instead."""
    rules = (
        ("THROTTLE_LOGIN_PER_ACCOUNT_ADDRESS", account_address_key, known_browsers.is_known),
        ("THROTTLE_LOGIN_PER_ACCOUNT", account_key, known_browsers.is_known),
        ("THROTTLE_LOGIN_PER_ADDRESS", address_key, known_browsers.is_known),
        ("THROTTLE_LOGIN_KNOWN_BROWSER", known_browser_key, _stranger),
    )
    return _apply(view, rules, failed)


def account_form_limits(view):
    """Decorate a logged-in form that asks for the password: failures count per account and per address."""
    rules = (("THROTTLE_ACCOUNT_FORMS_PER_ACCOUNT", user_key, None), ("THROTTLE_LOGIN_PER_ADDRESS", address_key, None))
    return _apply(view, rules, failed)


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
