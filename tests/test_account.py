"""The account page: change and reset the password, export everything, delete everything."""

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, inspect, select, text

from helpers import NO_PROVIDER, PASSWORD, build_app, local_path, login, mail_config, make_config, signup
from services import postgres_database, redis_database

from fitlink import sources
from fitlink.archive.models import ArchiveImport
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection, SourceMetric, SyncState, User
from fitlink.sources import MinuteSeries, SleepSession, SleepStage, Workout
from fitlink.sync.store import replace_sleep, replace_workouts, save_series

NEW_PASSWORD = "a brand new passphrase"


def logged_in(app, email="ada@example.org"):
    """A new browser logged in to email's account (signing it up first if needed)."""
    client = app.test_client()
    assert signup(client, email=email).status_code == 302
    return client


def is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_account_is_linked_from_every_page_header(client):
    signup(client)
    for page in ("/dashboard", "/account"):
        html = client.get(page).text
        header = html.split("</header>")[0]
        assert '<a href="/account">Account</a>' in header
    client.post("/logout")
    assert client.get("/account").status_code == 302  # log in first


def change_password(client, current=PASSWORD, new=NEW_PASSWORD):
    return client.post("/account/password", data={"current": current, "password": new, "confirm": new})


def check_change_password_ends_other_sessions(app):
    laptop = logged_in(app)
    phone = app.test_client()
    assert login(phone).status_code == 302 and is_logged_in(phone)
    before = laptop.get_cookie("session").value
    response = change_password(laptop)
    assert response.status_code == 302
    assert laptop.get_cookie("session").value != before  # this session goes on under a new id
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert login(phone).status_code == 400
    assert login(phone, password=NEW_PASSWORD).status_code == 302


def test_change_password_logs_out_other_sessions(app):
    check_change_password_ends_other_sessions(app)


@pytest.mark.services
def test_change_password_logs_out_other_sessions_on_redis(tmp_path):
    with redis_database() as url:
        app = build_app(make_config(tmp_path, NO_PROVIDER, REDIS_URL=url))
        check_change_password_ends_other_sessions(app)


def test_change_password_needs_the_current_one_and_a_good_new_one(client):
    signup(client)
    wrong = change_password(client, current="not my password")
    assert wrong.status_code == 400 and "That is not your current password." in wrong.text
    common = change_password(client, new="password123")
    assert common.status_code == 400 and "too common" in common.text
    mine = change_password(client, new="ada@example.org rules")
    assert "Do not use your email address in your password." in mine.text
    client.post("/logout")
    assert login(client).status_code == 302  # unchanged


def reset_link(message) -> str:
    return re.search(r"(http://\S+/account/reset\?token=\S+)", message.get_payload()).group(1)


def ask_reset(app, email):
    return app.test_client().post("/account/forgot", data={"email": email})


