"""The archive's day detail: minute series, sleep stages, workouts and the newer daily metrics, end to end."""

import zipfile
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from archive_gen import Spec, generate
from conftest import build_app, make_config
from sqlalchemy import select

from fitlink import minutes, sources
from fitlink.archive import SOURCE, import_archive
from fitlink.archive import health, workouts
from fitlink.archive.extract import read_everything
from fitlink.extensions import db
from fitlink.models import DailyMetric, MinuteSeriesRow, SleepRow, SourceMetric, User, WorkoutRow

NEW_METRICS = ("hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "active_zone_minutes",
               "lightly_active_minutes", "sedentary_minutes", "body_fat")


@pytest.fixture
def app(tmp_path):
    app = build_app(make_config(tmp_path, "http://127.0.0.1:9/demo-fitbit"))
    with app.app_context():
        if sources.get(SOURCE.name) is None:
            sources.init_app(app, [SOURCE])
            db.create_all()
        db.session.add(User(email="ada@example.org", password_hash="x"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def imported(app, archive):
    """Import the archive's parts for the one person and return the report."""
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        return import_archive(user.id, archive.parts, keep_files=True)


def stored_series(app, metric):
    with app.app_context():
        rows = db.session.execute(select(MinuteSeriesRow).filter_by(metric=metric, source="fitbit_archive")).scalars()
        return {row.day: minutes.unpack(metric, row.data) for row in rows}


def series_of(detail, metric):
    return next(series for series in detail.series if series.metric == metric)


def stage_seconds(session) -> dict[str, int]:
    """Seconds per level with the short wakes laid over the stages they interrupt (as Fitbit sums them)."""
    seconds = defaultdict(int)
    for stage in session.stages:
        seconds[stage.level] += stage.seconds
    for wake in session.short_wakes:
        under = next(stage for stage in session.stages
                     if stage.start <= wake.start < stage.start + timedelta(seconds=stage.seconds))
        seconds[under.level] -= wake.seconds
        seconds["wake"] += wake.seconds
    return dict(seconds)


def test_steps_and_calories_per_minute_add_up_to_the_day_and_per_hour(tmp_path):
    archive = generate(tmp_path, Spec(zone="Europe/Berlin", start=date(2024, 5, 6), days=10))
    rows, detail, report = read_everything(archive.parts)
    daily = {metric: {row.day: row.value for row in rows[metric]} for metric in ("steps", "calories")}
    for metric, written in (("steps", archive.steps_minutes), ("calories", archive.calories_minutes)):
        series = series_of(detail, metric)
        for day in daily[metric]:
            values = series.values(day)
            assert values == pytest.approx(written[day], abs=1e-4), (metric, day)
            hourly = defaultdict(float)
            for minute, value in values.items():
                hourly[minute // 60] += value
            assert sum(hourly.values()) == pytest.approx(daily[metric][day], abs=0.01)
            assert daily[metric][day] == pytest.approx(archive.expected[metric][day], abs=0.01)


def test_minute_heart_rate_is_the_mean_of_its_samples_whatever_their_confidence(app, tmp_path):
    archive = generate(tmp_path, Spec(zone="Europe/Berlin", start=date(2024, 5, 6), days=6, heart_rate_days=6))
    _, detail, report = read_everything(archive.parts)
    heart = series_of(detail, "heart_rate")
    assert sorted(heart.sums) == sorted(archive.heart_rate)
    for day, written in archive.heart_rate.items():
        assert heart.values(day) == pytest.approx({minute: total / count for minute, (total, count) in written.items()})
        # Off the wrist 10:00-11:00: those minutes are absent, not zero.
        assert not any(600 <= minute < 660 for minute in heart.values(day))
    imported(app, archive)
    stored = stored_series(app, "heart_rate")
    for day, written in archive.heart_rate.items():
        assert stored[day] == {minute: round(total / count) for minute, (total, count) in written.items()}


def test_sleep_stages_add_up_to_the_logs_summary_and_naps_are_kept(app, tmp_path):
    archive = generate(tmp_path, Spec(start=date(2024, 5, 6), days=12))
    _, detail, _ = read_everything(archive.parts)
    assert len(detail.sleep) == len(archive.sessions)
    written = {(one["start"], one["main"]): one for one in archive.sessions}
    for session in detail.sleep:
        log = written[(session.start, session.main)]
        assert (session.end, session.type, session.minutes_asleep) == (log["end"], log["type"], log["minutes_asleep"])
        assert stage_seconds(session) == {level: minutes * 60 for level, minutes in log["summary"].items()}
        assert session.type == "classic" or session.short_wakes
    imported(app, archive)
    with app.app_context():
        rows = db.session.execute(select(SleepRow).order_by(SleepRow.start)).scalars().all()
        assert [(row.start, row.main, row.kind) for row in rows] == [
            (one["start"], one["main"], one["type"]) for one in sorted(archive.sessions, key=lambda one: one["start"])]
        first = rows[0]
        assert first.stages[0][0] == 0 and sum(stage[1] for stage in first.stages) == (
            first.end - first.start).total_seconds()


def test_a_day_with_a_nap_and_a_workout(app, tmp_path):
    archive = generate(tmp_path, Spec(zone="America/Chicago", start=date(2024, 5, 6), days=6, heart_rate_days=6))
    day = date(2024, 5, 7)  # the generator's second day: a night, a nap at 14:00 and a walk at 17:05
    imported(app, archive)
    with app.app_context():
        sleeps = db.session.execute(select(SleepRow).filter_by(day=day).order_by(SleepRow.start)).scalars().all()
        assert [(row.main, row.start.time().isoformat()) for row in sleeps] == [(True, sleeps[0].start.time()
                                                                                  .isoformat()), (False, "14:00:00")]
        walk = db.session.execute(select(WorkoutRow).filter_by(day=day)).scalar_one()
    local, seconds, kind, steps, km, heart = next(one for one in archive.workouts if one[0].date() == day)
    assert (walk.start, walk.seconds, walk.type, walk.steps) == (local, seconds, kind, steps)
    assert walk.distance_km == pytest.approx(km, abs=1e-3)
    assert walk.average_heart_rate == heart and walk.heart_rate_zones["Fat Burn"] == 24
    # The walk's steps are the minute steps inside it: the start was placed on the right clock.
    stored = stored_series(app, "steps")[day]
    assert sum(value for minute, value in stored.items() if 17 * 60 + 5 <= minute < 17 * 60 + 35) == steps


def test_workout_starts_written_in_local_time_are_recognised(tmp_path):
    archive = generate(tmp_path, Spec(zone="Asia/Tokyo", start=date(2024, 5, 6), days=9, workout_clock="local"))
    _, detail, report = read_everything(archive.parts)
    assert [(one.start, one.steps) for one in detail.workouts] == [(one[0], one[3]) for one in archive.workouts]
    assert "Workout start times read as local time" in report.summary()
    utc = generate(tmp_path / "utc", Spec(zone="Asia/Tokyo", start=date(2024, 5, 6), days=9))
    _, detail, report = read_everything(utc.parts)
    assert [one.start for one in detail.workouts] == [one[0] for one in utc.workouts]
    assert "Workout start times" not in report.summary()


@pytest.mark.parametrize("start, hours", [(date(2024, 3, 9), 23), (date(2024, 11, 2), 25)], ids=["spring", "autumn"])
def test_a_dst_day_has_its_real_minutes(tmp_path, start, hours):
    archive = generate(tmp_path, Spec(zone="America/New_York", start=start, days=3, heart_rate_days=3))
    _, detail, _ = read_everything(archive.parts)
    day = start + timedelta(days=1)
    heart, calories = series_of(detail, "heart_rate"), series_of(detail, "calories")
    assert heart.values(day) == pytest.approx(
        {minute: total / count for minute, (total, count) in archive.heart_rate[day].items()})
    assert calories.values(day) == pytest.approx(archive.calories_minutes[day], abs=1e-4)
    if hours == 23:  # 02:00-02:59 never happened
        assert not any(120 <= minute < 180 for minute in heart.values(day)) and len(heart.values(day)) == 1380
    else:  # 01:00-01:59 happened twice: merged, each minute the mean of both hours' samples
        assert len(heart.values(day)) == 1440
        assert max(count for count in heart.counts[day]) == 12


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Honolulu"], ids=["utc+14", "utc-10"])
def test_far_from_utc_every_minute_lands_on_its_local_day(app, tmp_path, zone):
    archive = generate(tmp_path, Spec(zone=zone, start=date(2024, 5, 6), days=5, heart_rate_days=5))
    rows, detail, _ = read_everything(archive.parts)
    for day, written in archive.heart_rate.items():
        assert series_of(detail, "heart_rate").values(day) == pytest.approx(
            {minute: total / count for minute, (total, count) in written.items()})
        assert series_of(detail, "steps").values(day) == archive.steps_minutes[day]
    assert [one.start for one in detail.workouts] == [one[0] for one in archive.workouts]
    assert all(one.start.time().isoformat() == "17:05:00" for one in detail.workouts)
    imported(app, archive)
    steps = stored_series(app, "steps")
    assert {day: sum(values.values()) for day, values in steps.items()} == archive.expected["steps"]


@pytest.mark.parametrize("layout", ["takeout", "fitbit.com", "takeout2026"])
def test_every_new_metric_end_to_end(app, tmp_path, layout):
    archive = generate(tmp_path, Spec(layout=layout, zone="Australia/Sydney", start=date(2024, 5, 6), days=15))
    imported(app, archive)
    with app.app_context():
        shown = {(row.metric, row.day): (row.value, row.source) for row in db.session.execute(select(DailyMetric))
                 .scalars()}
        zones = {row.day: row.details for row in db.session.execute(
            select(SourceMetric).filter_by(metric="resting_heart_rate")).scalars()}
    for metric in NEW_METRICS:
        assert archive.expected[metric], metric
        got = {day: value for (name, day), (value, source) in shown.items() if name == metric}
        assert got == pytest.approx(archive.expected[metric], abs=1e-3), metric
        assert {source for (name, _), (_, source) in shown.items() if name == metric} == {"fitbit_archive"}
    # Minutes in each heart-rate zone ride on the day's resting heart rate.
    assert all(set(details["heart_rate_zones"]) == {"Out of Range", "Fat Burn", "Cardio", "Peak"}
               for details in zones.values())


def test_google_era_daily_csvs_give_hrv_spo2_and_breathing_rate(tmp_path):
    archive = generate(tmp_path, Spec(layout="takeout2026", start=date(2024, 5, 6), days=8, google_daily=True))
    rows, _, report = read_everything(archive.parts)
    for metric in ("hrv", "spo2", "breathing_rate"):
        assert {row.day: row.value for row in rows[metric]} == pytest.approx(archive.expected[metric]), metric
    assert report.bad_count == 0


def test_google_era_heart_rate_csv_fills_days_without_a_json_file(tmp_path):
    archive = generate(tmp_path, Spec(start=date(2024, 5, 6), days=6, heart_rate_days=2, heart_rate_csv_days=2))
    _, detail, _ = read_everything(archive.parts)
    heart = series_of(detail, "heart_rate")
    assert sorted(heart.sums) == sorted(archive.heart_rate) and len(archive.heart_rate) == 4
    for day, written in archive.heart_rate.items():
        assert heart.values(day) == pytest.approx({minute: total / count for minute, (total, count) in written.items()})


def test_a_corrupt_heart_rate_file_is_skipped_with_a_warning_and_nothing_else_is_lost(app, tmp_path):
    archive = generate(tmp_path, Spec(start=date(2024, 5, 6), days=6, heart_rate_days=4))
    broken = date(2024, 5, 7)
    name = f"Takeout/Fitbit/Global Export Data/heart_rate-{broken}.json"
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive.parts[0]) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info) if info.filename != name else
                            b'[{"dateTime":"05/06/24 12:00:04","value":{"bpm":61,"confidence":2}},{"dateTime":"05/0')
    archive.parts = [damaged]
    report = imported(app, archive)
    assert report.bad_count == 0 and report.heart_rate_skipped_count == 1
    assert (f"Warning: skipped 1 heart-rate file(s) that could not be read, so those days have no heart-rate curve: "
            f"Global Export Data/heart_rate-{broken}.json: not valid JSON.") in report.summary()
    stored = stored_series(app, "heart_rate")
    assert set(stored) == set(archive.heart_rate) - {broken}
    with app.app_context():
        steps = {row.day: row.value for row in db.session.execute(
            select(SourceMetric).filter_by(metric="steps")).scalars()}
    assert steps == archive.expected["steps"]


