"""Archive uploads as an attacker tries them: no body read before log-in and CSRF, bounded parts,
one import at a time, random folders removed on every path, cancelling by deleting."""

import io
import re
import threading
import time
from pathlib import Path

import pytest
from archive_gen import Spec, generate
from helpers import PASSWORD, build_app, make_config
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from fitlink import jobs
from fitlink.archive import ArchiveImport
from fitlink.archive.jobs import run_import
from fitlink.extensions import db
from fitlink.models import SourceMetric, User

ARCHIVE_URLS = ("/archive/import", "/archive/delete", "/archive/status")


def uploads_app(tmp_path, **config):
    """fitlink with CSRF on, its jobs queued (not run), uploads under tmp_path/up."""
    settings = {"ARCHIVE_UPLOAD_DIR": str(tmp_path / "up"), "JOBS_IMMEDIATE": False, "WTF_CSRF_ENABLED": True,
                **config}
    return build_app(make_config(tmp_path, "http://127.0.0.1:9/demo-fitbit", **settings))


@pytest.fixture
def app(tmp_path):
    app = uploads_app(tmp_path)
    yield app
    jobs.huey.flush()


def files_on_disk(app) -> list[Path]:
    root = Path(app.config["ARCHIVE_UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def csrf_token(client, path="/archive/import") -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text).group(1)


def sign_up(client, email="ada@example.org"):
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post("/signup", data={"email": email, "password": PASSWORD, "confirm": PASSWORD,
                                          "csrf_token": token})
    assert answer.status_code == 302


def multipart(client, url: str, fields: list[tuple[str, object]], **kwargs):
    """POST fields as multipart/form-data encoded in memory (the test client would spool a body
    over 500 KB to a temporary file that nothing closes); a file is a (bytes, name) pair."""
    values = MultiDict((key, FileStorage(io.BytesIO(value[0]), filename=value[1]) if isinstance(value, tuple) else value)
                       for key, value in fields)
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def post_archive(client, paths, token: str | None, in_url=True, extra=0):
    """POST the upload form: the CSRF token in the body and the URL (as the page's form does), or the body only;
    extra: that many more tiny file parts."""
    fields = [("archive", (path.read_bytes(), path.name)) for path in paths]
    fields += [(f"field{number}", (b"x" * 100, f"f{number}.zip")) for number in range(extra)]
    if token:
        fields.append(("csrf_token", token))
    url = f"/archive/import?csrf_token={token}" if token and in_url else "/archive/import"
    return multipart(client, url, fields)


def queued_import(app, client, archive) -> ArchiveImport:
    answer = post_archive(client, archive.parts, csrf_token(client))
    assert answer.status_code == 302, answer.text
    with app.app_context():
        return db.session.execute(select(ArchiveImport)).scalars().all()[-1]


def archive_rows(app) -> int:
    with app.app_context():
        return len(db.session.execute(select(SourceMetric).filter_by(source="fitbit_archive")).all())


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("archive"), Spec(days=10))


def test_anonymous_multipart_posts_write_nothing(app, archive):
    client = app.test_client()
    for url in ARCHIVE_URLS:
        fields = [("archive", (archive.parts[0].read_bytes(), "a.zip"))]
        fields += [(f"field{number}", (b"x" * 100, f"f{number}.zip")) for number in range(50)]
        answer = multipart(client, url, fields)
        assert answer.status_code in (302, 401, 405), (url, answer.status_code)
        assert files_on_disk(app) == [], url


def test_a_logged_in_upload_without_the_token_outside_the_body_is_refused_unread(app, archive):
    client = app.test_client()
    sign_up(client)
    token = csrf_token(client)
    answer = post_archive(client, archive.parts, token, in_url=False)
    assert answer.status_code == 400 and "Form expired" in answer.text
    answer = post_archive(client, archive.parts, "forged-token")
    assert answer.status_code == 400
    assert files_on_disk(app) == []
    with app.app_context():
        assert db.session.execute(select(ArchiveImport)).first() is None


def test_the_token_in_a_header_is_accepted(app, archive):
    client = app.test_client()
    sign_up(client)
    token = csrf_token(client)
    answer = multipart(client, "/archive/import", [("archive", (archive.parts[0].read_bytes(), "a.zip")),
                                                   ("csrf_token", token)], headers={"X-CSRFToken": token})
    assert answer.status_code == 302


def test_too_many_parts_are_refused_and_leave_nothing(app, archive):
    client = app.test_client()
    sign_up(client)
    answer = post_archive(client, archive.parts, csrf_token(client), extra=990)
    assert answer.status_code == 413
    assert files_on_disk(app) == []


def test_one_import_at_a_time(app, archive):
    client = app.test_client()
    sign_up(client)
    queued_import(app, client, archive)
    before = files_on_disk(app)
    again = post_archive(client, archive.parts, csrf_token(client))
    assert again.status_code == 409 and "still being imported" in again.text
    assert files_on_disk(app) == before


def test_folders_are_random_and_removed_after_the_import(app, archive):
    client = app.test_client()
    sign_up(client)
    row = queued_import(app, client, archive)
    folder = Path(app.config["ARCHIVE_UPLOAD_DIR"]) / f"import-{row.folder}"
    assert folder.is_dir() and len(row.folder) == 32
    with app.app_context():
        assert run_import(row.id, row.folder) == "done"
        assert db.session.get(ArchiveImport, row.id).folder is None
    assert not folder.exists() and files_on_disk(app) == []
    assert archive_rows(app) > 0


def test_a_deleted_persons_queued_upload_goes_nowhere(app, archive):
    victim = app.test_client()
    sign_up(victim, "victim@example.org")
    row = queued_import(app, victim, archive)
    assert files_on_disk(app)
    assert victim.post("/account/delete", data={"password": PASSWORD,
                                                "csrf_token": csrf_token(victim, "/account")}).status_code == 302
    assert files_on_disk(app) == []  # removed with the account, before any job ran

    attacker = app.test_client()
    sign_up(attacker, "attacker@example.org")
    with app.app_context():
        assert run_import(row.id, row.folder) == "gone"  # the victim's queued job
        attacker_id = db.session.execute(select(User.id)).scalar_one()
    assert attacker_id > row.user_id
    own = queued_import(app, attacker, generate(Path(app.config["ARCHIVE_UPLOAD_DIR"]).parent / "mine",
                                                Spec(days=3, seed=11)))
    assert own.id != row.id and own.folder != row.folder
    with app.app_context():
        run_import(own.id, own.folder)
        days = {day for (day,) in db.session.execute(select(SourceMetric.day).filter_by(
            source="fitbit_archive", metric="steps"))}
    assert len(days) == 3  # only the attacker's own three days


def test_deleting_imported_data_cancels_a_queued_import(app, archive):
    client = app.test_client()
    sign_up(client)
    row = queued_import(app, client, archive)
    assert client.post("/archive/delete", data={"csrf_token": csrf_token(client)}).status_code == 302
    with app.app_context():
        assert run_import(row.id, row.folder) == "gone"
        assert db.session.get(ArchiveImport, row.id).status == "cancelled"
    assert archive_rows(app) == 0 and files_on_disk(app) == []


def test_deleting_imported_data_stops_a_running_import(tmp_path, app):
    big = generate(tmp_path / "big", Spec(days=400, heart_rate_days=0, padding_days=0, rhr_padding_days=0))
    client = app.test_client()
    sign_up(client)
    row = queued_import(app, client, big)
    outcome = []

    def work():
        with app.app_context():
            outcome.append(run_import(row.id, row.folder))

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 60
    with app.app_context():
        while db.session.get(ArchiveImport, row.id).status == "queued" and time.monotonic() < deadline:
            db.session.expire_all()
            time.sleep(0.005)
    assert client.post("/archive/delete", data={"csrf_token": csrf_token(client)}).status_code == 302
    worker.join(60)
    assert outcome == ["cancelled"]
    assert archive_rows(app) == 0 and files_on_disk(app) == []


def test_stale_uploads_are_swept(app, archive):
    import os

    root = Path(app.config["ARCHIVE_UPLOAD_DIR"])
    crashed = root / "incoming" / "tmp123.part"
    orphan = root / "import-0123456789abcdef0123456789abcdef" / "1-a.zip"
    for path in (crashed, orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left behind by a crash")
        os.utime(path, (time.time() - 2 * 86400,) * 2)
    os.utime(orphan.parent, (time.time() - 2 * 86400,) * 2)
    client = app.test_client()
    sign_up(client)
    queued_import(app, client, archive)
    assert not crashed.exists() and not orphan.parent.exists()
    assert len(files_on_disk(app)) == len(archive.parts)
