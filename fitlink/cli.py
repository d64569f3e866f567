"""flask commands: sync and status of every connection from the shell (migrations are `flask db`)."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from . import sources
from .dashboard.page import load_status
from .extensions import db
from .models import Connection, User
from .sync import sync_connection

sources_cli = AppGroup("sources", help="Sync, inspect and import people's data.")
# The group's first name, kept as an alias: the same commands (one dict) under `flask fitbit`.
fitbit_alias = AppGroup("fitbit", help="The same as `flask sources` (its older name).", commands=sources_cli.commands)


@sources_cli.command("sync")
@click.option("--user", "email", help="Only this user's email (default: every connected user).")
@click.option("--full", is_flag=True, help="Re-import the whole history, not only what is new.")
def sync_command(email: str | None, full: bool):
    """Sync every live connection (every source but archives) now, in this process."""
    synced = sources.live_names()
    query = (select(Connection.id, Connection.provider, User.email).join(User, Connection.user_id == User.id)
             .where(Connection.provider.in_(synced)).order_by(User.email, Connection.id))
    if email:
        query = query.where(User.email == email.strip().lower())
    rows = db.session.execute(query).all()
    if email and not rows:
        raise click.ClickException(f"No connected user with email {email}.")
    with click.progressbar(rows, label="Syncing", item_show_func=lambda r: r and r.email) as bar:
        results = [(row, sync_connection(row.id, full=full, manual=True)) for row in bar]
    for row, result in results:
        click.echo(f"{row.email} ({row.provider}): {result.outcome}, {result.calls} calls, {result.rows} rows")


@sources_cli.command("status")
def status_command():
    """Show each connection's import progress and last error."""
    users = db.session.execute(select(User.id, User.email).join(Connection).distinct().order_by(User.email)).all()
    if not users:
        click.echo("No connected users.")
    for user_id, address in users:
        for c in load_status(user_id).connected:
            progress = c.progress
            state = "reconnect needed" if progress.broken else f"{progress.percent}% imported"
            last = progress.last_success.isoformat(timespec="minutes") if progress.last_success else "never"
            line = f"{address} {c.kind.label} ({c.connection.display_name}): {state}, last success {last}"
            if progress.last_error:
                line += f", last error: {progress.last_error}"
            click.echo(line)


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    app.cli.add_command(sources_cli)
    app.cli.add_command(fitbit_alias)
