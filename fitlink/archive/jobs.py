"""The background job that imports an uploaded archive, and where uploads wait for it."""

import logging
import shutil
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..jobs import _in_app_context, huey
from ..models import now_utc
from .importer import import_archive
from .models import ArchiveImport
from .reader import ArchiveError

log = logging.getLogger(__name__)


def upload_dir() -> Path:
    """Return the folder uploads are written to (ARCHIVE_UPLOAD_DIR, else instance/uploads)."""
    configured = current_app.config.get("ARCHIVE_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def import_folder(import_id: int) -> Path:
    """Return the folder holding one import's uploaded parts."""
    return upload_dir() / f"import-{import_id}"


def stored_parts(import_id: int) -> tuple[list[Path], list[str]]:
    """Return an import's uploaded parts and the names the person gave them ("<n>-<name>" on disk)."""
    paths = sorted(import_folder(import_id).glob("*.zip"), key=lambda path: int(path.name.split("-", 1)[0]))
    return paths, [path.name.split("-", 1)[1] for path in paths]


def enqueue_import(import_id: int) -> None:
    """Queue the import of uploaded parts already in import_folder(import_id)."""
    import_archive_task(import_id)


@huey.task()
def import_archive_task(import_id: int):
    """Import one uploaded archive in the background."""
    return _in_app_context(run_import, import_id)


def run_import(import_id: int) -> str:
    """Import the parts of one upload, record the outcome on its ArchiveImport row, delete the upload."""
    row = db.session.get(ArchiveImport, import_id)
    if row is None or row.finished:
        return "gone"
    folder = import_folder(import_id)
    paths, labels = stored_parts(import_id)
    try:
        import_archive(row.user_id, paths, labels=labels, import_id=import_id, chosen_zone=row.chosen_zone,
                       max_uncompressed=current_app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"])
        return "done"
    except ArchiveError as error:
        fail(import_id, str(error))
        return "failed"
    except Exception:
        log.exception("archive import %s failed", import_id)
        fail(import_id, "fitlink hit an unexpected error while importing this archive. Your data is as it was; "
                        "please try again.")
        return "failed"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fail(import_id: int, message: str) -> None:
    """Record that an import failed, with the message the person sees."""
    db.session.rollback()
    row = db.session.get(ArchiveImport, import_id)
    row.status, row.message, row.finished_at = "failed", message, now_utc()
    db.session.commit()
