"""A built-in service that behaves like Google's OAuth 2.0 server and the Google Health API v4.

It enforces the protocol as Google does, so fitlink's client is tested against something
strict. Paths are relative to the app root (fitlink mounts it at ``/demo-google-health``):

- ``GET/POST /o/oauth2/v2/auth``: consent page (demo account, granular scopes, Allow/Deny).
  Needs response_type=code, a redirect_uri of the client, PKCE S256 and known scopes;
  Deny redirects with ``error=access_denied&state=...``. ``access_type=offline`` is needed
  for a refresh token, which comes with the first exchange after consent (then only with
  ``prompt=consent``).
- ``POST /token``: authorization_code (client secret, same redirect_uri, code_verifier;
  single-use codes, 10 minutes) and refresh_token, which ROTATES the refresh token (the old
  one then answers ``400 {"error": "invalid_grant"}``). Access tokens last
  ``DEMO_GOOGLE_HEALTH_ACCESS_TOKEN_SECONDS``.
- ``POST /revoke`` (token in the form body or the query): ends the whole grant.
- ``/v4/users/me/``: ``identity``, ``settings``, ``profile``,
  ``dataTypes/{type}/dataPoints`` (list), ``dataPoints:reconcile`` and
  ``dataPoints:dailyRollUp`` for steps, distance, floors, total-calories, active-minutes,
  daily-resting-heart-rate, sleep and weight. Errors are google.rpc.Status bodies; 401
  UNAUTHENTICATED, 403 PERMISSION_DENIED (scope), 429 RESOURCE_EXHAUSTED (per-user quota),
  400 FAILED_PRECONDITION ACCOUNT_NOT_LINKED for the demo account ``unlinked``.

Plain http is served only to requests addressed to a loopback host.

Interface (other modules rely on these names):

- ``create_demo_app(config)`` builds the Flask app. Config keys: ``SECRET_KEY`` and
  ``DEMO_GOOGLE_HEALTH_CLIENTS`` {client_id: client_secret} (required),
  ``SQLALCHEMY_DATABASE_URI`` (default in-memory SQLite),
  ``DEMO_GOOGLE_HEALTH_REDIRECT_URIS`` (registered redirect URIs; empty: any http(s) URI on
  a loopback host), ``DEMO_GOOGLE_HEALTH_NOW`` (aware datetime or callable: the clock),
  ``DEMO_GOOGLE_HEALTH_ACCESS_TOKEN_SECONDS`` (3600), ``DEMO_GOOGLE_HEALTH_RATE_LIMIT``
  (requests per minute per user, 300), ``DEMO_GOOGLE_HEALTH_REFRESH_TOKEN_DAYS`` (7, as in
  Testing mode), ``DEMO_GOOGLE_HEALTH_FAULT_DELAY`` (seconds a "timeout" fault sleeps, 30),
  ``DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL`` + ``DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET`` (webhook
  notifications, sent with ``Authorization: <secret>`` and signed), and the live-API
  behaviours of ``behaviours.py`` (batches, signatures, capped pages, sleep in progress,
  mirrored points, zero-step days left out, Retry-After, several weigh-ins a day).
- ``call_log(app)`` lists every API call as ``ApiCall(method, path, data_type, range,
  filter, token, fault)``; ``reset_call_log(app)``.
- ``inject_faults(app, status, count=1)``: the next ``count`` API calls answer ``status``
  (an HTTP error code, with a google.rpc.Status body), ``"timeout"`` (sleeps, then 504) or
  ``"garbage"`` (200 with an HTML body).
- ``expire_access_tokens(app)``, ``expire_refresh_tokens(app, account)``.
- ``record_activity(app, account, steps, day=None)`` adds steps and notifies;
  ``deliver(app, notifications)`` POSTs any list of notifications as one signed batch;
  ``rotate_signing_key(app)``, ``keyset_fetches(app)``.
- ``people.health_user_id(name)``: an account's healthUserId. Demo accounts and their data
  are ``fitlink.builtin_services.common.accounts``'s, converted to Google's units.
"""

