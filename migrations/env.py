"""Alembic environment: the Flask app's engine and fitlink's metadata (Flask-Migrate)."""

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

from fitlink.extensions import UTCDateTime

# Logging is the app's (fitlink.logs: JSON lines on stdout), so alembic.ini configures none.
config = context.config
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(kind, item, autogen_context):
    """Write fitlink's UTCDateTime as the plain column type it stores, so migrations import nothing of fitlink."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Compare UTCDateTime by the type it stores; everything else the default way."""
    if isinstance(metadata_type, UTCDateTime):
        return context.impl.compare_type(inspected_column, sa.Column("x", metadata_type.impl))
    return None


def skip_empty_revision(context, revision, directives):
    """Write no migration file when autogenerate found no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def configure_args() -> dict:
    """Return the options shared by online and offline runs."""
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", skip_empty_revision)
    args.update(
        target_metadata=target_db.metadata, render_item=render_item, compare_type=compare_type
    )
    return args


def run_migrations_offline() -> None:
    """Emit the SQL of the migrations instead of running it (flask db upgrade --sql)."""
    url = target_db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the app's database."""
    with target_db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy and drop tables; with foreign keys on, dropping
            # users would cascade-delete every row that references it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, **configure_args())
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # back in the pool as the app expects


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
