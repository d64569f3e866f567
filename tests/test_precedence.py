"""Two sources for one person, end to end: one value per day, exports name the source, Disconnect removes one."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_gen import Spec, generate
from helpers import connect, signup
from fitlink.archive import import_archive
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.extensions import db
from fitlink.models import DailyMetric, SourceMetric, User

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


def steps_shown(app) -> dict:
    with app.app_context():
        rows = db.session.execute(select(DailyMetric.day, DailyMetric.value, DailyMetric.source)
                                  .where(DailyMetric.metric == "steps"))
        return {day: (value, source) for day, value, source in rows}


def test_a_live_source_wins_over_an_archive_and_disconnect_keeps_the_other(app, client, tmp_path):
    signup(client)
    connect(client, account="alex")
    account = get_account("alex")
    today = local_today(account)
    archive = generate(tmp_path / "archive", Spec(start=today - timedelta(days=20), days=14,
                                                  zone=account.timezone))
    with app.app_context():
        uid = db.session.execute(select(User.id)).scalar_one()
        import_archive(uid, archive.parts, keep_files=True)
    archived = archive.expected["steps"]
    shown = steps_shown(app)
    # Days both hold show Fitbit's value, never a sum; the archive keeps its own rows underneath.
    for day in archived:
        assert shown[day] == (daily_values("alex", day)["steps"], "fitbit"), day
    with app.app_context():
        kept = dict(db.session.execute(select(SourceMetric.day, SourceMetric.value).where(
            SourceMetric.source == "fitbit_archive", SourceMetric.metric == "steps")).all())
    assert kept == pytest.approx(archived)

    export = client.get("/dashboard/export.csv?range=30").get_data(as_text=True)
    rows = [row for row in csv.DictReader(io.StringIO(export)) if row["metric"] == "steps"]
    assert len(rows) == len({row["date"] for row in rows}) == 30  # one value per day
    assert {row["source"] for row in rows} == {"fitbit"}

    page = client.get("/dashboard").text
    assert "Disconnect Fitbit" in page and "Delete imported data" in page

    client.post("/connections/fitbit/disconnect")
    shown = steps_shown(app)
    assert {day: value for day, (value, _source) in shown.items()} == pytest.approx(archived)
    assert {source for _value, source in shown.values()} == {"fitbit_archive"}
    page = client.get("/dashboard").text
    assert "Connect Fitbit" in page and "the latest day your imported data holds" in page


def test_two_people_never_see_each_others_data(app, tmp_path):
    first, second = app.test_client(), app.test_client()
    signup(first, "one@example.org")
    connect(first, account="alex")
    signup(second, "two@example.org")
    archive = generate(tmp_path / "archive", Spec())
    with app.app_context():
        uid = db.session.execute(select(User.id).filter_by(email="two@example.org")).scalar_one()
        import_archive(uid, archive.parts, keep_files=True)
    mine = first.get("/dashboard/export.json?range=365").get_json()["rows"]
    theirs = second.get(f"/dashboard/export.json?start={min(archive.expected['steps'])}"
                        f"&end={max(archive.expected['steps'])}").get_json()["rows"]
    assert {row["source"] for row in mine} == {"fitbit"}
    assert {row["source"] for row in theirs} == {"fitbit_archive"}
    assert first.post("/connections/fitbit_archive/disconnect").status_code == 404
    assert steps_shown(app)  # nothing of anyone's was removed