from __future__ import annotations

from flask import Flask

from ..common.service import configure, init_database, init_pages
from ..common.state import LockedWSGI, make_clock

from . import api, provider, signing
from .activity import deliver, expire_access_tokens, expire_refresh_tokens, notification, record_activity
from .behaviours import DEFAULTS as BEHAVIOUR_DEFAULTS
from .behaviours import Behaviours
from .errors import register_errors
from .faults import FaultWSGI
from .models import health_db
from .oauth import build_server
from .signing import Signer, keyset_fetches, rotate_signing_key
from .state import (
    EXTENSION, ApiCall, HealthState, MinuteQuota, call_log, inject_faults, reset_call_log,
)

__all__ = ["ApiCall", "call_log", "create_demo_app", "deliver", "expire_access_tokens",
           "expire_refresh_tokens", "inject_faults", "keyset_fetches", "notification", "record_activity",
           "reset_call_log", "rotate_signing_key"]

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "DEMO_GOOGLE_HEALTH_REDIRECT_URIS": None,
    "DEMO_GOOGLE_HEALTH_NOW": None,
    "DEMO_GOOGLE_HEALTH_ACCESS_TOKEN_SECONDS": 3600,
    "DEMO_GOOGLE_HEALTH_REFRESH_TOKEN_DAYS": 7,
    "DEMO_GOOGLE_HEALTH_RATE_LIMIT": 300,
    "DEMO_GOOGLE_HEALTH_FAULT_DELAY": 30.0,
    "DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": None,
    "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": None,
    "SESSION_COOKIE_NAME": "demo_google_health_session",
    **BEHAVIOUR_DEFAULTS,
}


def _uris(setting: str | list | tuple | None) -> tuple[str, ...]:
    if isinstance(setting, str):  # one URI given on its own
        return (setting,)
    return tuple(setting or ())


def _init_state(app: Flask) -> None:
    config = app.config
    state = HealthState(
        clients=dict(config["DEMO_GOOGLE_HEALTH_CLIENTS"]),
        redirect_uris=_uris(config["DEMO_GOOGLE_HEALTH_REDIRECT_URIS"]),
        clock=make_clock(config["DEMO_GOOGLE_HEALTH_NOW"], "DEMO_GOOGLE_HEALTH_NOW"),
        quota=MinuteQuota(int(config["DEMO_GOOGLE_HEALTH_RATE_LIMIT"])),
        access_seconds=int(config["DEMO_GOOGLE_HEALTH_ACCESS_TOKEN_SECONDS"]),
        refresh_days=int(config["DEMO_GOOGLE_HEALTH_REFRESH_TOKEN_DAYS"]),
        fault_delay=float(config["DEMO_GOOGLE_HEALTH_FAULT_DELAY"]),
        subscriber_url=config["DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL"],
        subscriber_secret=config["DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET"],
        behaviours=Behaviours.of(config), signer=Signer())
    state.oauth = build_server(state)
    app.extensions[EXTENSION] = state
    # Faults are served outside the lock, so a "timeout" never holds up other calls.
    app.wsgi_app = FaultWSGI(LockedWSGI(app.wsgi_app, state.db_lock), state)


def create_demo_app(config: dict) -> Flask:
    """Create the demo Google Health service from a plain config mapping."""
    app = Flask(__name__, static_folder=None)
    configure(app, DEFAULTS, config, ("SECRET_KEY", "DEMO_GOOGLE_HEALTH_CLIENTS"), "Google Health")
    init_database(app, health_db)
    _init_state(app)
    init_pages(app, "Demo Google Health", "builtin_services/google_health/style.css",
               tagline="a built-in stand-in for Google's sign-in and Health API")
    app.register_blueprint(provider.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(signing.bp)
    register_errors(app)
    return app
