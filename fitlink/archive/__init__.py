"""Fitbit archive import: upload, reader, importer, job and views (the source kind "fitbit_archive").

The engine never syncs it (no `open`): a person uploads their Takeout or
fitbit.com archive, a job reads it and stores each metric per local day as
this source's rows.
"""

from flask import Flask

from ..sources import SourceKind
from .cli import import_archive_command
from .importer import NAME, import_archive, latest_day
from .models import ArchiveImport
from .progress import archive_progress
from .uploads import bind_request_class
from .views import bp

DEFAULTS = {
    "ARCHIVE_MAX_BYTES": 8 * 1024 ** 3,  # largest archive upload (all parts together)
    "ARCHIVE_MAX_UNCOMPRESSED_BYTES": 40 * 1024 ** 3,  # what its health files may expand to
    "ARCHIVE_UPLOAD_DIR": None,  # None: instance/uploads
    "ARCHIVE_MAX_FILES": 20,  # parts in one upload (Takeout splits at 1 GB or more)
    "ARCHIVE_STALE_SECONDS": 24 * 3600,  # uploads left behind this long (a crash) are swept
}


def init_app(app: Flask) -> None:
    """Register the upload pages and let archive uploads stream to the upload folder."""
    app.register_blueprint(bp)
    bind_request_class(app)
    # `flask sources import-archive`, beside the other commands of fitlink's "sources" group.
    app.cli.commands["sources"].add_command(import_archive_command)


SOURCE = SourceKind(
    name=NAME, label="Fitbit archive", rank=90, init_app=init_app, defaults=DEFAULTS,
    connect_endpoint="archive.upload", progress=archive_progress,
    connect_text="Import a Fitbit archive", disconnect_text="Delete imported data", again_text="Import another archive",
    connect_note="your whole history from a Google Takeout or fitbit.com download, no credentials needed",
)

__all__ = ["SOURCE", "ArchiveImport", "import_archive", "latest_day"]
