"""Serve fitlink (with the built-in service mounted) on a real port and drive it in Debian Chromium."""

import os
import socket
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers import build_app, close_database, make_config
from services import SlowDataCalls
from fitlink import jobs
from fitlink.builtin_services.common.server import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def free_port() -> int:
    """Return a port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """fitlink as `make run` serves it: CSRF on, both built-in services mounted on the same server,
    and jobs asynchronous, run by the consumer inside the web process as in production."""
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    config = make_config(
        tmp, f"http://127.0.0.1:{port}/demo-fitbit",
        WTF_CSRF_ENABLED=True,
        JOBS_IMMEDIATE=False,
        JOBS_IN_PROCESS=True,
        DEMO_FITBIT_DATABASE_URI=f"sqlite:///{tmp / 'demo_fitbit.sqlite'}",
        DEMO_GOOGLE_HEALTH_URL=f"http://127.0.0.1:{port}/demo-google-health",
        DEMO_GOOGLE_HEALTH_DATABASE_URI=f"sqlite:///{tmp / 'demo_google_health.sqlite'}",
        ARCHIVE_UPLOAD_DIR=str(tmp / "uploads"),
    )
    app = build_app(config)
    # A provider that takes its time, as a real one does: the page must fill while it imports.
    demo = app.extensions["builtin_fitbit_app"]
    demo.wsgi_app = SlowDataCalls(demo.wsgi_app, 0.25)
    jobs.huey.flush()  # nothing another test left queued
    with serve_in_thread(app, port=port) as server:
        yield app, server.url
    jobs.stop_embedded_consumer()
    close_database(app)


@pytest.fixture(scope="module")
def live_url(live_app):
    return live_app[1]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright; a missing browser fails loudly instead of skipping."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is missing at {CHROMIUM}. Run `make install-test` (it installs Debian's "
                    "chromium package with apt); never `playwright install`, which cannot download here.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleWatch:
    """Every console error and uncaught page error seen on any page of a context."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{page.url}: {msg.text}"))
        page.on("pageerror", lambda err: self.errors.append(f"{page.url}: {err}"))


def open_page(browser, viewport: dict, **options):
    """Open a fresh context and page of the given size, watching its console."""
    context = browser.new_context(viewport=viewport, accept_downloads=True, **options)
    watch = ConsoleWatch()
    context.on("page", watch.attach)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page, watch


@pytest.fixture
def desktop(browser):
    context, page, watch = open_page(browser, DESKTOP)
    yield page
    context.close()
    assert watch.errors == [], "console errors: " + "\n".join(watch.errors)


@pytest.fixture
def phone(browser):
    context, page, watch = open_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()
    assert watch.errors == [], "console errors: " + "\n".join(watch.errors)


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot of the page (or of what the viewport shows) under tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def shows_the_whole_day(page) -> None:
    """The day page draws one timeline: the night's stages (hypnogram), the heart-rate curve and hourly steps."""
    expect(page.locator(".timeline svg[role=img]")).to_be_visible()
    expect(page.locator(".timeline path.stage").first).to_be_attached()
    expect(page.locator(".timeline path.heart-line")).to_have_count(1)
    expect(page.locator(".timeline path.bar-steps")).to_have_count(1)
    expect(page.locator('table[data-table="hours"] tbody tr').first).to_be_attached()
