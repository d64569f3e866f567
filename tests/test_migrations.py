"""Migrations: an empty database goes to head and back, and head matches the models."""

import flask_migrate
import pytest
from sqlalchemy import inspect, text

from helpers import close_database, make_config
from fitlink import create_app
from fitlink.extensions import db
from fitlink.models import Connection
from services import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind fitlink supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def migrations_app(empty_database, tmp_path):
    # SQL sessions, so Flask-Session's table is what the app itself would use.
    app = create_app(make_config(tmp_path, "http://127.0.0.1:9", SQLALCHEMY_DATABASE_URI=empty_database,
                                 REDIS_URL=None))
    yield app
    # Before empty_database drops the database WITH (FORCE), which would cut a connection still out of
    # the pool without closing it in this process (psycopg then warns in whichever later test GC runs).
    close_database(app)


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrade_to_head_and_down_to_base(migrations_app):
    with migrations_app.app_context():
        flask_migrate.upgrade()
    assert tables(migrations_app) == set(db.metadata.tables) | {"alembic_version"}
    assert "sessions" in db.metadata.tables

    with migrations_app.app_context():
        flask_migrate.downgrade(revision="base")
    assert tables(migrations_app) == {"alembic_version"}


def test_upgrade_twice_changes_nothing(migrations_app):
    with migrations_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.upgrade()
    assert tables(migrations_app) == set(db.metadata.tables) | {"alembic_version"}


def test_models_match_the_head_migration(migrations_app):
    """A model change without a migration fails here: write one with `flask db migrate`."""
    runner = migrations_app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output


def test_check_sees_a_schema_the_models_do_not_describe(migrations_app):
    runner = migrations_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with migrations_app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE users ADD COLUMN nickname VARCHAR(40)"))
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 1


def test_data_of_the_first_schema_survives_the_upgrade(migrations_app):
    """A Fitbit user of the first release: rows become Fitbit's, state moves to the connection, the token is encrypted."""
    with migrations_app.app_context():
        flask_migrate.upgrade(revision="0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, email, password_hash, created_at) "
                "VALUES (1, 'ada@example.org', 'x', '2026-11-01 10:00:00+00:00')"))
            connection.execute(text(
                "INSERT INTO oauth (id, provider, provider_user_id, user_id, token, created_at, timezone, "
                "distance_unit, weight_unit) VALUES (7, 'fitbit', 'ABC123', 1, "
                "'{\"oauth_token\": \"plain-token-value\", \"oauth_token_secret\": \"s\"}', "
                "'2026-11-01 10:00:00+00:00', 'UTC', 'METRIC', 'METRIC')"))
            connection.execute(text(
                "INSERT INTO daily_metrics (user_id, metric, day, value, updated_at) "
                "VALUES (1, 'steps', '2026-11-02', 4321, '2026-11-02 10:00:00+00:00')"))
            connection.execute(text(
                "INSERT INTO sync_states (user_id, resource, backfill_done) VALUES (1, 'steps', true)"))
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT source, value FROM daily_metrics")).all() == [("fitbit", 4321)]
            assert connection.execute(text("SELECT source, metric, value FROM source_metrics")).all() == [
                ("fitbit", "steps", 4321)]
            assert connection.execute(text("SELECT connection_id, resource FROM sync_states")).all() == [
                (7, "steps")]
            stored = connection.execute(text("SELECT token FROM oauth")).scalar_one()
        assert "plain-token-value" not in stored
        connection_row = db.session.get(Connection, 7)
        assert connection_row.token["oauth_token"] == "plain-token-value"
        db.session.remove()


def test_ids_that_name_things_are_never_reused_on_sqlite(tmp_path):
    app = create_app(make_config(tmp_path, "http://127.0.0.1:9", REDIS_URL=None,
                                 SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ids.sqlite'}"))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO users (email, password_hash, created_at, session_secret) "
                                    "VALUES ('a@example.org', 'x', '2026-01-01', 's1'), ('b@example.org', 'x', '2026-01-01', 's2')"))
            connection.execute(text("DELETE FROM users WHERE email = 'b@example.org'"))
            connection.execute(text("INSERT INTO users (email, password_hash, created_at, session_secret) "
                                    "VALUES ('c@example.org', 'x', '2026-01-01', 's3')"))
            ids = dict(connection.execute(text("SELECT email, id FROM users")).all())
            created = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
        db.engine.dispose()
    assert ids == {"a@example.org": 1, "c@example.org": 3}
    for table in ("users", "oauth", "archive_imports"):
        assert "AUTOINCREMENT" in created[table], table
