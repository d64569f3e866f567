"""flask commands: Fitbit sync and status from the shell (migrations are `flask db`)."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .dates import local_today
from .extensions import db
from .models import OAuth, User
from .sync import progress_for, sync_user
from .sync.engine import history_floor

fitbit_cli = AppGroup("fitbit", help="Sync and inspect Fitbit connections.")


@fitbit_cli.command("sync")
@click.option("--user", "email", help="Only this user's email (default: every connected user).")
@click.option("--full", is_flag=True, help="Re-import the whole history, not only what is new.")
def sync_command(email: str | None, full: bool):
    """Sync connected users now, in this process."""
    query = select(User.id, User.email).join(OAuth, OAuth.user_id == User.id)
    if email:
        query = query.where(User.email == email.strip().lower())
    users = db.session.execute(query).all()
    if email and not users:
        raise click.ClickException(f"No connected user with email {email}.")
    with click.progressbar(users, label="Syncing", item_show_func=lambda u: u and u.email) as bar:
        results = [(user.email, sync_user(user.id, full=full, reserve=0)) for user in bar]
    for address, result in results:
        click.echo(f"{address}: {result.outcome}, {result.calls} calls, {result.rows} rows")


@fitbit_cli.command("status")
def status_command():
    """Show each connected user's import progress and last error."""
    links = db.session.execute(select(OAuth, User.email).join(User)).all()
    if not links:
        click.echo("No connected users.")
    for link, address in links:
        today = local_today(link.timezone)
        progress = progress_for(link, today, history_floor(link, today))
        state = "reconnect needed" if progress.broken else f"{progress.percent}% imported"
        last = progress.last_success.isoformat(timespec="minutes") if progress.last_success else "never"
        line = f"{address} ({link.display_name}): {state}, last success {last}"
        if progress.last_error:
            line += f", last error: {progress.last_error}"
        click.echo(line)


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    app.cli.add_command(fitbit_cli)
