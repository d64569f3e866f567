"""The `demo-fitbit` command group: record steps, revoke tokens."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .activity import record_activity, revoke_tokens
from .state import EXTENSION

demo_cli = AppGroup("demo-fitbit", help="Work with the built-in Fitbit demo service.")


def demo_app() -> Flask:
    """Return the demo app: the current app, or the one fitlink keeps in its extensions."""
    app = current_app._get_current_object()
    if EXTENSION in app.extensions:
        return app
    if "builtin_fitbit_app" in app.extensions:
        return app.extensions["builtin_fitbit_app"]
    raise click.ClickException("No demo Fitbit service is mounted in this app.")


@demo_cli.command("record")
@click.argument("account")
@click.argument("steps", type=click.IntRange(1, 100000))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Local date of the account (default: its today).")
def record_command(account: str, steps: int, day) -> None:
    """Add STEPS to ACCOUNT's day and notify the subscriber."""
    statuses = record_activity(demo_app(), account, steps, day.date() if day else None)
    click.echo(f"Recorded {steps} steps for {account}; notifications: {statuses or 'none'}")


@demo_cli.command("revoke")
@click.argument("account")
def revoke_command(account: str) -> None:
    """Delete every access token of ACCOUNT."""
    click.echo(f"Revoked {revoke_tokens(demo_app(), account)} token(s) of {account}.")

