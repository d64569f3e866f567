"""Helpers every test module may import (`from helpers import ...`); fixtures live in conftest.py.

Test modules import helpers from here (or from helpers.google_health, services, faults,
archive_gen), never from each other or from conftest.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import make_url

from fitlink import create_app
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.extensions import db
from fitlink.models import DailyMetric

from .schema import clean_schema

CLIENT_SECRET = "test-demo-client-secret"
PASSWORD = "correct horse battery"
# Where an app finds the built-in Fitbit service when its test did not ask for one (`provider`): the
# discard port, where nothing listens, so a test that needs the service and does not say so fails.
NO_PROVIDER = "http://127.0.0.1:9/demo-fitbit"
# werkzeug's scrypt at 2**10 rounds instead of 2**15: a real salted scrypt hash, 30 times cheaper
# (fitlink's default stays werkzeug's; test_auth checks it).
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"

# CI runs the suite a second time on PostgreSQL and Redis by setting these. Under
# pytest-xdist (`make test`) each worker takes a database and a Redis database of its own,
# derived from these, so workers never drop each other's tables or flush each other's queue.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... or None without xdist
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
WORKER_REDIS_DATABASES = 3  # workers `make test` may start (-n 3): the suite's Redis databases are N, N-1, N-2


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
                           f"{WORKER_REDIS_DATABASES} workers (make test: -n 3)")
    return f"{base}/{int(number) - WORKER_INDEX}"


TEST_DATABASE_URI = worker_database_uri(os.environ.get("FITLINK_TEST_DATABASE_URI"))
TEST_REDIS_URL = worker_redis_url(os.environ.get("FITLINK_TEST_REDIS_URL"))

# FITLINK_TEST_NOW (an ISO instant with its offset) runs every test from that instant on,
# for the app, its jobs and the built-in services alike: CI runs the suite at several
# dates this way. Tests that want one fixed instant take ONE_DAY: that instant, or a
# default that never moves.
TEST_NOW = datetime.fromisoformat(os.environ["FITLINK_TEST_NOW"]) if os.environ.get("FITLINK_TEST_NOW") else None
ONE_DAY = TEST_NOW or datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


# Days of minute series a test's first sync fetches: today and yesterday (a call per day and
# series on Fitbit). The default 90 days would outrun the built-in service's 150 calls an hour
# on every connect; tests of the intraday backfill set their own.
INTRADAY_DAYS = 2


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
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        "INTRADAY_BACKFILL_DAYS": INTRADAY_DAYS,
    }
    config.update(overrides)
    return config


def build_app(config: dict):
    """Create an app on a clean schema (schema.py: made once per database, emptied for each app)."""
    app = create_app(config)
    with app.app_context():
        clean_schema(app)
    return app


def closing(app):
    """For a fixture (`yield from closing(app)`): yield the Flask app, then close its database."""
    yield app
    close_database(app)


def close_database(app) -> None:
    """Close the session and pooled connections of a Flask app's database (fitlink's, or a built-in service's own)."""
    database = app.extensions["sqlalchemy"]
    with app.app_context():
        database.session.remove()
        for engine in database.engines.values():
            dispose(engine)


def dispose(engine, timeout: float = 10.0) -> None:
    """Close an engine's pooled connections once every checked-out one is back in the pool.

    A test's served app may still be tearing down a request when the test ends: werkzeug's
    threaded server answers before the request's app context ends (which hands its connection
    back) and does not wait for its request threads on shutdown. Disposing the pool meanwhile
    would leave that connection in a pool nobody closes, and PostgreSQL's driver would warn about
    it in whichever later test the garbage collector ran in. A connection still out after
    `timeout` seconds is a leak: say so here, in the test that made it.
    """
    pool = engine.pool
    deadline = time.monotonic() + timeout
    while getattr(pool, "checkedout", lambda: 0)() and time.monotonic() < deadline:
        time.sleep(0.01)
    out = getattr(pool, "checkedout", lambda: 0)()
    engine.dispose()
    assert not out, f"{out} database connection(s) of {engine.url!r} still checked out {timeout} s after the test"


