"""A clean schema for every app a test builds, made once per database instead of once per test.

Dropping and creating every table for each test is what a test would otherwise spend
most of its setup on (on PostgreSQL above all). So: a new SQLite file gets a copy of a
template file made once per process, and a PostgreSQL database that already has this
process's schema is emptied with DELETEs (ids restart at 1, as on a new schema).
Anything else (an existing SQLite file, a database first seen) is dropped and created.
"""

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from fitlink.extensions import db

# Server databases (by URL) whose tables this process created, with the tables' names.
_made: dict[str, frozenset[str]] = {}


def clean_schema(app: Flask) -> None:
    """Leave the app's database with every table empty and every id counter at its start (app context)."""
    engine = db.engine
    tables = frozenset(db.metadata.tables)
    if engine.dialect.name == "sqlite" and _is_new_file(engine):
        engine.dispose()
        shutil.copyfile(_sqlite_template(tables), engine.url.database)
        return
    key = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql" and _made.get(key) == tables and _empty(engine):
        return
    db.drop_all()
    db.create_all()
    if engine.dialect.name == "postgresql":
        _made[key] = tables


def _is_new_file(engine) -> bool:
    """True for a SQLite file create_app has just made: empty, never opened."""
    name = engine.url.database
    if name in (None, "", ":memory:"):
        return False
    path = Path(name)
    return path.exists() and path.stat().st_size == 0 and not Path(f"{name}-wal").exists()


@cache
def _sqlite_template(tables: frozenset[str]) -> str:
    """Return a SQLite file holding the empty schema, made on first use in this process."""
    folder = tempfile.mkdtemp(prefix="fitlink-schema-")
    atexit.register(shutil.rmtree, folder, True)
    path = f"{folder}/template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    try:
        db.metadata.create_all(engine)
    finally:
        engine.dispose()
    return path


def _empty(engine) -> bool:
    """Delete every row and restart every id sequence, in one transaction; False if that failed (a test
    changed the schema).

    DELETE, not TRUNCATE: a test leaves a few thousand rows at most, and TRUNCATE's fixed cost per
    table (new files for each table and index) made it 25 - 35 ms where DELETE takes 5 - 15.
    """
    deletes = "; ".join(f"DELETE FROM {engine.dialect.identifier_preparer.quote(table.name)}"
                        for table in reversed(db.metadata.sorted_tables))
    try:
        with engine.begin() as connection:
            restarts = "".join(f"; ALTER SEQUENCE {name} RESTART" for name in _sequences(connection))
            connection.exec_driver_sql(deletes + restarts)
    except DBAPIError:
        return False
    return True


def _sequences(connection) -> list[str]:
    """The schema's id sequences (quoted), as the tables' serial columns made them."""
    return [row[0] for row in connection.exec_driver_sql(
        "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1")]