def test_reimporting_replaces_the_detail_of_the_days_covered(app, tmp_path):
    spec = Spec(start=date(2024, 5, 6), days=8, heart_rate_days=3)
    imported(app, generate(tmp_path / "a", spec))
    with app.app_context():
        before = [db.session.query(model).count() for model in (MinuteSeriesRow, SleepRow, WorkoutRow)]
    assert all(before)
    imported(app, generate(tmp_path / "b", spec))
    with app.app_context():
        assert [db.session.query(model).count() for model in (MinuteSeriesRow, SleepRow, WorkoutRow)] == before
    imported(app, generate(tmp_path / "c", Spec(start=date(2024, 5, 6), days=8, heart_rate_days=0, workouts=False)))
    with app.app_context():
        assert db.session.query(WorkoutRow).count() == 0
        assert db.session.query(MinuteSeriesRow).filter_by(metric="heart_rate").count() == 0
        assert db.session.query(SleepRow).count() == before[1]


def test_sleep_sessions_keep_their_local_wall_clock(tmp_path):
    archive = generate(tmp_path, Spec(zone="Pacific/Kiritimati", start=date(2024, 5, 6), days=3))
    _, detail, _ = read_everything(archive.parts)
    night = detail.sleep[0]
    assert night.end == datetime(night.end.year, night.end.month, night.end.day, 7)
    assert night.day == night.end.date()


def test_workout_distance_in_km_whatever_unit_the_log_used(tmp_path):
    record = {"logId": 1, "activityName": "Run", "startTime": "05/07/24 06:30:00", "duration": 1_800_000,
              "steps": 4000, "calories": 300, "averageHeartRate": 150, "distance": 3.1}
    units = {"Mile": 4.989, "Kilometer": 3.1, "Meter": 0.0031, None: None}
    for unit, km in units.items():
        logs = health.exercise_logs([dict(record, distanceUnit=unit) if unit else record])
        (log,) = logs.values()
        if unit is None:  # no distanceUnit: the account's unit (Profile.csv's distance_unit)
            assert workouts.workout(log, datetime(2024, 5, 7, 6, 30), "kilometer").distance_km == 3.1
            assert workouts.workout(log, datetime(2024, 5, 7, 6, 30), "mile").distance_km == pytest.approx(4.989,
                                                                                                          abs=1e-3)
        else:
            assert workouts.workout(log, datetime(2024, 5, 7, 6, 30), "mile").distance_km == pytest.approx(km,
                                                                                                          abs=1e-3)
    assert log.seconds == 1800 and log.type == "Run" and log.average_heart_rate == 150
