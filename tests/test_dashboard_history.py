"""The dashboard's whole history: the newer metrics' cards and trends, the normal band, All and From/To
ranges, week/month/year totals, and links to the day page. Data goes in through the sync store."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpers import ONE_DAY, count_statements, signup

from fitlink import clock
from fitlink.dashboard.charts import Scale, layout, month_buckets
from fitlink.dashboard.readings import Stat
from fitlink.dashboard.tables import bands
from fitlink.extensions import db
from fitlink.models import Connection, SyncState, User
from fitlink.sources import DayValue
from fitlink.sync.store import save_days

ZONE = "Europe/London"
TODAY = ONE_DAY.astimezone(ZoneInfo(ZONE)).date()


@pytest.fixture
def person(app, client):
    """Ada, logged in, with a Fitbit connection and no data yet; the clock stopped at ONE_DAY."""
    clock.freeze(ONE_DAY)
    signup(client)
    with app.app_context():
        user = db.session.execute(select(User).filter_by(email="ada@example.org")).scalar_one()
        db.session.add(Connection(provider="fitbit", provider_user_id="FB-1", user_id=user.id, display_name="Ada L.",
                             timezone=ZONE, goals={"steps": 10000}, token={"oauth_token": "t"}))
        db.session.commit()
        return user.id


def put(app, user_id: int, metric: str, values: dict[date, float], source: str = "fitbit") -> None:
    with app.app_context():
        save_days(user_id, source, metric, [DayValue(day, value) for day, value in values.items()])
        db.session.commit()


def days_back(count: int, value, end: date = TODAY) -> dict[date, float]:
    """`count` days ending on `end`, each given value(day)."""
    return {end - timedelta(days=back): value(end - timedelta(days=back)) for back in range(count)}


def chart(page: str, key: str) -> str:
    """Return one chart's HTML."""
    return re.search(rf'<figure class="card chart chart-{key}".*?</figure>', page, re.S)[0]


def test_cards_and_trends_only_for_the_metrics_a_person_holds(app, client, person):
    put(app, person, "steps", days_back(30, lambda d: 8000))
    page = client.get("/dashboard").text
    for key in ("spo2", "hrv", "skin_temperature", "body_fat", "active_zone_minutes"):
        assert f"metric-{key}" not in page and f'data-chart="{key}"' not in page
    logged = TODAY - timedelta(days=10)
    put(app, person, "spo2", days_back(20, lambda d: 95.44, end=logged))
    put(app, person, "skin_temperature", days_back(20, lambda d: -0.34, end=logged))
    put(app, person, "active_zone_minutes", days_back(10, lambda d: 22))
    page = client.get("/dashboard").text
    assert f'<a class="day-link" href="/day/{logged}">Blood oxygen (SpO2)</a>' in page
    assert 'data-metric="spo2">95.4 <span class="unit">%</span>' in page
    assert f"Logged {logged.day} {logged:%b}" in page
    assert 'data-metric="skin_temperature">\u22120.3 <span class="unit">°C</span>' in page
    assert f'<a class="day-link" href="/day/{TODAY}">Active Zone Minutes</a>' in page
    assert 'data-metric="active_zone_minutes">22 <span class="unit">min</span>' in page
    assert 'data-chart="spo2"' in page and 'data-chart="active_zone_minutes"' in page
    assert "metric-hrv" not in page and 'data-chart="hrv"' not in page
    week = client.get("/dashboard?range=7").text  # SpO2 only before these 7 days: neither card nor chart
    assert "metric-spo2" not in week and 'data-chart="spo2"' not in week
    assert "metric-active_zone_minutes" in week


def test_each_trend_draws_the_normal_range_of_the_30_days_before(app, client, person):
    put(app, person, "hrv", days_back(60, lambda d: 40 if d.toordinal() % 2 else 60))
    hrv = chart(client.get("/dashboard?range=30").text, "hrv")
    assert "Your normal range (average ± 1 SD of the 30 days before each day)" in hrv
    band = re.search(r'<path class="band" d="([^"]+)"', hrv)[1]
    # 30 days of 40 and 60 alternating: mean 50, sample SD sqrt(30 * 100 / 29); the scale hugs the band.
    sd = (30 * 100 / 29) ** 0.5
    scale = Scale(36, 64)
    assert '<span>64</span><span>50</span><span>36</span>' in hrv
    assert f"M0 {scale.y(50 + sd)}" in band and f"V{scale.y(50 - sd)}H0Z" in band
    assert band.count("M") == 1  # every day of the range has 30 days before it


