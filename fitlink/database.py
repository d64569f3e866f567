"""SQLite settings for the embedded default: readers never wait on the writer."""

from flask import Flask
from sqlalchemy import event

from .extensions import db

PRAGMAS = (
    # Web threads read while the in-process job consumer writes.
    "PRAGMA journal_mode=WAL",
    # With WAL, NORMAL loses no committed data on a crash, only on power loss.
    "PRAGMA synchronous=NORMAL",
    # Read pages through the OS page cache instead of copying them.
    "PRAGMA mmap_size=268435456",
)


def _set_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def init_app(app: Flask) -> None:
    """Tune each SQLite connection of this app's engine (other databases are left alone)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        event.listen(engine, "connect", _set_pragmas)
