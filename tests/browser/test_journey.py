"""The whole journey in a real browser: sign up, connect, look, switch ranges, export, disconnect, log out."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from helpers import PASSWORD
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today

from .conftest import screenshot, shows_the_whole_day

pytestmark = pytest.mark.browser


def sign_up(page: Page, base: str, email: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="Connect Fitbit")).to_be_visible()


def connect(page: Page, account: str) -> None:
    page.get_by_role("link", name="Connect Fitbit").click()
    expect(page).to_have_url(re.compile(r"/demo-fitbit/oauth/authorize"))
    page.locator(f'input[name="account"][value="{account}"]').check()
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("status").first).to_contain_text("Connected to Fitbit as")


def fills_without_a_reload(page: Page, steps: int) -> None:
    """The import runs as a background job: the page shows today's steps and 100% on its own."""
    reloads = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and reloads.append(frame.url))
    expect(page.get_by_text("Importing history")).to_be_visible()
    expect(page.locator('[data-metric="steps"]')).to_have_text(f"{steps:,}", timeout=30_000)
    expect(page.get_by_text("History imported: 100%")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Importing history")).to_have_count(0)
    # Once nothing runs, the page stops asking.
    expect(page.locator("#live")).not_to_have_attribute("data-busy", "")
    assert reloads == [], f"the page reloaded: {reloads}"


def test_journey_on_a_desktop(desktop: Page, live_url: str, tmp_path):
    page = desktop
    sign_up(page, live_url, "alex@example.org")
    screenshot(page, "desktop-1-not-connected")
    connect(page, "alex")

    account = get_account("alex")
    today = daily_values("alex", local_today(account))
    fills_without_a_reload(page, today["steps"])
    expect(page.get_by_role("heading", level=1)).to_have_text(account.display_name)
    expect(page.locator('[data-metric="steps"]')).to_have_text(f"{today['steps']:,}")
    expect(page.locator('[data-metric="distance"]')).to_have_text(f"{today['distance']:,.2f} km")
    expect(page.locator(".metric .updated").first).to_contain_text("Updated today")
    # Five activity and sleep trends, and one for each of the nine health metrics alex's account holds.
    expect(page.locator("figure[data-chart]")).to_have_count(14)
    expect(page.locator("figure[data-chart] svg[role=img]")).to_have_count(14)
    for key in ("hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "active_zone_minutes",
                "lightly_active_minutes", "sedentary_minutes", "body_fat"):
        expect(page.locator(f'figure[data-chart="{key}"]')).to_have_count(1)
    expect(page.get_by_role("heading", name="Trends, last 30 days")).to_be_visible()
    screenshot(page, "desktop-2-dashboard-30")

    # The first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    page.get_by_role("link", name="7 days").click()
    expect(page).to_have_url(re.compile(r"range=7$"))
    expect(page.get_by_role("heading", name="Trends, last 7 days")).to_be_visible()
    expect(page.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "page")
    page.get_by_text("Steps as a table").click()
    expect(page.locator(".chart-steps tbody tr")).to_have_count(7)
    screenshot(page, "desktop-3-dashboard-7")

    page.get_by_role("link", name="365 days").click()
    expect(page.get_by_role("heading", name="Steps, weekly averages")).to_be_visible()
    screenshot(page, "desktop-4-dashboard-365")

    # Today's heading opens the day; the day before holds a whole night, minute heart rate and walks.
    page.locator("#today-title a").click()
    page.get_by_role("link", name="Previous day").click()
    shows_the_whole_day(page)
    screenshot(page, "desktop-5-yesterday")
    page.goto(f"{live_url}/dashboard")

    page.get_by_role("link", name="30 days").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"fitlink-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    steps = {row["date"]: row["value"] for row in rows if row["metric"] == "steps"}
    assert len(steps) == 30
    assert steps[local_today(account).isoformat()] == str(today["steps"])

    page.get_by_role("button", name="Disconnect Fitbit").click()
    expect(page.get_by_role("status").first).to_contain_text("Fitbit is disconnected")
    expect(page.get_by_role("link", name="Connect Fitbit")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").first).to_contain_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()


def test_journey_on_a_phone(phone: Page, live_url: str):
    page = phone
    sign_up(page, live_url, "sam@example.org")
    connect(page, "sam")

    account = get_account("sam")
    today = daily_values("sam", local_today(account))
    fills_without_a_reload(page, today["steps"])
    # Sam's profile is imperial: miles and pounds.
    miles = today["distance"] / 1.609344
    expect(page.locator('[data-metric="distance"]')).to_have_text(f"{miles:,.2f} mi")
    expect(page.locator('[data-metric="weight"]')).to_contain_text(" lb")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width} px wide)"
    screenshot(page, "phone-1-dashboard")
    screenshot(page, "phone-1-top", full_page=False)
    page.get_by_role("heading", name="Trends, last 30 days").scroll_into_view_if_needed()
    screenshot(page, "phone-1-trends", full_page=False)

    page.get_by_role("link", name="90 days").click()
    page.get_by_text("Sleep by stage as a table").click()
    expect(page.locator(".chart-sleep tbody tr")).to_have_count(90)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "phone-2-dashboard-90")
    page.get_by_text("Sleep by stage as a table").scroll_into_view_if_needed()
    screenshot(page, "phone-2-sleep-table", full_page=False)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign up").first).to_be_visible()
