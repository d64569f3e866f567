"""Fixtures of the Google Health tests: the built-in Google Health service on a loopback port, and fitlink pointed at it.

`demo` is the service (its settings: `demo_settings`, which a module overrides, and `options`,
which a test parametrizes), on `clock`: fitlink's, run on from FROZEN for fitlink and the
service alike, unless the module gives a clock of its own. `server` serves it; `source` is
fitlink's Google Health source consented by alex; `app` is fitlink using the service (its
settings beyond the helpers': `fitlink_settings`, which a module overrides), and
`client` a browser signed up to it. Helpers live in helpers/google_health.py.
"""

import pytest
from flask import Flask
from helpers import closing, signed_up_client
from helpers.google_health import FROZEN, build_fitlink, consent, demo_service, open_source

from fitlink import clock as fitlink_clock
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.google_health.config import URL_SETTINGS
from fitlink.transport import allow_loopback_http


@pytest.fixture
def clock():
    """The clock of fitlink and the service for the test: fitlink's own, run on from FROZEN."""
    fitlink_clock.travel_to(FROZEN)
    return fitlink_clock


@pytest.fixture
def demo_settings():
    """The service's settings for every test of a module (a module overrides this fixture)."""
    return {}


@pytest.fixture
def options():
    """The service's live-API behaviours a test turns on (behaviours.py), by parametrizing this fixture."""
    return {}


@pytest.fixture
def demo(clock, demo_settings, options):
    yield from closing(demo_service(**demo_settings, **options))


@pytest.fixture
def server(demo, monkeypatch):
    """The service on a port; the source's own clients talk plain HTTP to it as fitlink allows on loopback."""
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    with serve_in_thread(demo) as handle:
        checker = Flask("loopback-check")
        checker.config.update(GOOGLE_HEALTH_TOKEN_URL=f"{handle.url}/token", GOOGLE_HEALTH_API_BASE_URL=handle.url)
        allow_loopback_http(checker, URL_SETTINGS)
        yield handle


@pytest.fixture
def source(server):
    opened = open_source(server, consent(server))
    yield opened
    opened.close()


@pytest.fixture
def fitlink_settings():
    """fitlink's settings beyond helpers.google_health.build_fitlink's, for a module (which overrides this)."""
    return {}


@pytest.fixture
def app(tmp_path, server, monkeypatch, fitlink_settings):
    yield from closing(build_fitlink(tmp_path, server.url, monkeypatch, **fitlink_settings))


@pytest.fixture
def client(app):
    return signed_up_client(app)
