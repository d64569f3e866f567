"""Read a whole archive (any number of parts) into rows per metric and a report; no Flask, no database."""

import csv
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zoneinfo import ZoneInfo

from ..sources import DayValue
from .alignment import calorie_observations
from .collect import ArchiveProfile, Collector, Detail
from .evidence import heart_rate_observation, minute_file_observation
from .zones import UTC
from .reader import STREAM_ABOVE, ArchiveError, Inventory, inventory, member_label, open_parts, read_member

# The total size the health files of one upload may expand to (a dense 12-year export holds a few GB).
DEFAULT_MAX_UNCOMPRESSED = 40 * 1024 ** 3
# Monthly minute files whose first stamp shows the offset of their first day (UTC families).
MINUTE_FILES = ("steps", "distance")
# Bad files listed by name in the report; past this, only counted.
LISTED_BAD_FILES = 20

Progress = Callable[[int, int, int], None]


@dataclass
class Report:
    """What an import found: files read, skipped and bad, the days and the profile."""

    files_total: int = 0
    files_read: int = 0
    files_skipped: int = 0
    bad_files: list[tuple[str, str]] = field(default_factory=list)
    bad_count: int = 0
    # Heart-rate files that could not be read: skipped with a warning, apart from the bad files
    # (a damaged day of samples loses that day's curve, never a daily value).
    heart_rate_skipped: list[tuple[str, str]] = field(default_factory=list)
    heart_rate_skipped_count: int = 0
    days_found: int = 0
    first_day: date | None = None
    last_day: date | None = None
    padding_days: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    profile: ArchiveProfile = field(default_factory=ArchiveProfile)
    zones: str | None = None
    units: str | None = None
    # The day detail found: days with a minute series of each metric, sleep sessions, workouts.
    series_days: dict[str, int] = field(default_factory=dict)
    sleep_sessions: int = 0
    workouts: int = 0

    def bad(self, name: str, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_files) < LISTED_BAD_FILES:
            self.bad_files.append((name, reason))

    def heart_rate_bad(self, name: str, reason: str) -> None:
        self.heart_rate_skipped_count += 1
        if len(self.heart_rate_skipped) < LISTED_BAD_FILES:
            self.heart_rate_skipped.append((name, reason))

    def summary(self) -> str:
        """Say in plain words what was imported and what was not."""
        if not self.days_found:
            return "No days of data were found in the archive."
        lines = [f"Imported {self.days_found:,} days, {self.first_day:%-d %B %Y} to {self.last_day:%-d %B %Y}, "
                 f"from {self.files_read:,} files."]
        if self.padding_days:
            lines.append(f"Ignored {self.padding_days} empty days the export adds after its last real day.")
        if any(self.series_days.values()) or self.sleep_sessions or self.workouts:
            lines.append(f"Day detail: heart rate per minute on {self.series_days.get('heart_rate', 0):,} days, "
                         f"steps per minute on {self.series_days.get('steps', 0):,}, "
                         f"{self.sleep_sessions:,} sleep sessions (naps included), {self.workouts:,} workouts.")
        lines += self.profile.notes
        lines += [text for text in (self.zones, self.units) if text]
        if self.bad_count:
            listed = "; ".join(f"{name}: {reason}" for name, reason in self.bad_files)
            more = f" (and {self.bad_count - len(self.bad_files)} more)" if self.bad_count > len(self.bad_files) else ""
            lines.append(f"Skipped {self.bad_count} unreadable file(s): {listed}{more}.")
        if self.heart_rate_skipped_count:
            listed = "; ".join(f"{name}: {reason}" for name, reason in self.heart_rate_skipped)
            count = self.heart_rate_skipped_count
            more = f" (and {count - len(self.heart_rate_skipped)} more)" if count > len(self.heart_rate_skipped) else ""
            lines.append(f"Warning: skipped {count} heart-rate file(s) that could not be read, so those days "
                         f"have no heart-rate curve: {listed}{more}.")
        return " ".join(lines)


def read_archive(paths: Iterable[Path], labels: Iterable[str] | None = None, progress: Progress | None = None,
                 max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
                 chosen_zone: ZoneInfo = UTC) -> tuple[dict[str, list[DayValue]], Report]:
    """Return every metric's rows (metric units, local days) and the report; raise ArchiveError when
    the upload as a whole cannot be imported (not a zip, unsafe names, a bomb, no Fitbit data).

    chosen_zone counts the days when neither Profile.csv nor the files tell the zone."""
    rows, _, report = read_everything(paths, labels, progress, max_uncompressed, chosen_zone)
    return rows, report