def test_the_band_needs_a_few_days_before_each_point():
    plan = layout(date(2026, 11, 1), date(2026, 11, 10))
    # Buckets 0..9 are drawn; 10..39 are the 30 days before. Values only on the 4 days before the first.
    stats = {index: Stat(1, 50.0, 50.0, 50.0, 0, {}, 0.0, 2500.0) for index in range(10, 14)}
    stats[9] = Stat(1, 60.0, 60.0, 60.0, 0, {}, 0.0, 3600.0)
    ranges = bands(stats, plan)
    assert ranges[0] is None  # 4 values before 1 Nov: too few
    low, high = ranges[1]  # 5 values before 2 Nov: 50, 50, 50, 50, 60
    assert (round(low, 3), round(high, 3)) == (round(52 - 20 ** 0.5, 3), round(52 + 20 ** 0.5, 3))
    month = layout(date(2016, 11, 20), date(2026, 11, 27))
    assert month.unit == "month" and month.read_from == date(2016, 10, 1) and month.band_buckets == 1


def test_months_are_calendar_months_clipped_to_the_range():
    months = month_buckets(date(2024, 1, 15), date(2026, 11, 27))
    assert len(months) == 35 and months[-1].index == 0 and months[0].index == 34
    assert (months[0].start, months[0].end, months[0].label) == (date(2024, 1, 15), date(2024, 1, 31), "Jan 2024")
    assert (months[1].start, months[1].end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (months[-1].start, months[-1].end, months[-1].label) == (date(2026, 11, 1), date(2026, 11, 27), "Nov 2026")


def test_all_over_ten_years_is_drawn_by_month_with_year_totals(app, client, person):
    first = date(TODAY.year - 10, TODAY.month, 1)
    steps = days_back((TODAY - first).days + 1, lambda d: 1000 + d.month * 100)
    put(app, person, "steps", steps)
    put(app, person, "hrv", days_back(400, lambda d: 50))
    client.get("/dashboard")
    # One query more than a year's: the first day held.
    assert count_statements(app, client, "/dashboard?range=all") == count_statements(app, client, "/dashboard?range=365") + 1
    page = client.get("/dashboard?range=all").text
    assert f"Trends, all, since 1 {first:%b %Y}" in page
    assert '<a href="/dashboard?range=all" aria-current="page">All</a>' in page
    drawn = chart(page, "steps")
    assert "Steps, monthly averages" in drawn and '<th scope="col">Month</th>' in drawn
    assert f'<svg viewBox="0 0 {121 * 10} 100"' in drawn
    months = re.findall(r'<tr><th scope="row"><a href="/day/([\d-]+)">(\w+ \d{4})</a></th><td>([\d,]+)</td>'
                        r'<td>([\d,]+)</td></tr>', drawn)
    assert len(months) == 121
    assert months[0][:2] == (str(TODAY.replace(day=1)), f"{TODAY:%b %Y}")
    month_start = TODAY.replace(day=1)
    average = 1000 + TODAY.month * 100
    assert months[0][2:] == (f"{average:,}", f"{average * TODAY.day:,}")
    assert months[-1][0] == str(first)
    last_year = TODAY.year - 1
    held = [value for day, value in steps.items() if day.year == last_year]
    assert (f'<tr class="year"><th scope="row"><a href="/day/{last_year}-01-01">{last_year}</a></th>'
            f'<td>{round(sum(held) / len(held)):,}</td><td>{sum(held):,}</td></tr>') in drawn
    assert drawn.count('class="year"') == 11 and str(month_start) == months[0][0]
    assert 'data-chart="hrv"' in page and "Heart rate variability, monthly averages" in page


def test_a_year_has_weekly_averages_and_totals(app, client, person):
    put(app, person, "active_zone_minutes", days_back(365, lambda d: 10 + d.weekday()))
    drawn = chart(client.get("/dashboard?range=365").text, "active_zone_minutes")
    first = TODAY - timedelta(days=6)
    week = [10 + (first + timedelta(days=n)).weekday() for n in range(7)]
    assert re.search(rf'<tr><th scope="row"><a href="/day/{first}">[^<]+</a></th>'
                     rf'<td>{round(sum(week) / 7)}</td><td>{sum(week)}</td></tr>', drawn)
    assert "Active Zone Minutes, weekly averages" in drawn and '<th scope="col">Total</th>' in drawn


@pytest.mark.parametrize("query, message", [
    ("from=2026-03-01&to=2026-01-01", "The From date must be on or before the To date."),
    ("from=2026-13-01&to=2026-01-01", "From date &#39;2026-13-01&#39; is not a date like 2026-01-31."),
    ("from=2026-01-01", "Choose a To date."),
    ("from=&to=2026-01-01", "Choose a From date."),
    ("from=1950-01-01&to=2026-01-01", "Choose dates between 01 Jan 1990 and today."),
    ("from=1990-01-01&to=2026-01-01", "A range can span at most 30 years; for everything choose All."),
    ("from=" + "9" * 5000 + "&to=2026-01-01", "is not a date like 2026-01-31."),
])
def test_a_bad_custom_range_says_why_and_shows_30_days(client, person, query, message):
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 200
    page = response.text
    assert message in page and 'role="alert"' in page and "Showing the last 30 days." in page
    assert "Trends, last 30 days" in page and 'aria-invalid="true"' in page
    assert len(page) < 200_000


def test_a_custom_range_shows_its_days(app, client, person):
    put(app, person, "steps", days_back(800, lambda d: 5000 + d.day))
    year = TODAY.year - 1
    start, end = date(year, 1, 1), date(year, 1, 31)
    page = client.get(f"/dashboard?from={start}&to={end}").text
    assert f"Trends, 1 Jan {year} – 31 Jan {year}" in page
    assert f'value="{start}"' in page and f'value="{end}"' in page
    drawn = chart(page, "steps")
    rows = re.findall(r'<tr><th scope="row"><a href="/day/([\d-]+)">', drawn)
    assert rows == [str(end - timedelta(days=n)) for n in range(31)]
    assert f'<td>{5000 + 15:,}</td>' in drawn
    assert "range=all" in page and f'data-live-url="/dashboard/live?from={start}&amp;to={end}"' in page
    live = client.get(f"/dashboard/live?from={start}&to={end}&seen=stale").text
    assert f"Trends, 1 Jan {year} – 31 Jan {year}" in live
    longer = client.get(f"/dashboard?from={year - 1}-01-01&to={end}").text
    assert "Steps, weekly averages" in longer


def test_cards_link_to_their_day(app, client, person):
    put(app, person, "steps", days_back(3, lambda d: 4000))
    weighed = TODAY - timedelta(days=9)
    put(app, person, "weight", {weighed: 70.0})
    page = client.get("/dashboard").text
    assert f'<a class="day-link" href="/day/{TODAY}">Steps</a>' in page
    assert f'<a class="day-link" href="/day/{weighed}">Weight</a>' in page
    assert f'<a class="day-link" href="/day/{TODAY}">Sleep last night</a>' in page


def test_all_shows_new_data_at_once_and_older_months_after_a_sync(app, client, person):
    """The months before last are kept between views until the status stamp changes; this month never is."""
    put(app, person, "steps", days_back(1000, lambda d: 3000))
    assert "<td>3,000</td><td>90,000</td>" in chart(client.get("/dashboard?range=all").text, "steps")
    put(app, person, "steps", {TODAY: 6000})
    this_month = chart(client.get("/dashboard?range=all").text, "steps")
    held = TODAY.day
    assert f"<td>{round((3000 * (held - 1) + 6000) / held):,}</td><td>{3000 * (held - 1) + 6000:,}</td>" in this_month
    old = date(TODAY.year - 2, 6, 15)
    put(app, person, "steps", {old: 33000})
    with app.app_context():  # what a sync records when it is done
        db.session.add(SyncState(connection_id=1, resource="steps", last_success=clock.now()))
        db.session.commit()
    june = chart(client.get("/dashboard?range=all").text, "steps")
    assert f'<a href="/day/{old.replace(day=1)}">Jun {old.year}</a></th><td>4,000</td><td>120,000</td>' in june


def test_a_first_week_or_month_cut_short_holds_only_the_days_shown(app, client, person):
    start = date(TODAY.year - 3, 3, 15)
    put(app, person, "steps", days_back((TODAY - start).days + 60, lambda d: 5000 if d >= start else 1000))
    months = chart(client.get(f"/dashboard?from={start}&to={TODAY}").text, "steps")
    assert f'<a href="/day/{start}">Mar {start.year}</a></th><td>5,000</td><td>{17 * 5000:,}</td>' in months
    year_ago = TODAY - timedelta(days=364)
    put(app, person, "steps", {year_ago - timedelta(days=n): 1000 for n in range(1, 8)})
    weeks = chart(client.get("/dashboard?range=365").text, "steps")
    first = re.findall(r'<tr><th scope="row"><a href="/day/([\d-]+)">[^<]+</a></th><td>([\d,]+)</td>', weeks)[-1]
    assert first == (str(year_ago), "5,000")
