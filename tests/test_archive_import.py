"""The archive import through the app: upload, background job, idempotence, precedence, delete, CLI, bad input."""

import zipfile
from datetime import date

import pytest
from archive_gen import Spec, generate
from conftest import build_app, make_config, signup
from sqlalchemy import select

from fitlink import sources
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
    app = archive_app_with(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(archive_app):
    client = archive_app.test_client()
    signup(client)
    return client


def upload(client, paths):
    files = [(open(path, "rb"), path.name) for path in paths]
    try:
        return client.post("/archive/import", data={"archive": files}, content_type="multipart/form-data")
    finally:
        for handle, _ in files:
            handle.close()


def rows(app, source="fitbit_archive"):
    with app.app_context():
        found = db.session.execute(select(SourceMetric).filter_by(source=source)).scalars()
        return {(row.metric, row.day): row.value for row in found}


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
    upload(client, [path])
    status = client.get("/archive/status").get_json()
    assert status["status"] == "failed"
    assert "No Fitbit data was found" in status["message"]
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
