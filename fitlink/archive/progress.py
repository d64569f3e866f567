"""What the dashboard says about an archive connection: its latest import's progress."""

from sqlalchemy import select

from ..extensions import db
from ..models import Connection
from ..sources import Progress
from .models import ArchiveImport


def archive_progress(connection: Connection) -> Progress:
    """Summarise the person's latest archive import for the dashboard's status panel."""
    row = db.session.execute(select(ArchiveImport).filter_by(user_id=connection.user_id)
                             .order_by(ArchiveImport.id.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        return Progress(100, False, None, None, None, False)
    running = not row.finished
    detail = (f"{row.files_read:,} of {row.files_total:,} files read, {row.days_found:,} days found"
              if running else row.message)
    return Progress(
        percent=row.percent if running else 100,
        importing=running,
        waiting_until=None,
        last_success=row.finished_at if row.status == "done" else None,
        last_error=row.message if row.status == "failed" else None,
        broken=False,
        detail=detail,
    )
