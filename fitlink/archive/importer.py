"""Import an archive for one person: read it, store each metric as the archive source's rows, report."""

import logging
from collections.abc import Callable
from pathlib import Path

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select

from ..connections import connection_for
from ..extensions import db
from ..models import MinuteSeriesRow, Connection, SourceMetric, User, now_utc
from ..sync.store import replace_sleep, replace_workouts, save_days, save_series
from .collect import Detail
from .extract import DEFAULT_MAX_UNCOMPRESSED, Report, read_everything
from .models import update_if_active
from .reader import ArchiveError
from .zones import UTC

log = logging.getLogger(__name__)

NAME = "fitbit_archive"
# Rows per save_days call and commit: bounded transactions, visible progress.
SAVE_BATCH = 1000
# Minute series per save_series call and commit: each is a day's 1,440 minutes as a dict until packed.
SERIES_BATCH = 250
# Reading the files is most of the work; saving the rows the rest.
READ_SHARE = 90


def import_archive(user_id: int, paths: list[Path], progress: Callable[[int, int, int], None] | None = None,
                   labels: list[str] | None = None, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
                   import_id: int | None = None, keep_files: bool = False, chosen_zone: str | None = None) -> Report:
    """Import the archive's parts for the person and return the report; raise ArchiveError when it cannot be.

    chosen_zone (an IANA name) counts the days when neither Profile.csv nor the files show the zone.

    The uploaded files are deleted at the end, whatever happens (unless
    keep_files: the command line's own files). Nothing is
    written before the whole archive has been read, so a failure leaves the
    person's data as it was.
    """
    tracker = Tracker(import_id, progress)
    try:
        rows, detail, report = read_everything(paths, labels, tracker.reading, max_uncompressed,
                                               zone_named(chosen_zone))
        if not report.days_found:
            raise ArchiveError("The archive holds Fitbit files, but no day of data in them.")
        connection = archive_connection(user_id, report)
        total = sum(len(values) for values in rows.values()) + sum(len(series) for series in detail.series)
        saved = 0
        for metric, values in rows.items():
            for first in range(0, len(values), SAVE_BATCH):
                saved += save_days(user_id, NAME, metric, values[first:first + SAVE_BATCH])
                tracker.saving(saved, total, report)  # commits the batch, unless the import was cancelled
        save_detail(user_id, detail, report, lambda count: tracker.saving(saved + count, total, report))
        connection.broken_at = None
        tracker.finish(report)
        db.session.commit()
        log.info("user %s: archive imported, %s days, %s rows", user_id, report.days_found, total)
        return report
    except Exception:
        db.session.rollback()
        raise
    finally:
        if not keep_files:
            for path in paths:
                Path(path).unlink(missing_ok=True)


def save_detail(user_id: int, detail: Detail, report: Report, saving: Callable[[int], None]) -> None:
    """Make the archive source's detail of the days the archive covers what it holds now: minute series,
    sleep sessions (naps too) and workouts of those days are replaced, a batch of series per commit."""
    span = detail.span()
    first = min(filter(None, (report.first_day, span and span[0])))
    last = max(filter(None, (report.last_day, span and span[1])))
    db.session.execute(delete(MinuteSeriesRow).where(
        MinuteSeriesRow.user_id == user_id, MinuteSeriesRow.source == NAME, MinuteSeriesRow.day.between(first, last)))
    replace_sleep(user_id, NAME, first, last, detail.sleep)
    replace_workouts(user_id, NAME, first, last, detail.workouts)
    saved = 0
    for series in detail.series:
        batch = []
        for one in series.series():
            batch.append(one)
            if len(batch) == SERIES_BATCH:
                saved += save_series(user_id, NAME, batch)
                saving(saved)
                batch = []
        saved += save_series(user_id, NAME, batch)
        saving(saved)


def zone_named(name: str | None) -> ZoneInfo:
    """Return the chosen zone, UTC when none or an unknown name was given."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def ensure_connection(user_id: int) -> Connection:
    """Return the person's archive connection, created (not committed) when there is none."""
    connection = connection_for(user_id, NAME)
    if connection is None:
        connection = Connection(provider=NAME, user_id=user_id, provider_user_id=f"archive-{user_id}", token={})
        db.session.add(connection)
    return connection


def archive_connection(user_id: int, report: Report) -> Connection:
    """Create or update the person's archive connection from Profile.csv (not committed)."""
    connection = ensure_connection(user_id)
    profile = report.profile
    connection.display_name = profile.display_name or connection.display_name
    connection.timezone = profile.timezone
    connection.weight_unit = profile.weight_unit
    connection.distance_unit = profile.distance_unit
    connection.member_since = profile.member_since or connection.member_since
    return connection


def latest_day(user_id: int):
    """Return the latest day the person's imported archives hold, or None."""
    return db.session.execute(select(func.max(SourceMetric.day)).where(
        SourceMetric.user_id == user_id, SourceMetric.source == NAME)).scalar()


def user_by_email(email: str) -> User | None:
    """Return the account with this email, if any."""
    return db.session.execute(select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()


class Tracker:
    """Keep the ArchiveImport row (when there is one) and a caller's callback up to date."""

    def __init__(self, import_id: int | None, callback):
        self.import_id = import_id
        self.callback = callback
        self.last_percent = -1

    def reading(self, done: int, total: int, days: int) -> None:
        if self.callback:
            self.callback(done, total, days)
        percent = done * READ_SHARE // max(total, 1)
        if percent != self.last_percent:
            self.last_percent = percent
            self.update(status="running", files_total=total, files_read=done, days_found=days, percent=percent)

    def saving(self, saved: int, total: int, report: Report) -> None:
        percent = READ_SHARE + (100 - READ_SHARE) * saved // max(total, 1)
        self.update(days_found=report.days_found, percent=min(percent, 99))

    def finish(self, report: Report) -> None:
        self.update(status="done", percent=100, files_read=report.files_read, message=report.summary(),
                    finished_at=now_utc(), folder=None)

    def update(self, **values) -> None:
        """Record progress and commit with it whatever the import wrote; raise ImportCancelled if it was cancelled."""
        if self.import_id is not None:
            update_if_active(self.import_id, **values)
        # Progress is its own short transaction, so the page sees it while the import runs.
        db.session.commit()
