"""Fitbit's settings: their defaults, and the built-in service standing in while no consumer key is set."""

from flask import Flask

from ..config import builtin_service_url, instance_secret

DEFAULTS = {
    "FITBIT_CLIENT_KEY": None,
    "FITBIT_CLIENT_SECRET": None,
    "FITBIT_REQUEST_TOKEN_URL": None,
    "FITBIT_AUTHORIZATION_URL": None,
    "FITBIT_ACCESS_TOKEN_URL": None,
    "FITBIT_API_BASE_URL": None,
    "FITBIT_TIMEOUT": 10,
    "FITBIT_RETRY_BACKOFF": 0.5,
    "FITBIT_SUBSCRIBER_VERIFICATION_CODE": None,
    "FITBIT_WEBHOOK_MAX_BYTES": 16 * 1024,
    # None: `flask run`'s own address, under /demo-fitbit; a SQLite file in instance/.
    "DEMO_FITBIT_URL": None,
    "DEMO_FITBIT_DATABASE_URI": None,
}


def configure(app: Flask) -> None:
    """Use the built-in service when no consumer key is configured (and it may run)."""
    if app.config["BUILTIN_SERVICES"] and not app.config["FITBIT_CLIENT_KEY"]:
        use_builtin_service(app)


def use_builtin_service(app: Flask) -> None:
    """Point the Fitbit settings at the built-in service mounted under /demo-fitbit."""
    config = app.config
    base = builtin_service_url(app, "FITBIT", "/demo-fitbit", "/fitbit/webhook")
    config.update(
        FITBIT_CLIENT_KEY="fitlink-builtin",
        FITBIT_CLIENT_SECRET=config.get("DEMO_FITBIT_CLIENT_SECRET") or instance_secret(app, "demo_fitbit_client_secret"),
        FITBIT_REQUEST_TOKEN_URL=f"{base}/oauth/request_token",
        FITBIT_AUTHORIZATION_URL=f"{base}/oauth/authorize",
        FITBIT_ACCESS_TOKEN_URL=f"{base}/oauth/access_token",
        FITBIT_API_BASE_URL=base,
        BUILTIN_FITBIT=True,
    )
