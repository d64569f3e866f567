"""The whole day from the Fitbit Web API: connect, sync, and find every minute, night, workout and new metric stored.

Expected values come from the built-in service's own data (common/accounts.py and
common/whole_day.py), never from fitlink's parser.
"""

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import ONE_DAY, build_app, connect, connected_client, make_config, signup, table_rows

from fitlink import clock, minutes
from fitlink.builtin_services.common import whole_day
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.fitbit import call_log, reset_call_log
from fitlink.builtin_services.fitbit.shapes import heart_zones
from fitlink.extensions import db
from fitlink.fitbit import payloads, source
from fitlink.fitbit.payloads import workout as read_workout
from fitlink.fitbit.source import ENDPOINTS
from fitlink.fitbit.webhook import changed_metrics
from fitlink.models import DailyMetric, MinuteSeriesRow, SleepRow, WorkoutRow
from fitlink.sources import MINUTE_DETAILS, BadPayload
from fitlink.sync.plan import minimum_calls

INTRADAY = {"steps": "/activities/steps/date/", "heart_rate": "/activities/heart/date/",
            "calories": "/activities/calories/date/"}


def daily(app, metric: str) -> dict[date, DailyMetric]:
    with app.app_context():
        rows = db.session.execute(db.select(DailyMetric).filter_by(metric=metric)).scalars().all()
        db.session.expunge_all()
    return {row.day: row for row in rows}


def rows_of(app, model) -> list:
    with app.app_context():
        rows = db.session.execute(db.select(model)).scalars().all()
        db.session.expunge_all()
    return rows


def import_days(name: str) -> list[date]:
    """The days a default import (365 days) covers for an account, oldest first."""
    account = get_account(name)
    today = local_today(account)
    first = max(account.member_since, today - timedelta(days=364))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


WEEK = 7  # days of minute series these tests import: a week's workouts and nights have theirs


@pytest.fixture
def app(tmp_path, provider):
    return build_app(make_config(tmp_path, provider.url, INTRADAY_BACKFILL_DAYS=WEEK))


READ_ONLY_CONFIG = {"INTRADAY_BACKFILL_DAYS": WEEK}


def read_only_setup(app):
    """alex's Fitbit connected and imported once (conftest's read_only_app), for the tests that only read it."""
    return app, connected_client(app)


@pytest.fixture
def alex(read_only_app):
    """fitlink with alex's Fitbit connected and imported."""
    return read_only_app[0]


@pytest.fixture
def alex_client(read_only_app):
    """A browser logged in to `alex`'s fitlink as alex's owner."""
    return read_only_app[1]


def test_nightly_metrics_arrive_end_to_end(alex):
    account = get_account("alex")
    expected = {metric: {} for metric in ("hrv", "spo2", "breathing_rate", "skin_temperature")}
    fields = {"hrv": ("hrv", "dailyRmssd"), "spo2": ("spo2", "avg"), "breathing_rate": ("br", "breathingRate"),
              "skin_temperature": ("temp", "nightlyRelative")}
    for day in import_days("alex"):
        night = whole_day.night_metrics(account, day, daily_values("alex", day))
        for metric, (key, field) in fields.items():
            if key in night:
                expected[metric][day] = night[key][field]
    for metric, values in expected.items():
        stored = daily(alex, metric)
        assert {day: row.value for day, row in stored.items()} == pytest.approx(values), metric
        assert {row.source for row in stored.values()} == {"fitbit"}
    assert 0 < len(expected["skin_temperature"]) < len(expected["hrv"])  # some nights have no temperature
    some = next(iter(daily(alex, "spo2").values()))
    assert set(some.details) == {"min", "max"}


