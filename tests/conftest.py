"""Fixtures: a fitlink app on a fresh database, and the built-in Fitbit service on a real port."""

import os
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
import requests
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitlink import clock, create_app
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app
from fitlink.extensions import db

CLIENT_SECRET = "test-demo-client-secret"
PASSWORD = "correct horse battery"

# CI runs the suite a second time on PostgreSQL and Redis by setting these. Under
# pytest-xdist (`make test`) each worker takes a database and a Redis database of its own,
# derived from these, so two workers never drop each other's tables or flush each other's queue.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... or None without xdist
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
WORKER_REDIS_DATABASES = 2  # workers `make test` may start (-n 2): the suite's Redis databases are N, N-1


def worker_database_uri(uri: str | None) -> str | None:
    """Return this worker's PostgreSQL database: the named one with the worker's id appended."""
    if not uri or not WORKER:
        return uri
    url = make_url(uri)
    return url.set(database=f"{url.database}_{WORKER}").render_as_string(hide_password=False)


def worker_redis_url(uri: str | None) -> str | None:
    """Return this worker's Redis database: the named number minus the worker's index."""
    if not uri or not WORKER:
        return uri
    base, _, number = uri.rpartition("/")
    if WORKER_INDEX >= WORKER_REDIS_DATABASES or int(number) - WORKER_INDEX < 0:
        raise RuntimeError(f"worker {WORKER} has no Redis database below {uri}: run at most "
                           f"{WORKER_REDIS_DATABASES} workers (make test: -n 2)")
    return f"{base}/{int(number) - WORKER_INDEX}"


TEST_DATABASE_URI = worker_database_uri(os.environ.get("FITLINK_TEST_DATABASE_URI"))
TEST_REDIS_URL = worker_redis_url(os.environ.get("FITLINK_TEST_REDIS_URL"))

# FITLINK_TEST_NOW (an ISO instant with its offset) runs every test from that instant on,
# for the app, its jobs and the built-in services alike: CI runs the suite at several
# dates this way. Tests that want one fixed instant take ONE_DAY: that instant, or a
# default that never moves.
TEST_NOW = datetime.fromisoformat(os.environ["FITLINK_TEST_NOW"]) if os.environ.get("FITLINK_TEST_NOW") else None
ONE_DAY = TEST_NOW or datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session", autouse=True)
def worker_database():
    """Under xdist, give this worker a PostgreSQL database of its own for the run, dropped afterwards
    (without xdist the suite uses FITLINK_TEST_DATABASE_URI's database as it is)."""
    if not WORKER or not TEST_DATABASE_URI:
        yield
        return
    from services import PG_ADMIN_URL

    name = make_url(TEST_DATABASE_URI).database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def suite_clock():
    """Start every test on the suite's clock (the system's, or FITLINK_TEST_NOW's); put it back after."""
    if TEST_NOW:
        clock.travel_to(TEST_NOW)
    else:
        clock.use(None)
    yield
    clock.use(None)


@pytest.fixture
def demo_app():
    """The built-in Fitbit-compatible service, with its own in-memory database."""
    return create_demo_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-test-secret",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
        }
    )


@pytest.fixture
def provider(demo_app):
    """The built-in service served on its own port over real HTTP."""
    with serve_in_thread(demo_app) as handle:
        yield handle


def make_config(tmp_path, provider_url: str, **overrides) -> dict:
    """Return a test configuration that talks to provider_url."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URI or f"sqlite:///{tmp_path / 'fitlink.sqlite'}",
        "REDIS_URL": TEST_REDIS_URL,
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite"),
        "JOBS_IMMEDIATE": True,
        "JOBS_IN_PROCESS": False,
        "WTF_CSRF_ENABLED": False,
        "DEMO_FITBIT_URL": provider_url,
        "DEMO_FITBIT_CLIENT_SECRET": CLIENT_SECRET,
        "DEMO_FITBIT_DATABASE_URI": "sqlite://",
        "DEMO_GOOGLE_HEALTH_DATABASE_URI": "sqlite://",
        "FITBIT_TIMEOUT": 3,
        # A week of minute series (a call per day and series on Fitbit): the default 90 days would
        # outrun the built-in service's 150 calls an hour on every connect. Tests of the intraday
        # backfill set their own.
        "INTRADAY_BACKFILL_DAYS": 7,
    }
    config.update(overrides)
    return config


def build_app(config: dict):
    """Create an app and a clean schema on its database."""
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


@pytest.fixture(autouse=True)
def forget_login_attempts():
    """Leave no log-in throttle counts behind in the Redis the suite may share (in memory they die with the app)."""
    yield
    if TEST_REDIS_URL:
        with Redis.from_url(TEST_REDIS_URL) as redis:
            for key in redis.scan_iter("LIMITS*"):
                redis.delete(key)


@pytest.fixture(autouse=True)
def close_database_connections():
    """Close the pooled connections of every app a test built (PostgreSQL's driver warns about open ones)."""
    yield
    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            engine.dispose()


@pytest.fixture
def app(tmp_path, provider):
    app = build_app(make_config(tmp_path, provider.url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def signup(client, email="ada@example.org", password=PASSWORD):
    """Sign up through the form and return the response (already logged in)."""
    return client.post(
        "/signup", data={"email": email, "password": password, "confirm": password}
    )


def login(client, email="ada@example.org", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def authorize_on_provider(authorize_url: str, account="alex", allow=True, other="") -> str:
    """Act as the person on the provider's authorize page; return the callback URL it redirects to."""
    with requests.Session() as browser:
        page = browser.get(authorize_url, timeout=5)
        page.raise_for_status()
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        data = {"account": account, "other_account": other}
        if csrf:
            data["csrf_token"] = csrf.group(1)
        data["allow" if allow else "deny"] = "Allow" if allow else "Deny"
        answer = browser.post(authorize_url, data=data, allow_redirects=False, timeout=5)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def local_path(url: str) -> str:
    """Return the path and query of a URL, for the Flask test client."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def connect(client, account="alex", allow=True):
    """Run the whole OAuth dance from "Connect Fitbit" to fitlink's callback; return the callback response."""
    start = client.get("/fitbit")
    assert start.status_code == 302, start.text
    callback = authorize_on_provider(start.headers["Location"], account=account, allow=allow)
    return client.get(local_path(callback))


class Inbox:
    """The messages a local SMTP server received, as email.message.Message objects."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email

        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list:
        """Return the messages once count have arrived (mail is sent from a thread)."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp():
    """A real SMTP server on a loopback port; yields (port, inbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def mail_config(port: int) -> dict:
    """Settings that send fitlink's mail to the test SMTP server on port."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_DEFAULT_SENDER": "fitlink@example.org"}