def served(app, **options):
    """For a fixture (`yield from served(app)`): serve a WSGI app on a loopback port for the test; yield its handle."""
    with serve_in_thread(app, **options) as handle:
        yield handle


class Receiver:
    """A tiny subscriber endpoint, standing in for fitlink, that records every request a built-in service sends it."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.url = ""

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").title(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append((headers, body))
        start_response("204 No Content", [])
        return [b""]


def receiving(path: str):
    """For a fixture (`yield from receiving(path)`): a Receiver served on a port, its `url` that port's path."""
    receiver = Receiver()
    with serve_in_thread(receiver) as handle:
        receiver.url = f"{handle.url}{path}"
        yield receiver


def signup(client, email="ada@example.org", password=PASSWORD):
    """Sign up through the form and return the response (already logged in)."""
    return client.post(
        "/signup", data={"email": email, "password": password, "confirm": password}
    )


def signed_up_client(app, email="ada@example.org"):
    """Return a test client of app signed up (so logged in) as email."""
    client = app.test_client()
    signup(client, email=email)
    return client


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


def connected_client(app, account: str = "alex", email: str = "ada@example.org"):
    """A browser of a new fitlink user who connected the built-in Fitbit account `account`, its history imported."""
    client = app.test_client()
    signup(client, email=email)
    connect(client, account=account)
    return client


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
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def mail_config(port: int) -> dict:
    """Settings that send fitlink's mail to the test SMTP server on port."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_DEFAULT_SENDER": "fitlink@example.org"}


def sign(body: bytes, secret: str = CLIENT_SECRET) -> str:
    """Sign a Fitbit subscription notification as the service does (X-Fitbit-Signature)."""
    return base64.b64encode(hmac.new((secret + "&").encode(), body, hashlib.sha1).digest()).decode()


def notification(owner: str, collection: str = "activities", day: str | None = "2026-11-20") -> bytes:
    """Return the body of a Fitbit subscription notification about owner's data."""
    note = {"collectionType": collection, "date": day, "ownerId": owner, "ownerType": "user", "subscriptionId": "1"}
    return json.dumps([{name: value for name, value in note.items() if value is not None}]).encode()


def post(client, body: bytes, signature: str | None = None):
    """Post a notification to fitlink's Fitbit webhook, signed unless signature says otherwise."""
    return client.post("/fitbit/webhook", data=body, content_type="application/json",
                       headers={"X-Fitbit-Signature": sign(body) if signature is None else signature})


@contextmanager
def counted_statements(app):
    """Yield a list that holds the SQL statements the app runs inside the block.

    Not counted: Flask-Session's delete of expired sessions, which it runs in one request of
    SESSION_CLEANUP_N_REQUESTS at random (CI once saw a dashboard "take" 9 queries that way).
    """
    cleanup = f"DELETE FROM {app.config['SESSION_SQLALCHEMY_TABLE']} "
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_rest):
        if not statement.startswith(cleanup):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def count_statements(app, client, path: str) -> int:
    """Return how many SQL statements the request for path runs (it must answer 200)."""
    with counted_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def steps_on(database_url: str, day: date) -> float | None:
    """Read the steps stored for `day` straight from the database a fitlink process writes."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = select(DailyMetric.value).where(DailyMetric.metric == "steps", DailyMetric.day == day)
            return connection.scalar(query)
    finally:
        engine.dispose()


def job_lines(log) -> list[dict]:
    """Return the job lines (fitlink.logs) of a process's JSON log file."""
    return [line for line in map(json.loads, filter(lambda text: text.startswith("{"), log.read_text().splitlines()))
            if line.get("event") == "job"]


def table_rows(html: str, key: str) -> list[list[str]]:
    """Return the cells of each body row of the table marked data-table=key (a day page's tables)."""
    body = re.search(rf'data-table="{key}">.*?<tbody>(.*?)</tbody>', html, re.S)[1]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