def test_daily_activity_metrics_and_body_fat_arrive_end_to_end(alex):
    account = get_account("alex")
    days = import_days("alex")
    values = {day: daily_values("alex", day) for day in days}
    assert {d: r.value for d, r in daily(alex, "lightly_active_minutes").items()} == {
        d: v["minutesLightlyActive"] for d, v in values.items()}
    assert {d: r.value for d, r in daily(alex, "sedentary_minutes").items()} == {
        d: v["minutesSedentary"] for d, v in values.items()}
    fat = {d: whole_day.body_fat(account, v) for d, v in values.items()}
    assert {d: r.value for d, r in daily(alex, "body_fat").items()} == {d: f for d, f in fat.items() if f is not None}
    azm = daily(alex, "active_zone_minutes")
    assert azm and all(row.value > 0 for row in azm.values())
    for day, row in azm.items():
        parts = row.details
        assert row.value == parts["fat_burn"] + parts["cardio"] + parts["peak"]
    # alex runs with GPS: one number a day; the range form is tested with kiri below.
    vo2 = daily(alex, "vo2max")
    assert {d: r.value for d, r in vo2.items()} == {d: float(whole_day.cardio_fitness(account, d)) for d in days}


def test_the_day_page_shows_fitbits_own_zones_and_minutes(alex_client):
    """activities/heart gives each day's zones with the minutes in each: the day page shows them as Fitbit counted."""
    day = max(d for d in import_days("alex") if daily_values("alex", d)["restingHeartRate"] is not None)
    served = {zone["name"]: zone for zone in heart_zones(daily_values("alex", day))}
    html = alex_client.get(f"/day/{day}").text
    assert "As your source counted them. Zones: the zones your source gave for this day." in html
    fat, cardio, peak = served["Fat Burn"], served["Cardio"], served["Peak"]
    assert table_rows(html, "zones") == [
        ["Below zones", f"under {fat['min']} bpm", str(served["Out of Range"]["minutes"])],
        ["Fat burn", f"{fat['min']}–{cardio['min'] - 1} bpm", str(fat["minutes"])],
        ["Cardio", f"{cardio['min']}–{peak['min'] - 1} bpm", str(cardio["minutes"])],
        ["Peak", f"{peak['min']} bpm and over", str(peak["minutes"])]]


def test_a_cardio_fitness_range_is_stored_as_its_midpoint(app, client, provider):
    signup(client)
    connect(client, account="kiri")
    account = get_account("kiri")
    stored = daily(app, "vo2max")
    day, row = max(stored.items())
    low, high = (float(part) for part in whole_day.cardio_fitness(account, day).split("-"))
    assert row.value == (low + high) / 2 and row.details == {"range": [low, high]}


