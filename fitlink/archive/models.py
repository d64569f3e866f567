"""One archive import: its status and progress, shown to the person while it runs and after."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import now_utc

STATUSES = ("queued", "running", "done", "failed")


class ArchiveImport(db.Model):
    """An uploaded archive being (or having been) imported for one person."""

    __tablename__ = "archive_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
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
        return self.status in ("done", "failed")

    def as_json(self) -> dict:
        """Return the progress as the dashboard's live part reads it."""
        return {"id": self.id, "status": self.status, "files_total": self.files_total,
                "files_read": self.files_read, "days_found": self.days_found, "percent": self.percent,
                "message": self.message, "finished": self.finished}
