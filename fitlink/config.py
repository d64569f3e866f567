"""Configuration in layers: defaults, then instance/config.py, then FITLINK_* environment."""

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from .links import base_url_problem
from .sources import SourceKind


def defaults(instance_path: str) -> dict:
    """Return the settings fitlink's core uses when nothing overrides them (each source brings its own)."""
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
        # The built-in services stand in for a source while it has no credentials (its `configure`);
        # None: on outside production (FITLINK_BUILTIN_SERVICES=true turns them on there too).
        "BUILTIN_SERVICES": None,
        "BACKFILL_MAX_DAYS": 365,
        # How far back a live source's minute series (heart rate, steps, calories) are fetched;
        # daily values keep BACKFILL_MAX_DAYS.
        "INTRADAY_BACKFILL_DAYS": 90,
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


def demo_url(path: str) -> str:
    """Where `flask run` serves a mounted built-in service (it calls itself there)."""
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    return f"http://{host}:{port}{path}"


def load_config(app: Flask, test_config: dict | None, source_kinds: Iterable[SourceKind] = ()) -> None:
    """Fill app.config from defaults (the core's, each source's), instance/config.py, the environment, test_config."""
    app.config.from_mapping(defaults(app.instance_path))
    for kind in source_kinds:
        app.config.from_mapping(kind.defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FITLINK")
    if test_config:
        app.config.from_mapping(test_config)
    production = app.config["ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("FITLINK_SECRET_KEY must be set when FITLINK_ENV=production.")
        app.config["SECRET_KEY"] = instance_secret(app, "secret_key")
    if isinstance(app.config["TRUSTED_HOSTS"], str):
        app.config["TRUSTED_HOSTS"] = [host.strip() for host in app.config["TRUSTED_HOSTS"].split(",") if host.strip()]
    problem = link_origin_problem(app.config, production)
    if problem:
        raise RuntimeError(problem)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    if app.config["BUILTIN_SERVICES"] is None:
        app.config["BUILTIN_SERVICES"] = not production
    for kind in source_kinds:
        if kind.configure:
            kind.configure(app)


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


def builtin_service_url(app: Flask, prefix: str, path: str, webhook: str) -> str:
    """Fill a source's DEMO_<prefix>_* settings for its built-in service mounted at path; return its URL.

    The mounted service notifies fitlink's own webhook (at `webhook`), as the real provider would.
    """
    config = app.config
    base = (config[f"DEMO_{prefix}_URL"] or demo_url(path)).rstrip("/")
    config[f"DEMO_{prefix}_URL"] = base
    if not config[f"DEMO_{prefix}_DATABASE_URI"]:
        config[f"DEMO_{prefix}_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / f'demo_{prefix.lower()}.sqlite'}"
    config.setdefault(f"DEMO_{prefix}_SUBSCRIBER_URL", base.removesuffix(path) + webhook)
    return base


def instance_secret(app: Flask, name: str) -> str:
    """Read a generated secret from instance/, creating it on first use."""
    path = Path(app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
