"""Configuration in layers: defaults, then instance/config.py, then FITLINK_* environment."""

import os
import secrets
from pathlib import Path

from flask import Flask

from .links import base_url_problem

# Where Google publishes the public keys of its webhook signatures (google-health-api.md, Webhooks).
GOOGLE_KEYSET_URL = "https://www.gstatic.com/googlehealthapi/webhooks/webhooks_public_keyset.json"


def defaults(instance_path: str) -> dict:
    """Return the settings fitlink uses when nothing overrides them."""
    instance = Path(instance_path)
    return {
        "ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'fitlink.sqlite'}",
        "REDIS_URL": None,
        "HUEY_SQLITE_PATH": str(instance / "huey.sqlite"),
        # A consumer in the web process; gunicorn.conf.py turns it off (separate consumers run).
        "JOBS_IN_PROCESS": True,
        "JOBS_IMMEDIATE": False,
        "REFRESH_MINUTES": 60,
        "SYNC_LEASE_SECONDS": 120,
        "FITBIT_CLIENT_KEY": None,
        "FITBIT_CLIENT_SECRET": None,
        "FITBIT_REQUEST_TOKEN_URL": None,
        "FITBIT_AUTHORIZATION_URL": None,
        "FITBIT_ACCESS_TOKEN_URL": None,
        "FITBIT_API_BASE_URL": None,
        "FITBIT_TIMEOUT": 10,
        "FITBIT_RETRY_BACKOFF": 0.5,
        "FITBIT_SUBSCRIBER_VERIFICATION_CODE": None,
        "GOOGLE_HEALTH_CLIENT_ID": None,
        "GOOGLE_HEALTH_CLIENT_SECRET": None,
        "GOOGLE_HEALTH_AUTHORIZATION_URL": "https://accounts.google.com/o/oauth2/v2/auth",
        "GOOGLE_HEALTH_TOKEN_URL": "https://oauth2.googleapis.com/token",
        "GOOGLE_HEALTH_REVOKE_URL": "https://oauth2.googleapis.com/revoke",
        "GOOGLE_HEALTH_API_BASE_URL": "https://health.googleapis.com",
        "GOOGLE_HEALTH_WEBHOOK_SECRET": None,
        # None: Google's published keyset, or the built-in service's when that stands in for Google.
        "GOOGLE_HEALTH_WEBHOOK_KEYSET_URL": None,
        # Google batches up to 99 notifications in one POST (about 100 KB at most).
        "GOOGLE_HEALTH_WEBHOOK_MAX_BYTES": 256 * 1024,
        "GOOGLE_HEALTH_TIMEOUT": 10,
        "GOOGLE_HEALTH_RETRY_BACKOFF": 0.5,
        # The built-in services stand in for Fitbit and Google while no credentials are set;
        # None: on outside production (FITLINK_BUILTIN_SERVICES=true turns them on there too).
        "BUILTIN_SERVICES": None,
        "DEMO_FITBIT_URL": _demo_url_from_run_env("/demo-fitbit"),
        "DEMO_GOOGLE_HEALTH_URL": _demo_url_from_run_env("/demo-google-health"),
        "DEMO_GOOGLE_HEALTH_DATABASE_URI": f"sqlite:///{instance / 'demo_google_health.sqlite'}",
        "DEMO_FITBIT_DATABASE_URI": f"sqlite:///{instance / 'demo_fitbit.sqlite'}",
        "BACKFILL_MAX_DAYS": 365,
        # How far back a live source's minute series (heart rate, steps, calories) are fetched;
        # daily values keep BACKFILL_MAX_DAYS.
        "INTRADAY_BACKFILL_DAYS": 90,
        "ARCHIVE_MAX_BYTES": 8 * 1024 ** 3,  # largest archive upload (all parts together)
        "ARCHIVE_MAX_UNCOMPRESSED_BYTES": 40 * 1024 ** 3,  # what its health files may expand to
        "ARCHIVE_UPLOAD_DIR": None,  # None: instance/uploads
        "ARCHIVE_MAX_FILES": 20,  # parts in one upload (Takeout splits at 1 GB or more)
        "ARCHIVE_STALE_SECONDS": 24 * 3600,  # uploads left behind this long (a crash) are swept
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": None,  # None: Secure outside development
        "SESSION_PERMANENT": True,
        # Write the session only when it changes, not on every page view.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_SQLALCHEMY_TABLE": "sessions",
        "SESSION_CLEANUP_N_REQUESTS": 1000,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        # Largest request body; a view may allow more or less (security.body_limit).
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "FITBIT_WEBHOOK_MAX_BYTES": 16 * 1024,
        # Where links in mails point, e.g. "https://fitlink.example.org" (None: the request's host,
        # which production accepts only with TRUSTED_HOSTS set; see links.py).
        "BASE_URL": None,
        # Host names this site answers to; others get 400 (Flask). A comma-separated string works too.
        "TRUSTED_HOSTS": None,
        # How many reverse proxies in front set X-Forwarded-For/-Proto (0: none; trust no header).
        "TRUSTED_PROXIES": 0,
        # JSON list of Fernet keys for tokens at rest; the first encrypts (crypto.py).
        "TOKEN_KEYS": None,
        # werkzeug's generate_password_hash method: its default, scrypt (2**15 rounds). The test
        # suite names a cheaper scrypt so that hundreds of sign-ups do not cost a minute.
        "PASSWORD_HASH_METHOD": "scrypt",
    }


