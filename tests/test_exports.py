"""Exports: one streamed CSV or JSON file holding exactly the user's stored rows for the range."""

import csv
import io
import json
from datetime import date, timedelta

from sqlalchemy import select

import pytest
from helpers import connect, signup

from fitlink.dates import local_today
from fitlink.extensions import db
from fitlink.models import DailyMetric

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


def stored(app, user_id: int, start: date, end: date) -> set[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(DailyMetric.day, DailyMetric.metric, DailyMetric.value)
            .where(DailyMetric.user_id == user_id, DailyMetric.day.between(start, end))
        )
        return {(day.isoformat(), metric, value) for day, metric, value in rows}


def two_users(app):
    """Ada connected as alex; Eve, another fitlink user, connected as kiri."""
    eve = app.test_client()
    signup(eve, email="eve@example.org")
    connect(eve, account="kiri")
    ada = app.test_client()
    signup(ada)
    connect(ada, account="alex")
    return ada


def test_csv_export_holds_exactly_the_stored_rows_for_the_range(app):
    client = two_users(app)
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


def test_json_export_for_chosen_dates(app):
    client = two_users(app)
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


def test_a_year_streams_and_bad_ranges_fall_back(app):
    client = two_users(app)
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
