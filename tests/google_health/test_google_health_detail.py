"""The whole day from Google Health: minute series, sleep stages, exercises and the new daily metrics.

Against the built-in Google Health service over a real port, from the source's fetches up
to the rows a connected person's sync stores (issue 15).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from helpers.google_health import alex_today, connect, consent, data_calls, open_source, stored

from fitlink import minutes
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.google_health import call_log, reset_call_log
from fitlink.builtin_services.google_health.intraday import daily_health, day_detail, nap_of, zone_totals
from fitlink.google_health.blueprint import SCOPES
from fitlink.google_health.intraday import WINDOWS_PER_CALL
from fitlink.models import DailyMetric, MinuteSeriesRow, SleepRow, WorkoutRow
from fitlink.sources import DETAILS, METRICS, DayValue, MinuteSeries, SleepSession, Workout

pytestmark = pytest.mark.ports  # the built-in Google Health service on a port of its own

BERLIN = ZoneInfo("Europe/Berlin")
BACKFILL_DAYS = 7  # helpers.google_health.google_config's BACKFILL_MAX_DAYS


@pytest.fixture
def fitlink_settings():
    """Minute series for every day of the backfill, so each day's detail can be checked."""
    return {"INTRADAY_BACKFILL_DAYS": BACKFILL_DAYS}


def detail_of(day: date):
    values = daily_values("alex", day)
    return day_detail("alex", day, values["steps"], values["calories"])


def raw_heart_rate(server, token: dict, day: date) -> list[dict]:
    """The service's heart-rate samples of one local day, listed through the API."""
    answer = requests.get(f"{server.url}/v4/users/me/dataTypes/heart-rate/dataPoints", params={
        "filter": f'heart_rate.sample_time.civil_time >= "{day}" AND '
                  f'heart_rate.sample_time.civil_time < "{day + timedelta(days=1)}"', "pageSize": 10000},
        headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert "nextPageToken" not in answer.json()
    return answer.json()["dataPoints"]


# --- minute series ---

def test_minute_heart_rate_is_the_mean_of_the_services_samples(server):
    token = consent(server)
    source = open_source(server, token)
    day = alex_today() - timedelta(days=3)
    (series,) = source.fetch("heart_rate_minutes", day, day)
    assert isinstance(series, MinuteSeries) and (series.metric, series.day) == ("heart_rate", day)
    samples: dict[int, list[int]] = defaultdict(list)
    for point in raw_heart_rate(server, token, day):
        civil = point["heartRate"]["sampleTime"]["civilTime"].get("time", {})
        samples[civil.get("hours", 0) * 60 + civil.get("minutes", 0)].append(int(point["heartRate"]["beatsPerMinute"]))
    assert series.values == pytest.approx({minute: sum(bpm) / len(bpm) for minute, bpm in samples.items()})
    assert len(series.values) < 1440  # the minutes off the wrist are left out


def test_minute_steps_add_up_to_the_days_steps_and_calories_to_its_calories(source):
    end = alex_today() - timedelta(days=1)
    start = end - timedelta(days=9)
    steps = {one.day: one for one in source.fetch("steps_minutes", start, end)}
    calories = {one.day: one for one in source.fetch("calories_minutes", start, end)}
    daily = {row.day: row.value for row in source.fetch("steps", start, end)}
    assert set(steps) == set(calories) == set(daily) == {start + timedelta(days=n) for n in range(10)}
    for day, series in steps.items():
        assert sum(series.values.values()) == daily[day] == daily_values("alex", day)["steps"]
        assert all(0 <= minute < 1440 for minute in series.values)
        assert sum(calories[day].values.values()) == pytest.approx(daily_values("alex", day)["calories"])
        # Walks and exercise fall in the waking hours, never in the night.
        assert all(7 * 60 <= minute < 22 * 60 for minute, count in series.values.items() if count)


def test_ninety_days_of_minute_detail_take_the_fewest_rollup_calls(source, demo):
    today = alex_today()
    start = today - timedelta(days=89)
    reset_call_log(demo)
    for detail in ("steps_minutes", "heart_rate_minutes", "calories_minutes"):
        assert source.max_days(detail) >= 90
        assert len(source.fetch(detail, start, today)) == 90
    first = datetime.combine(start, datetime.min.time(), tzinfo=BERLIN).astimezone(timezone.utc)
    last = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=BERLIN).astimezone(timezone.utc)
    # 90 local days: 2,160 hours, one more or one fewer where Berlin's clocks changed in them
    # (the suite runs on several dates: test_a_day_clocks_change_keeps_its_local_minutes has the days themselves).
    assert abs(last - first - timedelta(days=90)) <= timedelta(hours=1)
    fewest = math.ceil((last - first) / timedelta(minutes=1) / WINDOWS_PER_CALL)
    assert fewest == 13
    # One settings call for the time zone, then the fewest rollUps of 10,000 minutes each.
    assert data_calls(demo) == {"steps": fewest, "heart-rate": fewest, "total-calories": fewest}
    assert [call.path for call in call_log(demo)].count("/v4/users/me/settings") == 1
    for call in call_log(demo):
        if call.range:
            assert timedelta(0) < call.range[1] - call.range[0] <= timedelta(minutes=WINDOWS_PER_CALL)