def read_everything(paths: Iterable[Path], labels: Iterable[str] | None = None, progress: Progress | None = None,
                    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
                    chosen_zone: ZoneInfo = UTC) -> tuple[dict[str, list[DayValue]], Detail, Report]:
    """Return read_archive's rows and report, and the days' detail: minute series, sleep sessions, workouts."""
    paths = [Path(path) for path in paths]
    labels = list(labels) if labels is not None else [path.name for path in paths]
    report = Report()
    collector = Collector(chosen_zone)
    with open_parts(paths, labels) as parts:
        found = inventory(parts, labels, max_uncompressed)
        if not any(member.entry.kind in ("json", "csv") for member in found.members):
            raise ArchiveError(no_data_message(found))
        report.files_total, report.files_skipped = len(found.members), found.skipped
        first_pass = [member for member in found.members if member.entry.kind in ("profile", "evidence")]
        for member in first_pass:
            if member.entry.kind == "profile":
                read_reported(parts[member.part], member, collector, report)
                continue
            seen = quietly(heart_rate_observation, parts[member.part], member.info, collector.reference_offset)
            collector.add_observation(seen)
        for member in found.members:
            if member.entry.family in MINUTE_FILES and member.entry.kind == "json":
                collector.add_observation(quietly(minute_file_observation, parts[member.part], member.info))
        if not collector.observations:
            for seen in calorie_observations(parts, found.members):
                collector.add_observation(seen)
        report.zones = collector.plan_days().describe()
        # Then every data file, the heart-rate files' samples too, now that each day's zone is known.
        data = [member for member in found.members if member.entry.kind != "profile"]
        for done, member in enumerate(data, start=report.files_total - len(data) + 1):
            read_reported(parts[member.part], member, collector, report)
            if progress:
                progress(done, report.files_total, collector.days_so_far())
    rows, report.padding_days = collector.finish()
    days = sorted({row.day for values in rows.values() for row in values})
    report.days_found = len(days)
    report.first_day, report.last_day = (days[0], days[-1]) if days else (None, None)
    report.rows = {metric: len(values) for metric, values in rows.items()}
    detail = collector.detail
    report.series_days = {series.metric: len(series) for series in detail.series}
    report.sleep_sessions, report.workouts = len(detail.sleep), len(detail.workouts)
    report.profile = collector.profile
    if report.last_day:
        # The dashboard's "today" is in the zone of the archive's latest day.
        report.profile.timezone = collector.plan.zone_for(report.last_day).key
    report.units = collector.units.describe()
    if progress:
        progress(report.files_total, report.files_total, report.days_found)
    return rows, detail, report


def read_reported(archive: zipfile.ZipFile, member, collector: Collector, report: Report) -> None:
    """Read one data file (or the profile) into the collector; a bad one is reported and skipped whole."""
    try:
        read_one(archive, member.info, member.entry, collector)
        report.files_read += 1
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, UnicodeDecodeError, OverflowError,
            csv.Error, zipfile.BadZipFile, EOFError, OSError) as error:
        if member.entry.family == "heart_rate":
            report.heart_rate_bad(member_label(member.info), describe(error))
        else:
            report.bad(member_label(member.info), describe(error))


def quietly(read, *args):
    """Return what an evidence reader returns, or None for a damaged file: evidence is optional, and a
    damaged data file is reported when its data is read."""
    try:
        return read(*args)
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, EOFError,
            OSError):
        return None


def read_one(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry, collector: Collector) -> None:
    """Parse one member: CSV files and big JSON files as a stream, the rest whole."""
    if entry.kind == "csv" or (entry.kind == "json" and info.file_size > STREAM_ABOVE):
        with archive.open(info) as stream:
            collector.add(entry, stream)
    else:
        collector.add(entry, read_member(archive, info))


def describe(error: Exception) -> str:
    """Say what was wrong with a file in a few plain words."""
    if isinstance(error, zipfile.BadZipFile | EOFError):
        return "damaged in the zip file"
    if isinstance(error, UnicodeDecodeError):
        return "not text"
    if isinstance(error, ValueError) and error.__class__.__name__ in ("JSONDecodeError", "IncompleteJSONError",
                                                                              "DecodeError"):
        return "not valid JSON"
    if isinstance(error, KeyError):
        return f"a record lacks {error.args[0]!r}"
    return "not in the format fitlink expects"


def no_data_message(found: Inventory) -> str:
    """Say what the upload held when none of it is Fitbit health data."""
    listed = ", ".join(found.names)
    more = f" and {found.files - len(found.names):,} more" if found.files > len(found.names) else ""
    held = (f"found {found.files:,} file{'s' if found.files != 1 else ''}, none of them Fitbit health data: "
            f"{listed}{more}") if found.files else "the zip file is empty"
    return (f"No Fitbit data was found in this upload: {held}. fitlink reads files such as "
            "steps-2024-01-01.json or sleep-2024-01-01.json, in Google Takeout's \"Global Export Data\" "
            "folder or a fitbit.com archive's \"MyFitbitData\" folder. Upload every part of the export.")
