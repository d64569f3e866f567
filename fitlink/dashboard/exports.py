"""The person's shown values as CSV or JSON, each with the source it came from, streamed row by row.

One value per metric and day (the best-ranked source's: see sync/store.py), never a sum of sources.
The day detail comes too: the JSON file holds it after the daily rows; as CSV it is a table of its
own (?table=minutes, sleep or exercises), one line per minute, per sleep stage, per workout.
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select

from .. import sources
from ..extensions import db
from ..formatting import as_utc
from ..models import DailyMetric
from .. import detail
from ..detail import number
from .periods import Period

COLUMNS = ("date", "metric", "value", "unit", "source", "details", "updated_at")
# Stored values are always metric, whatever the profile shows.
UNITS = {**sources.UNITS, "sleep": "min asleep"}
BATCH = 1000
TABLES = ("daily", "minutes", "sleep", "exercises")
DETAIL_COLUMNS = {
    "minutes": ("date", "minute", "time", "metric", "value", "unit", "source"),
    "sleep": ("date", "session_start", "session_end", "main", "type", "minutes_asleep", "source",
              "part", "stage_start", "seconds", "level"),
    "exercises": ("date", "start", "seconds", "type", "calories", "distance_km", "average_heart_rate",
                  "steps", "heart_rate_zones", "source"),
}


def stored_rows(user_id: int, period: Period) -> Iterator[tuple]:
    """Yield the user's rows in the period, by date then metric, fetched in batches."""
    query = (
        select(DailyMetric.day, DailyMetric.metric, DailyMetric.value, DailyMetric.source,
               DailyMetric.details, DailyMetric.updated_at)
        .where(DailyMetric.user_id == user_id, DailyMetric.day.between(period.start, period.end))
        .order_by(DailyMetric.day, DailyMetric.metric)
        .execution_options(yield_per=BATCH)
    )
    yield from db.session.execute(query)


def stamp(moment: datetime | None) -> str:
    """Write an update time as ISO 8601 in UTC."""
    return as_utc(moment).isoformat() if moment else ""


def daily_lines(user_id: int, period: Period) -> Iterator[tuple]:
    """Yield the daily table's lines: one per stored row."""
    for day, metric, value, source, details, updated_at in stored_rows(user_id, period):
        yield (day.isoformat(), metric, number(value), UNITS.get(metric, ""), source,
               json.dumps(details, sort_keys=True) if details else "", stamp(updated_at))


def minute_lines(user_id: int, period: Period) -> Iterator[tuple]:
    """Yield one line per minute with data of each shown series."""
    for one in detail.series(user_id, period.start, period.end):
        day, metric, unit, source = one["date"].isoformat(), one["metric"], UNITS.get(one["metric"], ""), one["source"]
        for minute, value in one["points"]:
            yield day, minute, f"{minute // 60:02d}:{minute % 60:02d}", metric, value, unit, source


def sleep_lines(user_id: int, period: Period) -> Iterator[tuple]:
    """Yield one line per stage (and short wake) of each shown sleep session."""
    for one in detail.sleep(user_id, period.start, period.end):
        session = (one["date"].isoformat(), one["start"].isoformat(), one["end"].isoformat(), one["main"],
                   one["type"], one["minutes_asleep"], one["source"])
        for part in ("stages", "short_wakes"):
            for stage in one[part]:
                yield (*session, part.removesuffix("s"), stage["start"].isoformat(), stage["seconds"],
                       stage["level"])


def exercise_lines(user_id: int, period: Period) -> Iterator[tuple]:
    """Yield one line per shown workout."""
    for one in detail.workouts(user_id, period.start, period.end):
        zones = one["heart_rate_zones"]
        yield (one["date"].isoformat(), one["start"].isoformat(), one["seconds"], one["type"],
               *("" if one[name] is None else one[name]
                 for name in ("calories", "distance_km", "average_heart_rate", "steps")),
               json.dumps(zones, sort_keys=True) if zones else "", one["source"])


LINES = {"daily": (COLUMNS, daily_lines), "minutes": (DETAIL_COLUMNS["minutes"], minute_lines),
         "sleep": (DETAIL_COLUMNS["sleep"], sleep_lines), "exercises": (DETAIL_COLUMNS["exercises"], exercise_lines)}


def csv_lines(user_id: int, period: Period, table: str = "daily") -> Iterator[str]:
    """Yield the CSV file of one table: a header, then its lines, a few hundred at a time."""
    columns, lines = LINES[table if table in LINES else "daily"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for count, line in enumerate(lines(user_id, period), 1):
        writer.writerow(line)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _array(name: str, items: Iterator[dict]) -> Iterator[str]:
    yield f', "{name}": ['
    for count, item in enumerate(items):
        yield ("," if count else "") + "\n" + json.dumps(item, default=_plain)
    yield "\n]"


def json_chunks(user_id: int, period: Period, exported_on: date) -> Iterator[str]:
    """Yield a JSON document: what was exported, the units, the daily rows, then the day detail.

    "series" holds each day's shown minute series ([minute of the local day, value] points),
    "sleep" the sessions ending on each day with their stages, "exercises" the workouts.
    """
    head = {"start": period.start.isoformat(), "end": period.end.isoformat(),
            "exported_on": exported_on.isoformat(), "units": UNITS}
    yield json.dumps(head)[:-1] + ', "rows": ['
    for count, (day, metric, value, source, details, updated_at) in enumerate(stored_rows(user_id, period)):
        row = {"date": day.isoformat(), "metric": metric, "value": number(value), "source": source,
               "details": details, "updated_at": stamp(updated_at)}
        yield ("," if count else "") + "\n" + json.dumps(row)
    yield "\n]"
    yield from _array("series", detail.series(user_id, period.start, period.end))
    yield from _array("sleep", detail.sleep(user_id, period.start, period.end))
    yield from _array("exercises", detail.workouts(user_id, period.start, period.end))
    yield "}\n"


def filename(period: Period, extension: str, table: str = "daily") -> str:
    """Name the downloaded file after the period it holds (and the detail table, if not the daily values)."""
    part = "" if table not in LINES or table == "daily" else f"-{table}"
    return f"fitlink-{period.start.isoformat()}-to-{period.end.isoformat()}{part}.{extension}"