def test_minutes_sit_on_the_local_wall_clock_of_a_person_far_from_utc(server):
    source = open_source(server, consent(server, account="kiri"))  # Pacific/Kiritimati, UTC+14
    kiri = get_account("kiri")
    day = local_today(kiri) - timedelta(days=2)
    values = daily_values("kiri", day)
    (series,) = source.fetch("steps_minutes", day, day)
    detail = day_detail("kiri", day, values["steps"], values["calories"])
    expected = defaultdict(int)
    for index, count in enumerate(detail.steps):
        if count:
            moment = detail.moment(index)
            expected[moment.hour * 60 + moment.minute] += count
    assert series.values == expected


@pytest.mark.parametrize("day, minutes", [(date(2026, 10, 25), 1500), (date(2026, 3, 29), 1380)])
def test_a_day_clocks_change_keeps_its_local_minutes(source, day, minutes):
    """Berlin: the repeated hour's two windows of a minute merge; the skipped hour is absent."""
    detail = detail_of(day)
    assert detail.length == minutes
    steps, heart = (source.fetch(detail_name, day, day)[0] for detail_name in ("steps_minutes", "heart_rate_minutes"))
    assert sum(steps.values.values()) == daily_values("alex", day)["steps"]
    by_minute = defaultdict(list)
    for index in range(detail.length):
        if detail.mean_bpm(index) is not None:
            moment = detail.moment(index)
            by_minute[moment.hour * 60 + moment.minute].append(detail.mean_bpm(index))
    assert heart.values == pytest.approx({minute: sum(means) / len(means) for minute, means in by_minute.items()})
    if minutes == 1380:
        assert not any(120 <= minute < 180 for minute in heart.values)  # 02:00-03:00 never happened
    else:
        assert any(len(means) == 2 for means in by_minute.values())


# --- sleep, exercises and the daily metrics ---

def test_the_sleep_fetch_brings_each_night_with_its_stages(source, demo):
    end = alex_today()
    start = end - timedelta(days=29)
    reset_call_log(demo)
    records = source.fetch("sleep", start, end)
    logged = sum(1 for n in range(30) if daily_values("alex", start + timedelta(days=n))["sleep"])
    naps = sum(1 for n in range(30) if nap_of("alex", start + timedelta(days=n)))
    assert data_calls(demo) == {"sleep": math.ceil((logged + naps) / 25)}  # the pages, no more for the stages
    nights = [r for r in records if isinstance(r, SleepSession) and r.main]
    days = {r.day: r for r in records if isinstance(r, DayValue)}
    assert {night.day for night in nights} == set(days)
    for night in nights:
        logged = daily_values("alex", night.day)["sleep"]
        assert night.minutes_asleep == logged["minutesAsleep"] == days[night.day].value
        assert night.start == datetime.fromisoformat(logged["startTime"])
        assert night.end == datetime.fromisoformat(logged["endTime"])
        assert night.main
        # Contiguous stages from the start to the end, their minutes the night's summary.
        assert night.stages[0].start == night.start
        moment = night.start
        for stage in night.stages:
            assert stage.start == moment
            moment += timedelta(seconds=stage.seconds)
        assert moment == night.end
        by_level = Counter()
        for stage in night.stages:
            by_level[stage.level] += stage.seconds // 60
        assert dict(by_level) == days[night.day].details["stages"]
        if night.type == "stages":
            assert set(by_level) == {"deep", "light", "rem", "wake"}
            assert dict(by_level) == logged["stages"]
            assert all(wake.level == "wake" and night.start <= wake.start < night.end for wake in night.short_wakes)
        else:
            assert set(by_level) == {"asleep", "restless", "awake"}