def test_forgot_password_answers_the_same_for_unknown_addresses(mail_app):
    logged_in(mail_app)
    known = ask_reset(mail_app, "ADA@example.org")
    unknown = ask_reset(mail_app, "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known.status_code == 302
    page = mail_app.test_client()
    page.post("/account/forgot", data={"email": "nobody@example.org"})
    assert "If an account uses that address, we have emailed it a link" in page.get("/login").text
    messages = mail_app.inbox.wait_for(1)
    assert [message["To"] for message in messages] == ["ada@example.org"]


def test_reset_link_sets_a_new_password_once_and_ends_sessions(mail_app):
    old_session = logged_in(mail_app)
    ask_reset(mail_app, "ada@example.org")
    link = local_path(reset_link(mail_app.inbox.wait_for(1)[0]))
    browser = mail_app.test_client()
    assert "Choose a new password" in browser.get(link).text
    weak = browser.post(link, data={"password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 400 and "too common" in weak.text
    done = browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert not is_logged_in(old_session)
    assert login(browser, password=NEW_PASSWORD).status_code == 302
    # The link is single-use.
    again = mail_app.test_client().post(link, data={"password": "yet another passphrase",
                                                    "confirm": "yet another passphrase"})
    assert again.status_code == 302 and again.headers["Location"] == "/account/forgot"
    assert login(mail_app.test_client(), password=NEW_PASSWORD).status_code == 302


def test_reset_links_expire_and_cannot_be_forged(tmp_path, provider, smtp):
    port, inbox = smtp
    app = build_app(make_config(tmp_path, provider.url, PASSWORD_RESET_MAX_AGE=-1, **mail_config(port)))
    logged_in(app)
    ask_reset(app, "ada@example.org")
    link = local_path(reset_link(inbox.wait_for(1)[0]))
    client = app.test_client()
    assert client.get(link).headers["Location"] == "/account/forgot"
    assert client.get("/account/reset?token=forged.token.here").headers["Location"] == "/account/forgot"
    assert "That link has expired or was already used." in client.get("/account/forgot").text


def add_data(app, email="ada@example.org"):
    """Give the person a connection with a token, sync state, source rows and shown values."""
    with app.app_context():
        user = db.session.execute(select(User).filter_by(email=email)).scalar_one()
        connection = Connection(provider="fitbit", provider_user_id=f"FB-{user.id}", user_id=user.id,
                           display_name="Ada L.", timezone="Europe/London", goals={"steps": 9000},
                           token={"oauth_token": "secret-access-token", "oauth_token_secret": "shh"})
        db.session.add(connection)
        db.session.flush()
        db.session.add(SyncState(connection_id=connection.id, resource="steps"))
        for day in (date(2026, 11, 1), date(2026, 11, 2)):
            db.session.add(SourceMetric(user_id=user.id, source="fitbit", metric="steps", day=day,
                                        value=1234 + day.day))
            db.session.add(DailyMetric(user_id=user.id, metric="steps", day=day, value=1234 + day.day,
                                       source="fitbit"))
        db.session.add(SourceMetric(user_id=user.id, source="fitbit", metric="sleep", day=date(2026, 11, 2),
                                    value=420, details={"type": "stages", "stages": {"deep": 60}}))
        db.session.commit()
        return user.id


def test_export_has_everything_but_secrets(app):
    client = logged_in(app)
    add_data(app)
    response = client.get("/account/export")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="fitlink-export.json"'
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data(as_text=True)
    assert "secret-access-token" not in body and "shh" not in body
    export = json.loads(body)
    assert export["account"]["email"] == "ada@example.org" and export["account"]["created_at"]
    [connection] = export["connections"]
    assert connection["provider"] == "fitbit" and connection["display_name"] == "Ada L."
    assert connection["goals"] == {"steps": 9000} and "token" not in connection
    assert {(row["source"], row["metric"], row["day"], row["value"]) for row in export["source_metrics"]} == {
        ("fitbit", "sleep", "2026-11-02", 420), ("fitbit", "steps", "2026-11-01", 1235),
        ("fitbit", "steps", "2026-11-02", 1236),
    }
    assert export["archive_imports"] == []


def test_export_holds_every_sources_day_detail(app):
    client = logged_in(app)
    user_id = add_data(app)
    day, start = date(2026, 11, 2), datetime(2026, 11, 1, 23, 0)
    with app.app_context():
        save_series(user_id, "fitbit", [MinuteSeries("heart_rate", day, {0: 58, 1: 61})])
        save_series(user_id, "google_health", [MinuteSeries("heart_rate", day, {0: 70})])
        replace_sleep(user_id, "fitbit", day, day, [SleepSession(
            start, datetime(2026, 11, 2, 6, 0), True, "classic", 400, stages=(SleepStage(start, 600, "restless"),))])
        replace_workouts(user_id, "google_health", day, day, [Workout(datetime(2026, 11, 2, 7, 0), 600, "Run",
                                                                       distance_km=2.0)])
        db.session.commit()
    export = json.loads(client.get("/account/export").get_data(as_text=True))
    assert sorted((s["source"], s["date"], s["points"]) for s in export["minute_series"]) == [
        ("fitbit", "2026-11-02", [[0, 58], [1, 61]]), ("google_health", "2026-11-02", [[0, 70]])]
    [night] = export["sleep_sessions"]
    assert (night["type"], night["minutes_asleep"], night["stages"]) == (
        "classic", 400, [{"start": "2026-11-01T23:00:00", "seconds": 600, "level": "restless"}])
    [run] = export["workouts"]
    assert (run["source"], run["type"], run["distance_km"], run["calories"]) == ("google_health", "Run", 2, None)


def test_export_includes_the_persons_archive_imports_only(app):
    client = logged_in(app)
    with app.app_context():
        other = User(email="other@example.org", password_hash="x")
        db.session.add(other)
        db.session.flush()
        db.session.add_all([
            ArchiveImport(user_id=1, status="done", files_total=3, files_read=3, days_found=42, percent=100,
                          message="42 days imported"),
            ArchiveImport(user_id=other.id, status="done", files_total=1, message="not yours"),
        ])
        db.session.commit()
    imports = json.loads(client.get("/account/export").get_data(as_text=True))["archive_imports"]
    assert [(i["status"], i["days_found"], i["message"]) for i in imports] == [("done", 42, "42 days imported")]


def count_rows(app, user_id) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model).where(
                (model.connection_id.in_(select(Connection.id).filter_by(user_id=user_id))) if model is SyncState
                else (model.id == user_id) if model is User else (model.user_id == user_id)))
            for model in (User, Connection, SyncState, SourceMetric, DailyMetric)
        }


