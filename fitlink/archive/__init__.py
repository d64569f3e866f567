"""Fitbit archive import: upload, reader, importer, job and views (the source kind "fitbit_archive").

The engine never syncs it (no `open`): a person uploads their Takeout or
fitbit.com archive, a job reads it and stores each metric per local day as
this source's rows.
"""

from flask import Flask

from ..sources import SourceKind
from .cli import import_archive_command
from .importer import PROVIDER, import_archive, latest_day
from .models import ArchiveImport
from .progress import archive_progress
from .uploads import bind_request_class
from .views import bp


def init_app(app: Flask) -> None:
    """Register the upload pages and let archive uploads stream to the upload folder."""
    app.register_blueprint(bp)
    bind_request_class(app)
    # `flask fitbit import-archive`, beside the other commands of fitlink's "fitbit" group.
    app.cli.commands["fitbit"].add_command(import_archive_command)


SOURCE = SourceKind(name=PROVIDER, label="Fitbit archive", rank=90, init_app=init_app,
                    connect_endpoint="archive.upload", progress=archive_progress)

__all__ = ["SOURCE", "ArchiveImport", "import_archive", "latest_day"]