def test_a_day_with_a_nap_and_a_workout(source):
    end = alex_today()
    day = next(end - timedelta(days=n) for n in range(60)
               if nap_of("alex", end - timedelta(days=n)) and detail_of(end - timedelta(days=n)).exercises)
    records = source.fetch("sleep", day, day)
    night, nap = sorted((r for r in records if isinstance(r, SleepSession)), key=lambda r: not r.main)
    start, length = nap_of("alex", day)
    assert night.main and not nap.main and nap.type == "classic" and nap.day == day
    assert (nap.start, nap.end) == (start, start + timedelta(minutes=length))
    assert nap.minutes_asleep == sum(stage.seconds for stage in nap.stages if stage.level == "asleep") // 60
    # The day's sleep is the main night, whatever the nap.
    (value,) = [r for r in records if isinstance(r, DayValue)]
    assert value.value == night.minutes_asleep == daily_values("alex", day)["sleep"]["minutesAsleep"]
    (workout,) = source.fetch("exercises", day, day)
    assert not nap.start <= workout.start < nap.end
    # Asleep in the nap: no steps in its minutes.
    (steps,) = source.fetch("steps_minutes", day, day)
    nap_minutes = range(start.hour * 60 + start.minute, start.hour * 60 + start.minute + length)
    assert not any(steps.values.get(minute) for minute in nap_minutes)


