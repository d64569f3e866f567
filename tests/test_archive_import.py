"""The archive import through the app: upload, background job, idempotence, precedence, delete, CLI, bad input."""

import zipfile
from html.parser import HTMLParser
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from archive_gen import Spec, generate
from helpers import build_app, closing, make_config, signed_up_client, signup
from sqlalchemy import select

from fitlink import sources
from fitlink.archive.extract import read_archive
from fitlink.archive import SOURCE, ArchiveImport, latest_day
from fitlink.extensions import db
from fitlink.models import DailyMetric, SourceMetric, User
from fitlink.sources import DayValue
from fitlink.sync.store import save_days


def archive_app_with(tmp_path, **config):
    """Build an app whose uploads go to tmp_path/up, with the archive source registered."""
    app = build_app(make_config(tmp_path, "http://127.0.0.1:9/demo-fitbit",
                                ARCHIVE_UPLOAD_DIR=str(tmp_path / "up"), **config))
    with app.app_context():
        if sources.get(SOURCE.name) is None:
            # Until the app factory lists the archive source itself.
            sources.init_app(app, [SOURCE])
            db.create_all()
    return app


@pytest.fixture
def archive_app(tmp_path):
    yield from closing(archive_app_with(tmp_path))


@pytest.fixture
def client(archive_app):
    return signed_up_client(archive_app)


def upload(client, paths, **fields):
    files = [(open(path, "rb"), path.name) for path in paths]
    try:
        return client.post("/archive/import", data={"archive": files, **fields}, content_type="multipart/form-data",
                           follow_redirects=fields.pop("follow_redirects", False))
    finally:
        for handle, _ in files:
            handle.close()


def rows(app, source="fitbit_archive"):
    with app.app_context():
        found = db.session.execute(select(SourceMetric).filter_by(source=source)).scalars()
        return {(row.metric, row.day): row.value for row in found}


def visible_text(page: str) -> str:
    """Return the words a person sees on a page (text outside tags and scripts)."""
    parts: list[str] = []

    class Text(HTMLParser):
        hidden = 0

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.hidden:
                parts.append(data)

    Text().feed(page)
    return " ".join(" ".join(parts).split())


def shown(app):
    with app.app_context():
        return {(row.metric, row.day): (row.value, row.source)
                for row in db.session.execute(select(DailyMetric)).scalars()}