def test_minute_series_add_up_to_the_day(alex):
    account = get_account("alex")
    today = local_today(account)
    steps = daily(alex, "steps")
    calories = daily(alex, "calories")
    series = {(row.metric, row.day): minutes.unpack(row.metric, row.data) for row in rows_of(alex, MinuteSeriesRow)}
    days = [today - timedelta(days=n) for n in range(WEEK)]
    assert set(series) == {(metric, day) for metric in ("steps", "heart_rate", "calories") for day in days}
    for day in days:
        values = daily_values("alex", day)
        detail = whole_day.day_detail("alex", day, values["steps"], float(values["calories"]))
        hourly = Counter()
        for minute, count in series["steps", day].items():
            hourly[minute // 60] += count
        assert sum(hourly.values()) == steps[day].value == values["steps"]
        assert len(hourly) <= 24
        assert series["heart_rate", day] == {m: float(bpm) for m, bpm in detail.heart.items()}
        # Served to 0.0001 kcal and adding up to the day's; stored to 0.01 kcal (fitlink/minutes.py).
        assert sum(detail.calories.values()) == pytest.approx(calories[day].value, abs=0.1)
        assert series["calories", day] == pytest.approx(detail.calories, abs=0.05 + 1e-9)  # kept to the tenth of a kcal


def test_sleep_stages_and_naps_are_stored(alex):
    sessions = rows_of(alex, SleepRow)
    main = {row.day: row for row in sessions if row.main}
    naps = [row for row in sessions if not row.main]
    nights = {day: daily_values("alex", day)["sleep"] for day in import_days("alex")}
    assert set(main) == {day for day, night in nights.items() if night}
    for day, row in main.items():
        night = nights[day]
        assert row.kind == "stages" and row.minutes_asleep == night["minutesAsleep"]
        assert row.start == datetime.fromisoformat(night["startTime"])
        assert row.end == datetime.fromisoformat(night["endTime"])
        by_level = Counter()
        for _offset, seconds, level in row.stages:
            by_level[level] += seconds // 60
        assert by_level == Counter(night["stages"])
        assert by_level["deep"] + by_level["light"] + by_level["rem"] == row.minutes_asleep
        assert all(level == "wake" for _offset, _seconds, level in row.short_wakes or [])
    assert naps and all(row.kind == "classic" for row in naps)
    account = get_account("alex")
    for row in naps:
        nap = whole_day.nap(account, row.day, daily_values("alex", row.day))
        assert (row.start, row.minutes_asleep) == (nap.start, nap.minutes("asleep"))
        assert {level for _o, _s, level in row.stages} <= {"asleep", "restless", "awake"}
    # The night's value stays the main sleep's minutes, whatever the naps.
    assert {d: r.value for d, r in daily(alex, "sleep").items()} == {
        d: n["minutesAsleep"] for d, n in nights.items() if n}


def test_workouts_are_stored_with_their_minutes(alex):
    account = get_account("alex")
    expected = {}
    for day in import_days("alex"):
        values = daily_values("alex", day)
        for one in whole_day.workouts(account, day, values):
            expected[one.start] = (one, values, day)
    stored = {row.start: row for row in rows_of(alex, WorkoutRow)}
    assert set(stored) == set(expected)
    assert {row.type for row in stored.values()} == {"Walk", "Run"}
    for start, row in stored.items():
        one, values, day = expected[start]
        assert row.day == day and row.seconds == one.minutes * 60 and row.type == one.name
        assert row.steps == sum(one.steps)
        assert row.average_heart_rate == round(sum(one.heart) / one.minutes)
        assert row.calories == round(whole_day.workout_calories(account, day, values, one))
        assert row.distance_km == pytest.approx(sum(one.steps) * (0.00105 if one.running else 0.00075), abs=0.001)
        assert sum(row.heart_rate_zones.values()) == one.minutes
    # The workout's steps are the day's minutes in its span.
    row = max(stored.values(), key=lambda one: one.start)
    if row.day > local_today(account) - timedelta(days=WEEK):
        series = {(r.metric, r.day): r for r in rows_of(alex, MinuteSeriesRow)}
        steps = minutes.unpack("steps", series["steps", row.day].data)
        first = row.start.hour * 60 + row.start.minute
        assert sum(steps.get(first + i, 0) for i in range(row.seconds // 60)) == row.steps


def test_a_distance_in_miles_is_stored_in_km():
    entry = {"activityName": "Run", "startTime": "2026-11-20T17:05:00.000-08:00", "duration": 1830000,
             "distance": 3.1, "distanceUnit": "Mile", "steps": 4100, "calories": 380, "averageHeartRate": 151,
             "heartRateZones": [{"name": "Cardio", "min": 139, "max": 169, "minutes": 25}]}
    one = read_workout(entry)
    assert one.start == datetime(2026, 11, 20, 17, 5) and one.seconds == 1830
    assert one.distance_km == pytest.approx(4.989, abs=0.001)
    assert one.heart_rate_zones == {"Cardio": 25}


def test_intraday_backfill_takes_one_call_per_day_and_series(tmp_path, provider, demo_app):
    app = build_app(make_config(tmp_path, provider.url, INTRADAY_BACKFILL_DAYS=5))
    client = app.test_client()
    signup(client)
    reset_call_log(demo_app)
    connect(client, account="alex")
    today = local_today(get_account("alex"))
    paths = [call.path for call in call_log(demo_app)]
    for series, marker in INTRADAY.items():
        days = [path.split("/date/")[1].split("/")[0] for path in paths if marker in path and "/1d/1min" in path]
        assert sorted(days) == [(today - timedelta(days=n)).isoformat() for n in range(4, -1, -1)], series
    # Every daily metric in its fewest calls, the minute series at one a day, the activity log list a
    # page per 100 days (alex logs at most one workout a day).
    days = len(import_days("alex"))
    ranged = {m: longest for m, (_path, longest) in ENDPOINTS.items() if m not in MINUTE_DETAILS}
    pages = sum(1 for path in paths if path.endswith("/activities/list.json"))
    assert pages == -(-days // 100)
    data = [p for p in paths if not p.endswith(("/profile.json", f"/activities/date/{today}.json"))]
    assert len(data) == minimum_calls(days, ranged) + 3 * 5
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(MinuteSeriesRow)).scalar() == 15


def test_a_day_clocks_go_forward_has_no_minutes_in_the_skipped_hour(tmp_path, provider):
    clock.travel_to(datetime(2026, 3, 30, 10, 0, tzinfo=timezone.utc))  # alex lives in Europe/Berlin
    app = build_app(make_config(tmp_path, provider.url, INTRADAY_BACKFILL_DAYS=3, BACKFILL_MAX_DAYS=3))
    client = app.test_client()
    signup(client)
    connect(client, account="alex")
    spring = date(2026, 3, 29)
    series = {(row.metric, row.day): minutes.unpack(row.metric, row.data) for row in rows_of(app, MinuteSeriesRow)}
    for metric in ("steps", "heart_rate", "calories"):
        assert not set(series[metric, spring]) & set(range(120, 180)), metric
    assert 0 < len(series["heart_rate", spring]) <= 1380
    assert sum(series["steps", spring].values()) == daily(app, "steps")[spring].value


def test_notifications_name_the_new_metrics_and_the_details():
    assert {"hrv", "spo2", "breathing_rate", "skin_temperature", "sleep"} == set(changed_metrics({"sleep"}))
    activities = set(changed_metrics({"activities"}))
    assert {"steps_minutes", "heart_rate_minutes", "calories_minutes", "exercises", "active_zone_minutes",
            "vo2max", "lightly_active_minutes", "sedentary_minutes"} <= activities
    assert set(changed_metrics({"body"})) == {"weight", "body_fat"}


def test_the_one_clock_decides_the_days(tmp_path, provider):
    clock.travel_to(ONE_DAY)
    app = build_app(make_config(tmp_path, provider.url, INTRADAY_BACKFILL_DAYS=1, BACKFILL_MAX_DAYS=2))
    client = app.test_client()
    signup(client)
    connect(client, account="kiri")  # UTC+14: kiri's today is a day ahead of much of the world
    today = local_today(get_account("kiri"), ONE_DAY)
    assert {row.day for row in rows_of(app, MinuteSeriesRow)} == {today}


def test_payload_shapes_public_clients_document_are_read():
    # Heart rate at 1sec detail: a minute's point is the mean of all its samples.
    heart = {"activities-heart-intraday": {"dataset": [
        {"time": "07:00:05", "value": 60}, {"time": "07:00:35", "value": 63}, {"time": "07:01:10", "value": 70}]}}
    (series,) = payloads.intraday("heart", "heart_rate", date(2026, 11, 20), heart)
    assert series.values == {420: 61.5, 421: 70.0}
    assert payloads.intraday("heart", "heart_rate", date(2026, 11, 20), {"activities-heart-intraday": {"dataset": []}}) == []
    with pytest.raises(ValueError):
        payloads.intraday("steps", "steps", date(2026, 11, 20),
                          {"activities-steps-intraday": {"dataset": [{"time": "24:00:00", "value": 3}]}})
    # Cardio fitness as a vo2MaxRange object (fitbit_client's reading) and as one number.
    body = {"cardioScore": [{"dateTime": "2026-11-20", "value": {"vo2MaxRange": {"low": 44, "high": 48}}},
                            {"dateTime": "2026-11-21", "value": {"vo2Max": 47.2}}]}
    assert [(row.value, row.details) for row in payloads.vo2max(body)] == [(46.0, {"range": [44.0, 48.0]}), (47.2, None)]
    # SpO2 by date is one object; a day without a reading has no value.
    one = payloads.nightly("spo2", "avg", {"dateTime": "2026-11-20", "value": {"avg": 95.5, "min": 92, "max": 98}})
    assert [(row.day, row.value) for row in one] == [(date(2026, 11, 20), 95.5)]
    assert payloads.nightly("spo2", "avg", [{"dateTime": "2026-11-20"}]) == []
    with pytest.raises(KeyError):
        payloads.nightly("spo2", "avg", {"activities-steps": []})


def test_a_next_page_elsewhere_is_refused():
    with pytest.raises(BadPayload):
        source._next_page("https://evil.example/steal?token=1")
    assert source._next_page("https://api.fitbit.com/1/user/-/activities/list.json?offset=100&limit=100&sort=desc"
                             "&beforeDate=2026-11-21") == (
        "/1/user/-/activities/list.json?offset=100&limit=100&sort=desc&beforeDate=2026-11-21")