def test_exercises_become_workouts_with_their_steps_heart_rate_and_zones(source):
    end = alex_today()
    start = end - timedelta(days=27)
    workouts = source.fetch("exercises", start, end)
    assert workouts and all(isinstance(w, Workout) for w in workouts)
    expected = []
    for n in range(28):
        detail = detail_of(start + timedelta(days=n))
        expected += [(detail.moment(one.first).replace(tzinfo=None), one) for one in detail.exercises]
    assert [w.start for w in workouts] == [start for start, _ in expected]
    assert {w.type for w in workouts} == {"Running", "Walking"}
    for workout, (_, one) in zip(workouts, expected):
        assert workout.seconds == one.minutes * 60
        assert workout.steps == one.steps and workout.average_heart_rate == one.average_bpm
        assert workout.distance_km == pytest.approx(one.millimeters / 1e6, abs=0.001)
        assert workout.calories == pytest.approx(one.kcal)
        assert workout.heart_rate_zones == {zone.lower(): seconds // 60 for zone, seconds in one.zone_seconds.items()}


def test_the_new_daily_metrics_arrive_in_fitlink_units(source, demo):
    end = alex_today()
    start = end - timedelta(days=29)
    reset_call_log(demo)
    rows = {metric: {row.day: row for row in source.fetch(metric, start, end)}
            for metric in ("hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "body_fat",
                           "active_zone_minutes", "sedentary_minutes")}
    # Lightly active minutes come with the other two from one active-minutes rollup of 14 days.
    rows["lightly_active_minutes"] = {row.day: row for row in source.fetch("lightly_active_minutes",
                                                                           end - timedelta(days=13), end)}
    for n in range(30):
        day = start + timedelta(days=n)
        values = daily_values("alex", day)
        health = daily_health("alex", day, values)
        if values["sleep"]:
            assert rows["hrv"][day].value == health["hrv"]
            assert rows["hrv"][day].details["device"] == "Charge 6"
            assert rows["spo2"][day].value == health["spo2"]
            assert rows["breathing_rate"][day].value == health["breathing"]
            assert rows["skin_temperature"][day].value == pytest.approx(health["nightly"] - health["baseline"])
        else:
            assert day not in rows["hrv"] and day not in rows["spo2"] and day not in rows["skin_temperature"]
        assert (rows["vo2max"][day].value if day in rows["vo2max"] else None) == health["vo2max"]
        assert (rows["body_fat"][day].value if day in rows["body_fat"] else None) == health.get("body_fat")
        seconds, azm = zone_totals("alex", day, values["steps"], values["calories"])
        zone = rows["active_zone_minutes"][day]
        assert zone.value == sum(azm.values())
        assert (zone.details["fat_burn"], zone.details["cardio"], zone.details["peak"]) == (
            azm["FAT_BURN"], azm["CARDIO"], azm["PEAK"])
        assert zone.details["heart_rate_zones"] == {k.lower(): v // 60 for k, v in seconds.items() if v}
        if day > end - timedelta(days=14):
            assert rows["lightly_active_minutes"][day].value == values["minutesLightlyActive"]
        assert rows["sedentary_minutes"][day].value == values["minutesSedentary"]
    # Each daily type is one list page, zone minutes two daily rollups.
    assert data_calls(demo) == {
        "daily-heart-rate-variability": 1, "daily-oxygen-saturation": 1, "daily-respiratory-rate": 1,
        "daily-sleep-temperature-derivations": 1, "daily-vo2-max": 1, "body-fat": 1,
        "active-zone-minutes": 1, "time-in-heart-rate-zone": 1, "active-minutes": 1, "sedentary-period": 1}


def test_what_is_offered_follows_the_granted_scopes(server):
    everything = open_source(server, consent(server))
    assert set(everything.metrics()) == set(METRICS) | set(DETAILS)
    activity = [s for s in SCOPES if "sleep" not in s and "health_metrics" not in s]
    assert set(open_source(server, consent(server, scopes=activity)).metrics()) == {
        "steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes",
        "lightly_active_minutes", "sedentary_minutes", "vo2max", "active_zone_minutes", "steps_minutes",
        "calories_minutes", "exercises"}
    # Without the settings scope the time zone is unknown: no minute series.
    no_settings = [s for s in SCOPES if "settings" not in s]
    offered = set(open_source(server, consent(server, scopes=no_settings)).metrics())
    assert "exercises" in offered and not offered & {"steps_minutes", "heart_rate_minutes", "calories_minutes"}


# --- end to end: connect, sync, stored rows ---

def test_connecting_stores_every_new_metric_and_the_days_detail(app, client):
    assert connect(client).status_code == 302
    today = alex_today()
    days = {today - timedelta(days=n) for n in range(BACKFILL_DAYS)}
    shown = defaultdict(dict)
    for row in stored(app, DailyMetric):
        shown[row.metric][row.day] = row
    for metric in ("hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "body_fat",
                   "active_zone_minutes", "lightly_active_minutes", "sedentary_minutes"):
        assert shown[metric], metric
        assert set(shown[metric]) <= days and all(row.source == "google_health" for row in shown[metric].values())
    for day in days:
        values = daily_values("alex", day)
        health = daily_health("alex", day, values)
        if values["sleep"]:
            assert shown["hrv"][day].value == health["hrv"]
            assert shown["skin_temperature"][day].value == pytest.approx(health["nightly"] - health["baseline"])
        assert shown["lightly_active_minutes"][day].value == values["minutesLightlyActive"]
        assert shown["sedentary_minutes"][day].value == values["minutesSedentary"]
        assert "heart_rate_zones" in shown["active_zone_minutes"][day].details
    series = {(row.metric, row.day): minutes.unpack(row.metric, row.data) for row in stored(app, MinuteSeriesRow)}
    assert {day for _, day in series} == days
    for day in days:
        detail = detail_of(day)
        assert sum(series["steps", day].values()) == daily_values("alex", day)["steps"]
        expected = {}
        for index in range(detail.length):
            mean = detail.mean_bpm(index)
            if mean is not None:
                moment = detail.moment(index)
                expected[moment.hour * 60 + moment.minute] = round(mean)
        assert series["heart_rate", day] == expected
        # Calories are kept in tenths of a kcal: each minute within half of one.
        assert sum(series["calories", day].values()) == pytest.approx(daily_values("alex", day)["calories"],
                                                                      abs=0.05 * len(series["calories", day]))
    sleeps = [row for row in stored(app, SleepRow) if row.main]
    assert {row.day for row in sleeps} == {day for day in days if daily_values("alex", day)["sleep"]}
    naps = {row.day: row for row in stored(app, SleepRow) if not row.main}
    assert set(naps) == {day for day in days if nap_of("alex", day)}
    for row in sleeps:
        logged = daily_values("alex", row.day)["sleep"]
        assert row.minutes_asleep == logged["minutesAsleep"]
        assert sum(seconds for _, seconds, _ in row.stages) == logged["timeInBed"] * 60
    workouts = stored(app, WorkoutRow)
    expected = [one for day in sorted(days) for one in detail_of(day).exercises]
    assert [(row.steps, row.average_heart_rate) for row in sorted(workouts, key=lambda r: r.start)] == [
        (one.steps, one.average_bpm) for one in expected]
