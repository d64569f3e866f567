"""SQLite settings for the embedded default: foreign keys enforced, readers never wait on the writer."""

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from .extensions import db

log = logging.getLogger(__name__)

PRAGMAS = (
    # Web threads read while the in-process job consumer writes.
    "PRAGMA journal_mode=WAL",
    # With WAL, NORMAL loses no committed data on a crash, only on power loss.
    "PRAGMA synchronous=NORMAL",
    # Read pages through the OS page cache instead of copying them.
    "PRAGMA mmap_size=268435456",
)
# SQLite ignores ON DELETE CASCADE unless each connection asks for it; deleting an
# account relies on it to remove every row that belongs to the person.
FOREIGN_KEYS = "PRAGMA foreign_keys=ON"


def _set_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _enforce_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(FOREIGN_KEYS)
    cursor.close()


def create_private_file(path: Path) -> None:
    """Create path readable by its owner only (health data), or tighten an existing file to that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            try:
                path.chmod(0o600)
            except PermissionError:
                log.warning("database file %s is readable by others and not ours to change", path)


def init_app(app: Flask) -> None:
    """Tune each SQLite connection of this app's engine (other databases are left alone)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _enforce_foreign_keys)
    if engine.url.database not in (None, "", ":memory:"):
        # SQLite gives its -wal and -shm files the database file's mode.
        create_private_file(Path(engine.url.database))
        event.listen(engine, "connect", _set_pragmas)
