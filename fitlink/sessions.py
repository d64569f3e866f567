"""Server-side sessions: Flask-Session on the app's database, or on Redis."""

from flask import Flask, current_app, session
from flask_session.base import ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface
from flask_session.sqlalchemy import SqlAlchemySessionInterface
from flask_session.sqlalchemy.sqlalchemy import create_session_model
from flask_sqlalchemy import SQLAlchemy
from redis import Redis

from .extensions import db


class SharedModelSqlAlchemySessionInterface(SqlAlchemySessionInterface):
    """Flask-Session's SQLAlchemy backend with its model declared once per metadata.

    Flask-Session 0.8 declares a new `sessions` model on the shared metadata for
    every app, so a second app in one process fails with "Table 'sessions' is
    already defined" (flask-session #245). The table itself is created with the
    rest of the schema, not here.
    """

    def __init__(self, app: Flask, client: SQLAlchemy, table: str, **options):
        self.app = app
        self.client = client
        self.sql_session_model = session_model(client, table)
        ServerSideSessionInterface.__init__(self, app, **options)


_models: dict[tuple[int, str], type] = {}


def session_model(client: SQLAlchemy, table: str) -> type:
    """Return Flask-Session's model for table, declaring it on client's metadata once."""
    key = (id(client.metadata), table)
    if key not in _models:
        _models[key] = create_session_model(client, table)
    return _models[key]


def init_app(app: Flask) -> None:
    """Install the session interface the configuration asks for."""
    options = {
        "permanent": app.config["SESSION_PERMANENT"],
        "key_prefix": "session:",
        "use_signer": False,
    }
    # The table is part of the schema whatever the backend, so migrations never depend on it.
    session_model(db, app.config["SESSION_SQLALCHEMY_TABLE"])
    if app.config["REDIS_URL"]:
        client = Redis.from_url(app.config["REDIS_URL"])
        app.session_interface = RedisSessionInterface(app, client=client, **options)
    else:
        app.session_interface = SharedModelSqlAlchemySessionInterface(
            app,
            db,
            table=app.config["SESSION_SQLALCHEMY_TABLE"],
            cleanup_n_requests=app.config["SESSION_CLEANUP_N_REQUESTS"],
            **options,
        )


def rotate_session_id() -> None:
    """Give the current session a fresh id, so an id seen before log-in is worthless after."""
    current_app.session_interface.regenerate(session)
