"""The dashboard page: cards, ranges, units, timezones, empty states, and a fixed query count."""

import re
from datetime import date, timedelta

from sqlalchemy import delete, update

import pytest
from helpers import build_app, connect, connected_client, counted_statements, make_config, signup

from fitlink import dates, jobs
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.dashboard.charts import Scale, bucket_values, buckets, line, nice_ceiling
from fitlink.dashboard.periods import export_period, range_days
from fitlink.dashboard.readings import Stat
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection, SyncState

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


def change(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def read_only_setup(app):
    """alex's Fitbit connected and imported once (conftest's read_only_app), for the tests that only look at it.
    Returns the app and its owner's browser."""
    return app, connected_client(app)


def test_query_count_does_not_grow_with_the_range(read_only_app):
    app, client = read_only_app
    client.get("/dashboard")  # let the first request's one-off work (flashes) happen
    counts = {}
    for days in (7, 30, 90, 365):
        with counted_statements(app) as statements:
            assert client.get(f"/dashboard?range={days}").status_code == 200
        counts[days] = len(statements)
    assert counts[7] == counts[30] == counts[90] == counts[365], counts
    assert counts[365] <= 9, counts


def test_todays_cards_show_the_services_numbers_in_the_users_timezone(client):
    signup(client)
    connect(client, account="kiri")  # UTC+14: often already tomorrow in UTC terms
    account = get_account("kiri")
    today = local_today(account)
    values = daily_values("kiri", today)
    page = client.get("/dashboard").text
    day = f"{today:%A} {today.day} {today:%B %Y}"
    assert f"Today is {day}" in page
    assert f'data-metric="steps">{values["steps"]:,}<' in page
    assert f'data-metric="calories">{values["calories"]:,} <span class="unit">kcal' in page
    assert f'data-metric="floors">{values["floors"]:,}<' in page
    active = values["minutesVeryActive"] + values["minutesFairlyActive"]
    assert f'data-metric="active_minutes">{active} <span class="unit">min' in page
    assert f'data-metric="distance">{values["distance"]:.2f} <span class="unit">km' in page
    assert "Updated today" in page


def test_imperial_profiles_see_miles_and_pounds(client):
    signup(client)
    connect(client, account="sam")
    account = get_account("sam")
    today = local_today(account)
    values = daily_values("sam", today)
    page = client.get("/dashboard").text
    assert f'data-metric="distance">{values["distance"] / 1.609344:.2f} <span class="unit">mi' in page
    weighed = max(d for d in (today - timedelta(days=n) for n in range(60)) if daily_values("sam", d)["weight"])
    pounds = daily_values("sam", weighed)["weight"]["weight"] * 2.20462262185
    assert f'data-metric="weight">{pounds:,.1f} <span class="unit">lb' in page
    assert "<th scope=\"col\">lb</th>" in page


def test_sleep_card_shows_last_nights_stages(read_only_app):
    _app, client = read_only_app
    sleep = daily_values("alex", local_today(get_account("alex")))["sleep"]
    page = client.get("/dashboard").text
    if sleep is None:
        assert "No sleep logged last night" in page
    else:
        hours, minutes = divmod(sleep["minutesAsleep"], 60)
        assert f'data-metric="sleep">{hours} h {minutes} min<' in page
        assert re.search(r"Deep \d+ (h \d+ )?min", page) and "REM" in page


def test_step_goal_comes_from_the_link_or_defaults_to_ten_thousand(app, client):
    signup(client)
    connect(client, account="alex")
    change(app, update(Connection).values(goals=None))
    assert "of 10,000 goal" in client.get("/dashboard").text
    change(app, update(Connection).values(goals={"steps": 8000}))
    page = client.get("/dashboard").text
    assert "of 8,000 goal" in page and "Goal 8,000" in page


def test_ranges_come_from_the_query_string_and_bad_ones_mean_30(read_only_app):
    _app, client = read_only_app
    for value, days in [("7", 7), ("90", 90), ("365", 365), ("abc", 30), ("0", 30), ("-7", 30), ("31", 30), ("", 30)]:
        response = client.get(f"/dashboard?range={value}")
        assert response.status_code == 200
        assert f"Trends, last {days} days" in response.text
    week = client.get("/dashboard?range=7").text
    tables = week.count("<thead>")  # a chart with nothing in the range has no table, and says so:
    # alex weighs in on about a third of days, so some weeks have no weight (2026-11-27 to 2026-12-03).
    today = local_today(get_account("alex"))
    days = [daily_values("alex", today - timedelta(days=n)) for n in range(7)]
    sparse = {"weight": "No weight logged in this range.", "sleep": "No sleep logged in this range."}
    missing = [metric for metric in sparse if not any(day[metric] for day in days)]
    assert all(sparse[metric] in week for metric in missing)
    assert tables >= 4 and week.count("<tr><th scope=\"row\">") == tables * 7
    year = client.get("/dashboard?range=365").text
    assert "Steps, weekly averages" in year


def test_a_metric_never_recorded_says_so(app, client):
    signup(client)
    connect(client, account="alex")
    change(app, delete(DailyMetric).where(DailyMetric.metric == "weight"))
    page = client.get("/dashboard").text
    assert "No weight logged yet" in page
    change(app, delete(DailyMetric).where(DailyMetric.metric == "resting_heart_rate"))
    assert "No resting heart rate recorded in this range." in client.get("/dashboard").text


def test_an_import_in_progress_shows_how_far_it_got(app, client):
    signup(client)
    connect(client, account="alex")
    with app.app_context():
        recent = dates.local_today("UTC") - timedelta(days=10)
    change(app, update(SyncState).where(SyncState.resource == "steps")
           .values(backfill_done=False, oldest_synced=recent))
    page = client.get("/dashboard").text
    match = re.search(r"Importing history: (\d+)%", page)
    assert match and 0 < int(match.group(1)) < 100
    assert f'<progress id="progress-fitbit" max="100" value="{match.group(1)}">' in page
    assert "data-busy" in page  # the page keeps asking for news while the import runs


def test_not_connected_offers_connect(client):
    signup(client)
    page = client.get("/dashboard").text
    assert "Connect Fitbit" in page and "Trends" not in page


def test_flash_errors_are_alerts_and_other_flashes_are_status(client):
    signup(client)
    page = client.get("/dashboard").text
    assert 'role="status" aria-live="polite"' in page and "Welcome to fitlink." in page
    connect(client, allow=False)
    assert 'role="status"' in client.get("/dashboard").text
    with client.session_transaction() as session:
        session["_flashes"] = [("error", "Something broke.")]
    page = client.get("/dashboard").text
    assert re.search(r'role="alert">\s*<p class="flash flash-error">Something broke.</p>', page)


def test_range_parsing_never_fails():
    assert range_days("365") == 365 and range_days(None) == 30 and range_days("1e3") == 30
    today = date(2026, 11, 27)
    period = export_period({"range": "7"}, today)
    assert (period.start, period.end, period.days) == (date(2026, 11, 21), today, 7)
    period = export_period({"start": "2026-01-01", "end": "2026-01-31"}, today)
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert export_period({"start": "2026-02-01", "end": "2026-01-01"}, today).days == 30
    assert export_period({"start": "yesterday", "end": "2026-01-01"}, today).days == 30


def test_long_ranges_are_drawn_week_by_week_ending_today():
    today = date(2026, 11, 27)
    daily = buckets(today - timedelta(days=89), today)
    assert len(daily) == 90 and daily[-1].start == daily[-1].end == today and daily[-1].index == 0
    assert daily[-1].label == "Fri 27 Nov"
    weeks = buckets(today - timedelta(days=364), today)
    assert len(weeks) == 53
    assert (weeks[-1].start, weeks[-1].end, weeks[-1].index, weeks[-1].label) == (date(2026, 11, 21), today, 0, "21–27 Nov")
    assert weeks[-2].label == "14–20 Nov" and weeks[0].start == weeks[0].end == today - timedelta(days=364)
    stats = {0: Stat(2, 30.0, 10.0, 20.0, 1, {}, 0.0)}
    assert bucket_values(stats, weeks[-2:]) == [None, 15.0]


def test_lines_break_where_nothing_was_recorded():
    path, dots = line([1.0, 2.0, None, 3.0], Scale(0, 4))
    assert path == "M5 75.0L15 50.0M35 25.0"
    assert dots.count("h0") == 3
    assert nice_ceiling(11749) == 20000 and nice_ceiling(180) == 200 and nice_ceiling(0) == 1


def test_chart_tables_hold_the_stored_values_by_day_and_by_week(read_only_app):
    _app, client = read_only_app
    today = local_today(get_account("alex"))
    week = client.get("/dashboard?range=7").text
    for back in range(7):
        day = today - timedelta(days=back)
        steps = daily_values("alex", day)["steps"]
        assert (f'<tr><th scope="row"><a href="/day/{day}">{day:%a} {day.day} {day:%b}</a></th>'
                f'<td>{steps:,}</td></tr>') in week
    year = client.get("/dashboard?range=365").text
    last_week = [daily_values("alex", today - timedelta(days=back))["steps"] for back in range(7)]
    first = today - timedelta(days=6)
    label = (f"{first.day}–{today.day} {today:%b}" if first.month == today.month
             else f"{first.day} {first:%b} – {today.day} {today:%b}")
    assert (f'<tr><th scope="row"><a href="/day/{first}">{label}</a></th>'
            f'<td>{round(sum(last_week) / 7):,}</td><td>{sum(last_week):,}</td></tr>') in year


def test_an_import_waiting_for_a_worker_says_so(tmp_path, provider):
    """Jobs queued and no consumer alive: the person is told plainly instead of watching 0% forever."""
    app = build_app(make_config(tmp_path, provider.url, JOBS_IMMEDIATE=False, JOBS_IN_PROCESS=False))
    client = app.test_client()
    signup(client)
    connect(client, account="alex")
    page = client.get("/dashboard").text
    assert "Importing history: 0%" in page
    assert "no job worker is running right now" in page
    live = client.get("/dashboard/live?range=30").text
    assert "no job worker is running right now" in live
    jobs.huey.flush()  # leave no queued job to another test's queue
