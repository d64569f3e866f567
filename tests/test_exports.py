"""Exports: one streamed CSV or JSON file holding exactly the user's stored rows for the range."""

import csv
import io
import json
from datetime import date, datetime, timedelta

from sqlalchemy import select

import pytest
from helpers import connected_client, signup

from fitlink.dates import local_today
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection, User
from fitlink.sources import DayValue, MinuteSeries, SleepSession, SleepStage, Workout
from fitlink.sync.store import replace_sleep, replace_workouts, save_days, save_series

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


def stored(app, user_id: int, start: date, end: date) -> set[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(DailyMetric.day, DailyMetric.metric, DailyMetric.value)
            .where(DailyMetric.user_id == user_id, DailyMetric.day.between(start, end))
        )
        return {(day.isoformat(), metric, value) for day, metric, value in rows}


def read_only_setup(app):
    """Ada connected as alex; Eve, another fitlink user, connected as kiri: once (conftest's read_only_app)
    for the tests that only export what they stored. Returns the app and Ada's browser."""
    connected_client(app, account="kiri", email="eve@example.org")
    return app, connected_client(app)


def test_csv_export_holds_exactly_the_stored_rows_for_the_range(read_only_app):
    app, client = read_only_app
    response = client.get("/dashboard/export.csv?range=90")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="fitlink-') and disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    end = max(date.fromisoformat(r["date"]) for r in rows)
    start = end - timedelta(days=89)
    assert f"{start.isoformat()}-to-{end.isoformat()}" in disposition
    exported = {(r["date"], r["metric"], float(r["value"])) for r in rows}
    assert len(exported) == len(rows)
    assert exported == stored(app, 2, start, end)
    sleep = next(r for r in rows if r["metric"] == "sleep")
    assert set(json.loads(sleep["details"])["stages"]) == {"deep", "light", "rem", "wake"}
    assert all(r["unit"] for r in rows) and all(r["updated_at"].endswith("+00:00") for r in rows)