@pytest.fixture
def revoking_sources(app):
    """Source kinds registered through the registry: one whose revoke works, one whose revoke fails."""
    revoked = []

    def revoke(connection):
        revoked.append(connection.provider_user_id)

    def broken_revoke(connection):
        raise ConnectionError("provider unreachable")

    kinds = [sources.SourceKind("fitbit", "Fitbit", 1, init_app=lambda app: None, revoke=revoke),
             sources.SourceKind("flaky", "Flaky", 2, init_app=lambda app: None, revoke=broken_revoke)]
    with app.app_context():
        sources.init_app(app, kinds)
    return revoked


def test_delete_account_removes_every_row_revokes_and_ends_sessions(app, revoking_sources, caplog):
    client = logged_in(app)
    other_device = app.test_client()
    login(other_device)
    user_id = add_data(app)
    with app.app_context():
        db.session.add(Connection(provider="flaky", provider_user_id="FL-1", user_id=user_id, token={"t": "x"}))
        db.session.commit()
    keep = logged_in(app, email="bo@example.org")
    bo_id = add_data(app, email="bo@example.org")
    assert count_rows(app, user_id) == {"users": 1, "oauth": 2, "sync_states": 1, "source_metrics": 3,
                                        "daily_metrics": 2}

    refused = client.post("/account/delete", data={"password": "not my password"})
    assert refused.status_code == 400 and "That is not your password." in refused.text
    assert count_rows(app, user_id)["source_metrics"] == 3

    done = client.post("/account/delete", data={"password": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "Your account and all your data are deleted." in client.get("/").text
    assert count_rows(app, user_id) == {"users": 0, "oauth": 0, "sync_states": 0, "source_metrics": 0,
                                        "daily_metrics": 0}
    assert revoking_sources == [f"FB-{user_id}"]
    assert "revoking the flaky grant of connection" in caplog.text  # logged, and the deletion went on
    assert not is_logged_in(client) and not is_logged_in(other_device)
    assert login(app.test_client()).status_code == 400
    # Nobody else's data went with it.
    assert is_logged_in(keep)
    assert count_rows(app, bo_id) == {"users": 1, "oauth": 1, "sync_states": 1, "source_metrics": 3,
                                      "daily_metrics": 2}


def test_sqlite_enforces_the_cascade(tmp_path):
    app = build_app(make_config(tmp_path, NO_PROVIDER, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fk.sqlite'}"))
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        foreign = {fk["referred_table"]: fk["options"].get("ondelete")
                   for fk in inspect(db.engine).get_foreign_keys("source_metrics")}
        assert foreign == {"users": "CASCADE"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def any_database_app(request, tmp_path):
    """fitlink on a fresh database of each kind it supports."""
    if request.param == "sqlite":
        yield build_app(make_config(tmp_path, NO_PROVIDER, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ids.sqlite'}"))
    else:
        with postgres_database() as url:
            app = build_app(make_config(tmp_path, NO_PROVIDER, SQLALCHEMY_DATABASE_URI=url))
            yield app
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_deleted_accounts_other_session_never_becomes_the_next_accounts(any_database_app):
    app = any_database_app
    laptop = logged_in(app, email="victim@example.org")
    phone = app.test_client()
    assert login(phone, email="victim@example.org").status_code == 302 and is_logged_in(phone)
    with app.app_context():
        victim_id = db.session.execute(select(User.id)).scalar_one()
    assert laptop.post("/account/delete", data={"password": PASSWORD}).status_code == 302

    newcomer = logged_in(app, email="newcomer@example.org")
    with app.app_context():
        newcomer_id = db.session.execute(select(User.id)).scalar_one()
    assert newcomer_id > victim_id  # ids are never handed out again
    assert is_logged_in(newcomer)
    assert not is_logged_in(phone)
    assert "newcomer@example.org" not in phone.get("/account").text
    assert phone.get("/account/export").status_code in (302, 401)


def test_a_session_naming_another_accounts_id_is_not_logged_in(app):
    """The session binds to the account by its random secret: an id alone (same id, new account) is nothing."""
    phone = logged_in(app, email="first@example.org")
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        user_id, stolen_id = user.id, user.get_id()
        user.session_secret = "a secret the session does not hold"
        db.session.commit()
    assert stolen_id.startswith(f"{user_id}:") and len(stolen_id.partition(":")[2]) >= 32
    assert not is_logged_in(phone)
