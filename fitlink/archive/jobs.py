"""The background job that imports an uploaded archive, and cancelling imports."""

import logging
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..jobs import _in_app_context, huey
from ..models import now_utc
from . import folders
from .importer import import_archive
from .models import ACTIVE, ArchiveImport, ImportCancelled, update_if_active
from .reader import ArchiveError

log = logging.getLogger(__name__)

CANCELLED = "Cancelled: you deleted your imported data while this archive was being imported."
LOST = "This upload was lost before it could be imported (fitlink was updated or restarted). Please upload it again."


def stored_parts(key: str) -> tuple[list[Path], list[str]]:
    """Return an import's uploaded parts and the names the person gave them ("<n>-<name>" on disk)."""
    paths = sorted(folders.folder_for(key).glob("*.zip"), key=lambda path: int(path.name.split("-", 1)[0]))
    return paths, [path.name.split("-", 1)[1] for path in paths]


def enqueue_import(import_id: int, key: str) -> None:
    """Queue the import of the uploaded parts waiting in key's folder."""
    import_archive_task(import_id, key)


@huey.task()
def import_archive_task(import_id: int, key: str | None = None):
    """Import one uploaded archive in the background."""
    return _in_app_context(run_import, import_id, key)


def run_import(import_id: int, key: str | None) -> str:
    """Import the parts of one upload, record the outcome on its ArchiveImport row; delete the upload in any case."""
    try:
        row = db.session.get(ArchiveImport, import_id)
        if row is None or row.finished or key is None or row.folder != key:
            if row is not None and not row.finished:
                fail(import_id, LOST)  # queued by an older fitlink, whose folders are not kept
            return "gone"
        paths, labels = stored_parts(key)
        import_archive(row.user_id, paths, labels=labels, import_id=import_id, chosen_zone=row.chosen_zone,
                       max_uncompressed=current_app.config["ARCHIVE_MAX_UNCOMPRESSED_BYTES"])
        return "done"
    except ImportCancelled:
        db.session.rollback()
        return "cancelled"
    except ArchiveError as error:
        fail(import_id, str(error))
        return "failed"
    except Exception:
        log.exception("archive import %s failed", import_id)
        fail(import_id, "fitlink hit an unexpected error while importing this archive. Your data is as it was; "
                        "please try again.")
        return "failed"
    finally:
        folders.remove(key)


def fail(import_id: int, message: str) -> None:
    """Record that an import failed, with the message the person sees (not if it was cancelled or is gone)."""
    db.session.rollback()
    try:
        update_if_active(import_id, status="failed", message=message, finished_at=now_utc(), folder=None)
        db.session.commit()
    except ImportCancelled:
        db.session.rollback()


def cancel_imports(user_id: int) -> list[str]:
    """Mark the person's queued and running imports cancelled (not committed); return their folder keys.

    A running import notices at its next progress update and writes nothing more
    (models.update_if_active); remove the folders once this is committed.
    """
    keys = db.session.execute(select(ArchiveImport.folder).where(
        ArchiveImport.user_id == user_id, ArchiveImport.folder.is_not(None))).scalars().all()
    db.session.execute(update(ArchiveImport)
                       .where(ArchiveImport.user_id == user_id, ArchiveImport.status.in_(ACTIVE))
                       .values(status="cancelled", message=CANCELLED, finished_at=now_utc(), folder=None))
    return list(keys)


def active_import(user_id: int) -> ArchiveImport | None:
    """Return the person's import that is queued or running, if any.

    One whose worker died long ago (older than ARCHIVE_STALE_SECONDS, its upload
    swept) does not count; "Delete imported data" cancels any of them.
    """
    since = now_utc() - timedelta(seconds=current_app.config["ARCHIVE_STALE_SECONDS"])
    return db.session.execute(select(ArchiveImport).where(
        ArchiveImport.user_id == user_id, ArchiveImport.status.in_(ACTIVE),
        ArchiveImport.created_at > since).limit(1)).scalar_one_or_none()


def active_folders() -> set[str]:
    """Return the folder keys of every import still queued or running (kept by the sweep)."""
    return set(db.session.execute(select(ArchiveImport.folder).where(
        ArchiveImport.status.in_(ACTIVE), ArchiveImport.folder.is_not(None))).scalars())