def test_json_export_for_chosen_dates(read_only_app):
    app, client = read_only_app
    today = local_today("UTC")
    start, end = today - timedelta(days=40), today - timedelta(days=10)
    response = client.get(f"/dashboard/export.json?start={start}&end={end}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f'filename="fitlink-{start}-to-{end}.json"' in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert (document["start"], document["end"]) == (start.isoformat(), end.isoformat())
    assert document["units"]["distance"] == "km" and document["units"]["weight"] == "kg"
    exported = {(r["date"], r["metric"], float(r["value"])) for r in document["rows"]}
    assert len(exported) == len(document["rows"]) > 0
    assert exported == stored(app, 2, start, end)


def test_a_year_streams_and_bad_ranges_fall_back(read_only_app):
    app, client = read_only_app
    year = client.get("/dashboard/export.csv?range=365")
    lines = year.get_data(as_text=True).splitlines()
    assert lines[0] == "date,metric,value,unit,source,details,updated_at"
    assert {line.split(",")[4] for line in lines[1:]} == {"fitbit"}
    assert len(lines) - 1 == len(stored(app, 2, date(2000, 1, 1), date(2100, 1, 1)))
    fallback = client.get("/dashboard/export.csv?range=nonsense&start=2026-13-01")
    days = {line.split(",")[0] for line in fallback.get_data(as_text=True).splitlines()[1:]}
    assert len(days) == 30


def test_export_needs_a_login(client):
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/dashboard/export.xml").status_code == 404


def ada_with_detail(app, client):
    """Ada with a Fitbit connection, two newer metrics, minute series from two sources, a night and a workout."""
    signup(client)
    day = date(2026, 11, 20)
    with app.app_context():
        user = db.session.execute(select(User).filter_by(email="ada@example.org")).scalar_one()
        db.session.add(Connection(provider="fitbit", provider_user_id="FB-1", user_id=user.id, timezone="UTC",
                             token={"oauth_token": "t"}))
        save_days(user.id, "fitbit", "hrv", [DayValue(day, 41.5)])
        save_days(user.id, "fitbit", "skin_temperature", [DayValue(day, -0.4)])
        save_series(user.id, "fitbit", [MinuteSeries("steps", day, {0: 5, 61: 12}),
                                        MinuteSeries("heart_rate", day, {0: 58, 1: 60})])
        # Google Health ranks first: its heart rate is the one shown that day.
        save_series(user.id, "google_health", [MinuteSeries("heart_rate", day, {0: 70})])
        start = datetime(2026, 11, 19, 23, 10)
        replace_sleep(user.id, "fitbit", day, day, [SleepSession(
            start, datetime(2026, 11, 20, 6, 55, 30), True, "stages", 421,
            stages=(SleepStage(start, 990, "wake"), SleepStage(start + timedelta(seconds=990), 1800, "light")),
            short_wakes=(SleepStage(start + timedelta(seconds=1200), 60, "wake"),))])
        replace_workouts(user.id, "fitbit", day, day, [Workout(datetime(2026, 11, 20, 17, 5), 1830, "Walk", 152,
                                                                2.4, 112, 3120, {"Fat Burn": 12})])
        db.session.commit()
    return day


def test_exports_carry_the_newer_metrics_and_the_day_detail(app, client):
    day = ada_with_detail(app, client)
    query = f"start={day}&end={day}"
    document = json.loads(client.get(f"/dashboard/export.json?{query}").get_data(as_text=True))
    assert {(r["metric"], r["value"]) for r in document["rows"]} == {("hrv", 41.5), ("skin_temperature", -0.4)}
    assert document["units"]["hrv"] == "ms" and document["units"]["skin_temperature"] == "degC"
    series = {s["metric"]: s for s in document["series"]}
    assert series["steps"] == {"date": str(day), "metric": "steps", "source": "fitbit", "interval_s": 60,
                               "points": [[0, 5], [61, 12]]}
    assert (series["heart_rate"]["source"], series["heart_rate"]["points"]) == ("google_health", [[0, 70]])
    [night] = document["sleep"]
    assert (night["start"], night["end"], night["main"], night["minutes_asleep"]) == (
        "2026-11-19T23:10:00", "2026-11-20T06:55:30", True, 421)
    assert night["stages"] == [{"start": "2026-11-19T23:10:00", "seconds": 990, "level": "wake"},
                               {"start": "2026-11-19T23:26:30", "seconds": 1800, "level": "light"}]
    assert night["short_wakes"] == [{"start": "2026-11-19T23:30:00", "seconds": 60, "level": "wake"}]
    [walk] = document["exercises"]
    assert (walk["start"], walk["seconds"], walk["distance_km"], walk["steps"]) == ("2026-11-20T17:05:00", 1830,
                                                                                   2.4, 3120)
    daily = client.get(f"/dashboard/export.csv?{query}").get_data(as_text=True)
    assert f"{day},skin_temperature,-0.4,degC,fitbit" in daily
    minutes = client.get(f"/dashboard/export.csv?table=minutes&{query}")
    assert minutes.is_streamed and 'minutes.csv"' in minutes.headers["Content-Disposition"]
    assert minutes.get_data(as_text=True).splitlines() == [
        "date,minute,time,metric,value,unit,source",
        f"{day},0,00:00,heart_rate,70,bpm,google_health",
        f"{day},0,00:00,steps,5,steps,fitbit", f"{day},61,01:01,steps,12,steps,fitbit"]
    sleep = list(csv.DictReader(io.StringIO(client.get(f"/dashboard/export.csv?table=sleep&{query}").text)))
    assert [(r["part"], r["stage_start"], r["seconds"], r["level"]) for r in sleep] == [
        ("stage", "2026-11-19T23:10:00", "990", "wake"), ("stage", "2026-11-19T23:26:30", "1800", "light"),
        ("short_wake", "2026-11-19T23:30:00", "60", "wake")]
    workouts = list(csv.DictReader(io.StringIO(client.get(f"/dashboard/export.csv?table=exercises&{query}").text)))
    assert [(w["type"], w["calories"], w["heart_rate_zones"]) for w in workouts] == [
        ("Walk", "152", '{"Fat Burn": 12}')]
    assert client.get(f"/dashboard/export.csv?table=everything&{query}").status_code == 400