def _demo_url_from_run_env(path: str) -> str:
    """Where `flask run` serves a mounted built-in service (it calls itself there)."""
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    return f"http://{host}:{port}{path}"


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment and test_config."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FITLINK")
    if test_config:
        app.config.from_mapping(test_config)
    production = app.config["ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("FITLINK_SECRET_KEY must be set when FITLINK_ENV=production.")
        app.config["SECRET_KEY"] = _instance_secret(app, "secret_key")
    if isinstance(app.config["TRUSTED_HOSTS"], str):
        app.config["TRUSTED_HOSTS"] = [host.strip() for host in app.config["TRUSTED_HOSTS"].split(",") if host.strip()]
    problem = link_origin_problem(app.config, production)
    if problem:
        raise RuntimeError(problem)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    builtin = app.config["BUILTIN_SERVICES"]
    if builtin is None:
        builtin = app.config["BUILTIN_SERVICES"] = not production
    if builtin and not app.config["FITBIT_CLIENT_KEY"]:
        use_builtin_fitbit(app)
    if builtin and not app.config["GOOGLE_HEALTH_CLIENT_ID"]:
        use_builtin_google_health(app)
    if not app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"]:
        app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"] = GOOGLE_KEYSET_URL


def link_origin_problem(config, production: bool) -> str | None:
    """Return why links in mails could point at a forged host, or None when they cannot.

    A password-reset mail carries a live token: in production its link must come
    from FITLINK_BASE_URL, or from a request whose Host passed FITLINK_TRUSTED_HOSTS.
    """
    if config["BASE_URL"]:
        return base_url_problem(config["BASE_URL"])
    if production and not config["TRUSTED_HOSTS"]:
        return ("FITLINK_ENV=production needs FITLINK_BASE_URL (e.g. https://fitlink.example.org) or "
                "FITLINK_TRUSTED_HOSTS (e.g. fitlink.example.org): otherwise password-reset links "
                "are built from whatever Host header a request brings.")
    return None


def use_builtin_fitbit(app: Flask) -> None:
    """Point the Fitbit settings at the built-in service mounted under /demo-fitbit."""
    base = app.config["DEMO_FITBIT_URL"].rstrip("/")
    # The mounted service notifies fitlink's own webhook, like Fitbit's subscriptions.
    app.config.setdefault("DEMO_FITBIT_SUBSCRIBER_URL", base.removesuffix("/demo-fitbit") + "/fitbit/webhook")
    app.config.update(
        FITBIT_CLIENT_KEY="fitlink-builtin",
        FITBIT_CLIENT_SECRET=app.config.get("DEMO_FITBIT_CLIENT_SECRET")
        or _instance_secret(app, "demo_fitbit_client_secret"),
        FITBIT_REQUEST_TOKEN_URL=f"{base}/oauth/request_token",
        FITBIT_AUTHORIZATION_URL=f"{base}/oauth/authorize",
        FITBIT_ACCESS_TOKEN_URL=f"{base}/oauth/access_token",
        FITBIT_API_BASE_URL=base,
        BUILTIN_FITBIT=True,
    )


def use_builtin_google_health(app: Flask) -> None:
    """Point the Google Health settings at the built-in service mounted under /demo-google-health."""
    base = app.config["DEMO_GOOGLE_HEALTH_URL"].rstrip("/")
    app.config.setdefault("DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL",
                          base.removesuffix("/demo-google-health") + "/google-health/webhook")
    app.config.update(
        GOOGLE_HEALTH_CLIENT_ID="fitlink-builtin",
        GOOGLE_HEALTH_CLIENT_SECRET=app.config.get("DEMO_GOOGLE_HEALTH_CLIENT_SECRET")
        or _instance_secret(app, "demo_google_health_client_secret"),
        GOOGLE_HEALTH_AUTHORIZATION_URL=f"{base}/o/oauth2/v2/auth",
        GOOGLE_HEALTH_TOKEN_URL=f"{base}/token",
        GOOGLE_HEALTH_REVOKE_URL=f"{base}/revoke",
        GOOGLE_HEALTH_API_BASE_URL=base,
        BUILTIN_GOOGLE_HEALTH=True,
    )
    if not app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"]:
        # The mounted service signs its notifications and publishes its keys here.
        app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"] = f"{base}/webhooks/public_keyset.json"
    if not app.config["GOOGLE_HEALTH_WEBHOOK_SECRET"]:
        # The mounted service notifies fitlink's own webhook with this Authorization value.
        app.config["GOOGLE_HEALTH_WEBHOOK_SECRET"] = "Bearer " + _instance_secret(app, "demo_google_health_webhook")


def _instance_secret(app: Flask, name: str) -> str:
    """Read a generated secret from instance/, creating it on first use."""
    path = Path(app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
