"""A built-in service that behaves like the legacy Fitbit Web API and its OAuth 1.0a provider.

Interface (other modules rely on these names):

- ``create_demo_app(config)`` builds the Flask app. Config keys:
  ``DEMO_FITBIT_CLIENTS`` {client_key: client_secret} (required), ``SECRET_KEY``
  (required), ``SQLALCHEMY_DATABASE_URI`` (default in-memory SQLite),
  ``DEMO_FITBIT_RATE_LIMIT`` (calls per window per access token, default 150),
  ``DEMO_FITBIT_RATE_WINDOW`` (the window in seconds, default 3600: the clock hour),
  ``DEMO_FITBIT_SUBSCRIBER_URL`` / ``DEMO_FITBIT_SUBSCRIBER_ID`` (push notifications),
  ``DEMO_FITBIT_NOW`` (an aware datetime or a callable returning one: the service's
  clock, which decides every account's "today"), ``TESTING``.
- ``call_log(app)`` lists every data call received as ``ApiCall(path, token)``
  (path without any mount prefix; token "" when absent); ``reset_call_log(app)``.
- ``record_activity(app, account, steps, day=None)`` adds steps and notifies;
  ``revoke_tokens(app, account)`` deletes an account's access tokens.
- ``common.accounts.daily_values(name, day)``, ``common.accounts.get_account(name)``,
  ``common.accounts.local_today(account)``: the data the service serves (both built-in
  services serve the same accounts).
- ``common.server.serve_in_thread(app)`` runs any WSGI app on a local port.
- ``cli.demo_cli``: the ``demo-fitbit record|revoke`` commands.
"""

from __future__ import annotations

from flask import Flask
from oauthlib.oauth1 import WebApplicationServer

from ..common.service import configure, init_database, init_pages
from ..common.state import LockedWSGI, make_clock

from . import api, day_api, pages, provider  # noqa: F401  (day_api: its routes join api.bp)
from .activity import record_activity, revoke_tokens
from .cli import demo_cli
from .models import demo_db
from .state import EXTENSION, ApiCall, DemoState, RateLimiter, call_log, reset_call_log
from .validator import DemoValidator

__all__ = ["ApiCall", "create_demo_app", "call_log", "demo_cli", "record_activity",
           "reset_call_log", "revoke_tokens"]

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "DEMO_FITBIT_RATE_LIMIT": 150,
    "DEMO_FITBIT_RATE_WINDOW": 3600,
    "DEMO_FITBIT_SUBSCRIBER_URL": None,
    "DEMO_FITBIT_SUBSCRIBER_ID": "1",
    "DEMO_FITBIT_NOW": None,
    "SESSION_COOKIE_NAME": "demo_fitbit_session",
}


def _init_state(app: Flask) -> None:
    clients = dict(app.config["DEMO_FITBIT_CLIENTS"])
    limiter = RateLimiter(int(app.config["DEMO_FITBIT_RATE_LIMIT"]), float(app.config["DEMO_FITBIT_RATE_WINDOW"]))
    state = DemoState(
        clients=clients, limiter=limiter,
        clock=make_clock(app.config["DEMO_FITBIT_NOW"], "DEMO_FITBIT_NOW"),
        oauth=WebApplicationServer(DemoValidator(clients)),
        subscriber_url=app.config["DEMO_FITBIT_SUBSCRIBER_URL"],
        subscriber_id=str(app.config["DEMO_FITBIT_SUBSCRIBER_ID"]))
    app.extensions[EXTENSION] = state
    app.wsgi_app = LockedWSGI(app.wsgi_app, state.db_lock)


def create_demo_app(config: dict) -> Flask:
    """Create the demo Fitbit service from a plain config mapping."""
    app = Flask(__name__)
    configure(app, DEFAULTS, config, ("SECRET_KEY", "DEMO_FITBIT_CLIENTS"), "Fitbit")
    init_database(app, demo_db)
    _init_state(app)
    init_pages(app, "Fitbit (built-in demo)", "builtin_services/fitbit/style.css")
    app.register_blueprint(provider.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    api.register_errors(app)
    app.cli.add_command(demo_cli)
    return app
