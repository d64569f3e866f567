"""`flask sources import-archive`: import a big archive from the server's disk, with a progress bar."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from .importer import import_archive, user_by_email, zone_named
from .jobs import fail
from .models import ArchiveImport
from .reader import ArchiveError


@click.command("import-archive")
@with_appcontext
@click.option("--user", "email", required=True, help="The fitlink account (email) the data belongs to.")
@click.option("--zone", default=None, help="IANA zone for days the archive shows none (default: UTC).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_archive_command(email: str, zone: str | None, paths: tuple[Path, ...]):
    """Import a Fitbit archive (every .zip part of it) for one user; the files are left in place."""
    if zone is not None and zone_named(zone).key != zone:
        raise click.BadParameter(f"{zone!r} is not a time zone fitlink knows (an IANA name such as Europe/Paris).",
                                 param_hint="--zone")
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No fitlink account with email {email}.")
    row = ArchiveImport(user_id=user.id, status="running", chosen_zone=zone)
    db.session.add(row)
    db.session.commit()
    bar = Bar()
    try:
        report = import_archive(user.id, list(paths), progress=bar.update, import_id=row.id, keep_files=True,
                                chosen_zone=zone,
                                max_uncompressed=current_app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"])
    except ArchiveError as error:
        fail(row.id, str(error))
        raise click.ClickException(str(error)) from error
    finally:
        bar.close()
    click.echo(report.summary())


class Bar:
    """A click progress bar over the archive's files, made once their number is known."""

    def __init__(self):
        self.bar = None
        self.done = 0

    def update(self, done: int, total: int, days: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Reading the archive", show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
