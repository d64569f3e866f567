"""The person's shown values as CSV or JSON, each with the source it came from, streamed row by row.

One value per metric and day (the best-ranked source's: see sync/store.py), never a sum of sources.
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..formatting import as_utc
from ..models import DailyMetric
from .periods import Period

COLUMNS = ("date", "metric", "value", "unit", "source", "details", "updated_at")
# Stored values are always metric, whatever the profile shows.
UNITS = {
    "steps": "steps", "distance": "km", "calories": "kcal", "floors": "floors",
    "very_active_minutes": "min", "fairly_active_minutes": "min",
    "resting_heart_rate": "bpm", "sleep": "min asleep", "weight": "kg",
}
BATCH = 1000


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


def number(value: float) -> int | float:
    """Return a whole value as an int, so 8123.0 is written 8123."""
    return int(value) if float(value).is_integer() else value


def stamp(moment: datetime | None) -> str:
    """Write an update time as ISO 8601 in UTC."""
    return as_utc(moment).isoformat() if moment else ""


def csv_lines(user_id: int, period: Period) -> Iterator[str]:
    """Yield the CSV file: a header, then one line per stored row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for count, (day, metric, value, source, details, updated_at) in enumerate(stored_rows(user_id, period), 1):
        writer.writerow((day.isoformat(), metric, number(value), UNITS.get(metric, ""), source,
                         json.dumps(details, sort_keys=True) if details else "", stamp(updated_at)))
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(user_id: int, period: Period, exported_on: date) -> Iterator[str]:
    """Yield a JSON document: what was exported, the units, then the rows."""
    head = {"start": period.start.isoformat(), "end": period.end.isoformat(),
            "exported_on": exported_on.isoformat(), "units": UNITS}
    yield json.dumps(head)[:-1] + ', "rows": ['
    for count, (day, metric, value, source, details, updated_at) in enumerate(stored_rows(user_id, period)):
        row = {"date": day.isoformat(), "metric": metric, "value": number(value), "source": source,
               "details": details, "updated_at": stamp(updated_at)}
        yield ("," if count else "") + "\n" + json.dumps(row)
    yield "\n]}\n"


def filename(period: Period, extension: str) -> str:
    """Name the downloaded file after the period it holds."""
    return f"fitlink-{period.start.isoformat()}-to-{period.end.isoformat()}.{extension}"
