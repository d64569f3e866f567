"""The other two ways to real data, in a real browser with jobs asynchronous: Google Health and an archive."""

import re

import pytest
from playwright.sync_api import Page, expect

from archive_gen import Spec, generate
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today

from .conftest import screenshot, shows_the_whole_day
from .test_journey import sign_up

pytestmark = pytest.mark.browser


def test_google_health_journey(desktop: Page, live_url: str):
    page = desktop
    sign_up(page, live_url, "kiri@example.org")
    expect(page.get_by_role("link", name="Connect Google Health")).to_be_visible()
    page.get_by_role("link", name="Connect Google Health").click()
    expect(page).to_have_url(re.compile(r"/demo-google-health/o/oauth2/v2/auth"))
    page.locator('input[name="account"][value="kiri"]').check()
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("status").first).to_contain_text("Connected to Google Health")

    today = daily_values("kiri", local_today(get_account("kiri")))
    expect(page.get_by_text("Importing history")).to_be_visible()
    expect(page.locator('[data-metric="steps"]')).to_have_text(f"{today['steps']:,}", timeout=30_000)
    expect(page.get_by_text("History imported: 100%")).to_be_visible(timeout=90_000)
    expect(page.locator('[data-source="google_health"]')).to_contain_text("Google Health")
    expect(page.get_by_role("link", name="Connect Fitbit")).to_be_visible()  # the other source is still offered
    screenshot(page, "desktop-google-health")
    # Yesterday, from Google Health: the night's stages, the minute heart rate, the hourly steps.
    page.locator("#today-title a").click()
    page.get_by_role("link", name="Previous day").click()
    shows_the_whole_day(page)
    screenshot(page, "desktop-google-health-day")


def test_archive_journey(phone: Page, live_url: str, tmp_path):
    page = phone
    archive = generate(tmp_path / "archive", Spec(parts=2, zone="America/New_York", days=40))
    sign_up(page, live_url, "ada@example.org")
    page.get_by_role("link", name="Import a Fitbit archive").click()
    page.get_by_label("Archive").set_input_files([str(path) for path in archive.parts])
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("status").first).to_contain_text("Your archive is uploaded")

    last = archive.last_day
    steps = archive.expected["steps"][last]
    # With no live source, the cards show the latest day the archive holds, and say so.
    expect(page.locator('[data-metric="steps"]')).to_have_text(f"{round(steps):,}", timeout=60_000)
    expect(page.get_by_text("the latest day your imported data holds")).to_be_visible()
    expect(page.get_by_text("History imported: 100%")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Times as recorded: your profile's zone, America/New_York")).to_be_visible()
    # The page's head and export follow the data too: the person's name, and the days the archive holds.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada L.")
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute("href", re.compile(f"end={last}"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "phone-archive")
    # A day the archive holds heart rate and a night for, on the phone.
    day = max(set(archive.heart_rate) & set(archive.expected["sleep"]))
    page.goto(f"{live_url}/day/{day}")
    shows_the_whole_day(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "phone-archive-day")
    page.goto(f"{live_url}/dashboard")

    page.get_by_role("button", name="Delete imported data").click()
    expect(page.get_by_role("status").first).to_contain_text("deleted")
    expect(page.get_by_role("link", name="Import a Fitbit archive")).to_be_visible()
