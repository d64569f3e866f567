"""The day page in a real browser: from the dashboard, Previous/Next, the date picker, keys, a phone's width."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from conftest import PASSWORD
from day_data import fill_day, nap, night, walk
from fitlink.archive.importer import ensure_connection
from fitlink.dates import local_today
from fitlink.extensions import db
from fitlink.models import User

from .conftest import screenshot

pytestmark = pytest.mark.browser
TZ = "America/Los_Angeles"


def sign_up_with_days(page: Page, live_app, email: str):
    """Sign up in the browser; store two days of detail for the person (an archive's, in TZ); return them."""
    app, base = live_app
    page.goto(base + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()
    latest = local_today(TZ) - timedelta(days=1)
    with app.app_context():
        uid = db.session.execute(select(User.id).filter_by(email=email)).scalar_one()
        ensure_connection(uid).timezone = TZ
        db.session.commit()
    fill_day(app, uid, latest - timedelta(days=1))
    fill_day(app, uid, latest, sleeps=[night(latest), nap(latest)], workouts=[walk(latest)])
    return latest


def test_day_page_from_the_dashboard_and_day_to_day(desktop: Page, live_app):
    page = desktop
    latest = sign_up_with_days(page, live_app, "days@example.org")
    page.goto(live_app[1] + "/dashboard")
    # Only an archive: the dashboard's day is the latest the data holds, and its heading links to that day.
    page.locator("#today-title a").click()
    expect(page).to_have_url(re.compile(rf"/day/{latest}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{latest.day} {latest:%B %Y}")
    expect(page.locator(".timeline svg[role=img]")).to_be_visible()
    expect(page.locator(".timeline path.stage-deep")).to_have_count(1)
    expect(page.locator(".timeline path.heart-line")).to_have_count(1)
    expect(page.locator(".timeline path.bar-steps")).to_have_count(1)
    expect(page.get_by_text("Nap: 30 min asleep")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Walk")).to_be_visible()
    page.get_by_text("The day as a table").click()
    expect(page.locator('table[data-table="hours"] tbody tr')).to_have_count(24)
    screenshot(page, "day-1-desktop")

    page.get_by_role("link", name="Previous day").click()
    before = latest - timedelta(days=1)
    expect(page).to_have_url(re.compile(rf"/day/{before}$"))
    expect(page.get_by_text("Nap: 30 min asleep")).to_have_count(0)
    # The keyboard reaches Next day; Enter follows it.
    page.get_by_role("link", name="Next day").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/day/{latest}$"))
    page.get_by_role("link", name="Next day").click()
    expect(page.get_by_text("This is today")).to_be_visible()
    expect(page.get_by_role("link", name="Next day")).to_have_count(0)

    page.get_by_label("Go to").fill(before.isoformat())
    page.get_by_role("button", name="Show day").click()
    expect(page).to_have_url(re.compile(rf"/day/{before}$"))
    answer = page.request.get(live_app[1] + f"/day/{before}.json")
    assert answer.ok and answer.json()["timezone"] == TZ and len(answer.json()["series"]["heart_rate"]["points"]) == 1440


def test_day_page_on_a_phone(phone: Page, live_app):
    page = phone
    latest = sign_up_with_days(page, live_app, "phone-days@example.org")
    page.goto(live_app[1] + f"/day/{latest}")
    expect(page.locator(".timeline svg[role=img]")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the day page scrolls sideways on a phone ({width} px wide)"
    screenshot(page, "day-2-phone")
    page.get_by_role("link", name="Previous day").click()
    expect(page).to_have_url(re.compile(rf"/day/{latest - timedelta(days=1)}$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_text("Main sleep stages as a table").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
