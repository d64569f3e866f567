"""One archive import: its status and progress, shown to the person while it runs and after."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import now_utc

# Queued or running: what "one import at a time" and cancelling look at.
ACTIVE = ("queued", "running")


class ImportCancelled(Exception):
    """The import was cancelled (its data deleted) or its account deleted while it ran."""


class ArchiveImport(db.Model):
    """An uploaded archive being (or having been) imported for one person."""

    __tablename__ = "archive_imports"
    __table_args__ = {"sqlite_autoincrement": True}  # queued jobs and progress URLs name imports by id

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # queued, running, done, failed, or cancelled ("Delete imported data" while it was queued or running).
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # The random key of the folder its upload waits in (archive/folders.py); None once imported.
    folder: Mapped[str | None] = mapped_column(String(64), unique=True)
    files_total: Mapped[int] = mapped_column(default=0)
    files_read: Mapped[int] = mapped_column(default=0)
    days_found: Mapped[int] = mapped_column(default=0)
    percent: Mapped[int] = mapped_column(default=0)
    # The zone the person chose on the form: days are counted in it where the archive shows none.
    chosen_zone: Mapped[str | None] = mapped_column(String(64))
    # Plain text for the person: the error, or the report's summary.
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    finished_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE

    def as_json(self) -> dict:
        """Return the progress as the dashboard's live part reads it."""
        return {"id": self.id, "status": self.status, "files_total": self.files_total,
                "files_read": self.files_read, "days_found": self.days_found, "percent": self.percent,
                "message": self.message, "finished": self.finished}


def update_if_active(import_id: int, **values) -> None:
    """Update an import that is still queued or running (not committed); raise ImportCancelled if it is not.

    One guarded UPDATE: it waits for a concurrent cancel to commit (PostgreSQL
    re-checks the row), so rows written in the same transaction never outlive
    a "Delete imported data" that came first.
    """
    done = db.session.execute(update(ArchiveImport)
                              .where(ArchiveImport.id == import_id, ArchiveImport.status.in_(ACTIVE))
                              .values(**values))
    if done.rowcount != 1:
        raise ImportCancelled(import_id)
