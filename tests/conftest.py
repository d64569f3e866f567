"""Fixtures, each building only what the test asks for (helpers live in helpers/, imported from there).

`app` is a fitlink app on a clean schema (helpers/schema.py); `provider` is the built-in
Fitbit service, an app of its own for each test, made only when the test first calls it,
on one port served for the whole run; `client`, `runner` and `smtp` are what they say, and
`mail_app` is an app that sends its mail to `smtp`. The Google Health tests' fixtures are in
google_health/conftest.py.
"""

import socket
import threading
import weakref
from contextlib import ExitStack, contextmanager

import pytest
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitlink import clock
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app
from fitlink.builtin_services.fitbit.models import demo_db
from fitlink.extensions import db
from helpers import (
    CLIENT_SECRET, NO_PROVIDER, TEST_DATABASE_URI, TEST_NOW, TEST_REDIS_URL, WORKER, Inbox, build_app, close_database,
    closing, dispose, mail_config, make_config,
)


def pytest_addoption(parser):
    parser.addoption("--serial", choices=("include", "exclude", "only"), default="include",
                     help="run the tests marked serial with the rest (include), leave them out (exclude: "
                          "`make test`'s parallel run) or run only them (only: its second, quiet run)")


# Fixtures that serve on a loopback port: a test using one is marked `ports` (README "Tests").
PORT_FIXTURES = {"provider", "provider_server", "smtp"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark the tests that use a port fixture `ports`, and group those that share a module fixture (a
    live server, a deployment) on one xdist worker (`--dist loadgroup`: the rest are dealt one by one);
    keep the tests --serial asks for (the rest are deselected, and pytest exits 5 when none are left)."""
    for item in items:
        if PORT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.ports)
        if _uses_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    mode = config.getoption("serial")
    if mode == "include":
        return
    wanted = mode == "only"
    kept = [item for item in items if (item.get_closest_marker("serial") is not None) == wanted]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def _uses_module_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(definitions[-1].scope == "module"
                                    for definitions in info.name2fixturedefs.values())


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


@pytest.fixture(scope="session", autouse=True)
def claimed_redis_database():
    """Mark the suite's Redis database as in use, so that services.redis_database (which claims a free
    one for a test, and empties it afterwards) never picks it: FITLINK_TEST_REDIS_URL may name one of those."""
    if not TEST_REDIS_URL:
        yield
        return
    from services import CLAIM_KEY

    with Redis.from_url(TEST_REDIS_URL) as redis:
        redis.set(CLAIM_KEY, f"the test suite's {WORKER or 'run'}", ex=3 * 3600)
        try:
            yield
        finally:
            redis.delete(CLAIM_KEY)


def use_suite_clock() -> None:
    """Set the one clock to the suite's: the system's, or FITLINK_TEST_NOW's."""
    if TEST_NOW:
        clock.travel_to(TEST_NOW)
    else:
        clock.use(None)


@pytest.fixture(autouse=True)
def suite_clock():
    """Start every test on the suite's clock; put it back after."""
    use_suite_clock()
    yield
    clock.use(None)


def create_builtin_fitbit():
    """Return the built-in Fitbit-compatible service, with its own in-memory database."""
    return create_demo_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-test-secret",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
        }
    )


@pytest.fixture
def demo_app():
    """The built-in Fitbit-compatible service, for a test that looks inside it (`provider` serves it)."""
    return create_builtin_fitbit()


class ProviderSlot:
    """The WSGI app on the run's provider port: the current test's built-in service, made at its
    first request (most tests that build an app never call it); 503 between tests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.app = None
        self.factory = None

    def serve(self, factory) -> None:
        with self.lock:
            self.app, self.factory = None, factory

    def clear(self):
        """Stop serving the test's service; return it if it was made."""
        with self.lock:
            app, self.app, self.factory = self.app, None, None
        return app

    def __call__(self, environ, start_response):
        with self.lock:
            if self.app is None and self.factory is not None:
                self.app = self.factory()
            app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is using the built-in Fitbit service now"]
        return app(environ, start_response)


@pytest.fixture(scope="session")
def provider_server():
    """One loopback port for the built-in Fitbit service, served from a thread for the whole run."""
    slot = ProviderSlot()
    with serve_in_thread(slot) as handle:
        yield slot, handle


@contextmanager
def serving(slot: ProviderSlot, factory):
    """Serve factory's service (made at its first request) on the run's provider port meanwhile."""
    slot.serve(factory)
    try:
        yield
    finally:
        made = slot.clear()
        if made is not None:
            with made.app_context():
                demo_db.engine.dispose()


@pytest.fixture
def provider(request, provider_server):
    """The built-in service over real HTTP (`provider.url`): the test's demo_app if it asks for one,
    else a fresh service of its own, made when first called; gone when the test ends."""
    slot, handle = provider_server
    if "demo_app" in request.fixturenames:
        demo = request.getfixturevalue("demo_app")
        factory = lambda: demo  # noqa: E731
    else:
        factory = create_builtin_fitbit
    with serving(slot, factory):
        yield handle


@pytest.fixture(scope="module")
def read_only_app(request, tmp_path_factory, provider_server):
    """For a module whose tests only read what a setup stored: one fitlink app for all of them, built with the
    module's `READ_ONLY_CONFIG` (a dict, optional) and filled by its `read_only_setup(app)`, which runs
    once with a fresh built-in Fitbit service served at the app's Fitbit URL; returns what that setup returns. Syncing the same
    history again for each test was most of their time."""
    slot, handle = provider_server
    module = request.module
    with ExitStack() as stack:
        config = make_config(tmp_path_factory.mktemp(module.__name__), handle.url,
                             **getattr(module, "READ_ONLY_CONFIG", {}))
        if TEST_DATABASE_URI:  # a database of its own: the module's other tests empty this worker's for each app
            from services import postgres_database

            config["SQLALCHEMY_DATABASE_URI"] = stack.enter_context(postgres_database())
        app = build_app(config)
        stack.callback(close_database, app)
        stack.callback(clock.use, None)
        use_suite_clock()  # set up before the first test's suite_clock
        with serving(slot, create_builtin_fitbit):
            made = module.read_only_setup(app)
        yield made


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
    """Close the pooled connections of every app this test built (PostgreSQL's driver warns about open ones).

    The apps of module fixtures (a browser test's server, whose job threads hold connections between tests)
    were made before this test started and close their own when their module ends: disposing their engines
    here would leave a connection checked out by one of their threads outside any pool, and its warning
    would fail whichever test the garbage collector happened to run in (CI saw that once).
    """
    before = weakref.WeakSet(db._app_engines)
    yield
    for app, engines in list(db._app_engines.items()):
        if app not in before:
            for engine in engines.values():
                dispose(engine)


@pytest.fixture
def app(request, tmp_path):
    """fitlink on a clean schema. Its built-in Fitbit service is the test's `provider` when the test asks
    for one (`pytest.mark.usefixtures("provider")` or an argument), else an address nothing answers."""
    url = request.getfixturevalue("provider").url if "provider" in request.fixturenames else NO_PROVIDER
    yield from closing(build_app(make_config(tmp_path, url)))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def mail_app(tmp_path, provider, smtp):
    """fitlink sending its mail to the test's `smtp` server, whose inbox is `mail_app.inbox`."""
    port, inbox = smtp
    app = build_app(make_config(tmp_path, provider.url, **mail_config(port)))
    app.inbox = inbox
    return app


@pytest.fixture
def smtp():
    """A real SMTP server on a loopback port; yields (port, inbox)."""
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