def test_upload_imports_every_metric_and_deletes_the_upload(archive_app, client, tmp_path):
    archive = generate(tmp_path / "gen", Spec(parts=2))
    answer = upload(client, archive.parts)
    assert answer.status_code == 302
    stored = rows(archive_app)
    for metric, values in archive.expected.items():
        for day, value in values.items():
            assert stored[(metric, day)] == pytest.approx(value, abs=1e-3), (metric, day)
    assert len(stored) == sum(len(values) for values in archive.expected.values())
    assert not list((tmp_path / "up").glob("import-*"))
    assert (tmp_path / "up" / "incoming").is_dir()  # the upload was spooled there, not to memory or /tmp
    status = client.get("/archive/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    assert "Imported 14 days" in status["message"]
    with archive_app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert latest_day(user.id) == archive.last_day


def test_reimport_updates_and_never_duplicates(archive_app, client, tmp_path):
    first = generate(tmp_path / "a", Spec())
    upload(client, first.parts)
    before = rows(archive_app)
    again = generate(tmp_path / "b", Spec())
    upload(client, again.parts)
    assert rows(archive_app) == before
    with archive_app.app_context():
        assert db.session.query(SourceMetric).count() == len(before)


def test_import_respects_other_sources_and_delete_removes_only_archive_data(archive_app, client, tmp_path):
    archive = generate(tmp_path / "gen", Spec())
    day = date(2024, 4, 2)
    with archive_app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        save_days(user.id, "fitbit", "steps", [DayValue(day, 4321.0)])
        db.session.commit()
    upload(client, archive.parts)
    assert shown(archive_app)[("steps", day)] == (4321.0, "fitbit")
    assert shown(archive_app)[("steps", date(2024, 4, 3))][1] == "fitbit_archive"
    assert rows(archive_app, "fitbit") == {("steps", day): 4321.0}
    page = client.get("/archive/import")
    assert b"Delete imported archive data" in page.data
    client.post("/archive/delete")
    assert rows(archive_app) == {}
    assert shown(archive_app) == {("steps", day): (4321.0, "fitbit")}


def test_page_has_the_archive_field_and_import_button(client):
    page = client.get("/archive/import").get_data(as_text=True)
    assert '<label for="archive">Archive</label>' in page
    assert 'multiple' in page and 'value="Import"' in page and "Takeout" in page


def test_not_a_zip_is_refused_with_a_message(archive_app, client, tmp_path):
    path = tmp_path / "notes.zip"
    path.write_text("this is not a zip")
    answer = upload(client, [path])
    assert answer.status_code == 400
    assert "notes.zip is not a zip file" in answer.get_data(as_text=True)
    with archive_app.app_context():
        assert db.session.query(ArchiveImport).count() == 0


def test_too_large_upload_gets_a_plain_message(tmp_path):
    app = archive_app_with(tmp_path, ARCHIVE_MAX_BYTES=10_000)
    client = app.test_client()
    signup(client)
    # A hand-made body: the test client's own spooling of a big form leaks a temporary file on a 413.
    body = (b"--b\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"big.zip\"\r\n"
            b"Content-Type: application/zip\r\n\r\n" + b"x" * 2_000_000 + b"\r\n--b--\r\n")
    answer = client.post("/archive/import", data=body, content_type="multipart/form-data; boundary=b")
    assert answer.status_code == 413
    assert "larger than the 0 MB fitlink accepts" in answer.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_archive_without_fitbit_data_fails_clearly_and_keeps_data(archive_app, client, tmp_path):
    with archive_app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        save_days(user.id, "fitbit_archive", "steps", [DayValue(date(2020, 1, 1), 100.0)])
        db.session.commit()
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/Google Photos/cat.jpg", b"\xff\xd8" * 100)
    upload(client, [path], follow_redirects=True)
    status = client.get("/archive/status").get_json()
    assert status["status"] == "failed"
    assert status["message"].startswith("No Fitbit data was found in this upload: found 1 file, none of them "
                                        "Fitbit health data: Takeout/Google Photos/cat.jpg.")
    assert rows(archive_app) == {("steps", date(2020, 1, 1)): 100.0}
    assert not list((tmp_path / "up").glob("import-*"))


def test_cli_imports_with_a_progress_bar_and_keeps_the_files(archive_app, client, tmp_path):
    archive = generate(tmp_path / "gen", Spec(layout="fitbit.com"))
    runner = archive_app.test_cli_runner()
    result = runner.invoke(args=["fitbit", "import-archive", "--user", "ada@example.org",
                                 *[str(path) for path in archive.parts]])
    assert result.exit_code == 0, result.output
    assert "Reading the archive" in result.output and "Imported 14 days" in result.output
    assert all(path.exists() for path in archive.parts)
    assert rows(archive_app)[("steps", date(2024, 4, 7))] == archive.expected["steps"][date(2024, 4, 7)]
    missing = runner.invoke(args=["fitbit", "import-archive", "--user", "nobody@example.org",
                                  str(archive.parts[0])])
    assert missing.exit_code != 0 and "No fitlink account" in missing.output
    unknown = runner.invoke(args=["fitbit", "import-archive", "--user", "ada@example.org", "--zone", "Mars/Base",
                                  str(archive.parts[0])])
    assert unknown.exit_code != 0 and "'Mars/Base' is not a time zone fitlink knows" in unknown.output


def test_upload_without_health_data_says_what_it_held_once_and_not_importing(client, tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/Google Photos/cat.jpg", b"\xff\xd8" * 100)
        archive.writestr("Takeout/archive_browser.html", "<html></html>")
    page = upload(client, [path], follow_redirects=True).get_data(as_text=True)
    said = ("found 2 files, none of them Fitbit health data: Takeout/Google Photos/cat.jpg, "
            "Takeout/archive_browser.html.")
    text = visible_text(page)
    assert text.count(said) == 1
    assert "importing" not in text.lower()
    assert "The last attempt failed" in text


def test_the_dashboard_says_which_zone_counted_the_days(archive_app, client, tmp_path):
    spec = Spec(profile=False, zone="Africa/Johannesburg", start=date(2024, 5, 6), days=10, heart_rate_days=10)
    archive = generate(tmp_path / "gen", spec)
    page = upload(client, archive.parts, zone="UTC", follow_redirects=True).get_data(as_text=True)
    assert "Times as recorded: UTC+2 inferred from your heart-rate files." in page
    stored = rows(archive_app)
    assert {day: stored[("steps", day)] for day in archive.expected["steps"]} == archive.expected["steps"]


def test_the_chosen_zone_counts_days_the_archive_cannot_place_and_a_new_choice_updates_them(
        archive_app, client, tmp_path):
    # No Profile.csv, no heart-rate files, and minute files that begin at 07:07 local: no evidence.
    spec = Spec(profile=False, zone="America/Los_Angeles", start=date(2024, 6, 3), days=10, heart_rate_days=0,
                midnight_records=False, awake_minutes=(427, 1380))
    archive = generate(tmp_path / "gen", spec)
    page = client.get("/archive/import").get_data(as_text=True)
    assert '<option selected value="UTC">' in page  # the account's zone: nothing connected yet
    upload(client, archive.parts, zone="America/Los_Angeles")
    steps = {day: value for (metric, day), value in rows(archive_app).items() if metric == "steps"}
    assert steps == archive.expected["steps"]
    assert "the zone you chose, America/Los_Angeles" in client.get("/archive/status").get_json()["message"]
    assert '<option selected value="America/Los_Angeles">' in client.get("/archive/import").get_data(as_text=True)
    again = generate(tmp_path / "again", spec)
    upload(client, again.parts, zone="Asia/Tokyo")
    tokyo, _ = read_archive(generate(tmp_path / "third", spec).parts, chosen_zone=ZoneInfo("Asia/Tokyo"))
    after = {day: value for (metric, day), value in rows(archive_app).items() if metric == "steps"}
    for row in tokyo["steps"]:
        assert after[row.day] == row.value
    assert after != archive.expected["steps"]
