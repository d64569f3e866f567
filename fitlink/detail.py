"""A person's day detail over a range of days, for the exports: minute series unpacked, sleep
sessions with their stages, workouts; and which source's detail is shown (best_source, which the
day page uses too).

Read in batches, in date order, so a year of minute data streams in bounded memory. `shown=True`
keeps, per series and day, sleep-day and workout-day, the best-ranked source that has data (what
the day page shows); `shown=False` keeps every source's rows (the account export: everything held).
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import select

from . import minutes
from .extensions import db
from .models import MinuteSeriesRow, SleepRow, WorkoutRow
from .sources import rank

BATCH = 200  # packed days or sessions per fetch: a few hundred KB unpacked at most
INTERVAL_S = 60


def best_source(rows) -> str | None:
    """Return the best-ranked source among rows having .source (None when there are none): for a
    series and day, a day's sleep or a day's workouts, only that source's rows are shown."""
    names = {row.source for row in rows}
    return min(names, key=lambda name: (rank(name), name)) if names else None


def _best(rows: Iterator, key) -> Iterator:
    """From rows ordered by key, keep each key's rows of its best-ranked source."""
    for _, group in groupby(rows, key):
        group = list(group)  # one day's (or series') rows: a handful
        best = best_source(group)
        yield from (row for row in group if row.source == best)


def _between(model, user_id: int, start: date, end: date):
    return (model.user_id == user_id, model.day.between(start, end))


def series(user_id: int, start: date, end: date, shown: bool = True) -> Iterator[dict]:
    """Yield each day's minute series, {"date", "metric", "source", "interval_s", "points": [[minute, value]]}."""
    query = (select(MinuteSeriesRow.day, MinuteSeriesRow.metric, MinuteSeriesRow.source, MinuteSeriesRow.data)
             .where(*_between(MinuteSeriesRow, user_id, start, end))
             .order_by(MinuteSeriesRow.day, MinuteSeriesRow.metric, MinuteSeriesRow.source)
             .execution_options(yield_per=BATCH))
    rows = db.session.execute(query)
    if shown:
        rows = _best(rows, lambda row: (row.day, row.metric))
    for row in rows:
        values = minutes.unpack(row.metric, row.data)
        yield {"date": row.day, "metric": row.metric, "source": row.source, "interval_s": INTERVAL_S,
               "points": [[minute, number(value)] for minute, value in sorted(values.items())]}


def _stages(start: datetime, stages: list | None) -> list[dict]:
    return [{"start": start + timedelta(seconds=offset), "seconds": seconds, "level": level}
            for offset, seconds, level in stages or ()]


def _sessions(model, user_id: int, start: date, end: date, shown: bool) -> Iterator:
    """Return a model's rows (sleep sessions or workouts) of the days start to end by day, start and source;
    when shown, only each day's rows of its best-ranked source."""
    query = (select(model).where(*_between(model, user_id, start, end))
             .order_by(model.day, model.start, model.source)
             .execution_options(yield_per=BATCH))
    rows = db.session.execute(query).scalars()
    return _best(rows, lambda row: row.day) if shown else rows


def sleep(user_id: int, start: date, end: date, shown: bool = True) -> Iterator[dict]:
    """Yield the sleep sessions ending on each day, with their stages and short wakes as local times."""
    for row in _sessions(SleepRow, user_id, start, end, shown):
        yield {"date": row.day, "source": row.source, "start": row.start, "end": row.end, "main": row.main,
               "type": row.kind, "minutes_asleep": row.minutes_asleep,
               "stages": _stages(row.start, row.stages), "short_wakes": _stages(row.start, row.short_wakes)}


def workouts(user_id: int, start: date, end: date, shown: bool = True) -> Iterator[dict]:
    """Yield the workouts starting on each day, distance in km."""
    for row in _sessions(WorkoutRow, user_id, start, end, shown):
        yield {"date": row.day, "source": row.source, "start": row.start, "seconds": row.seconds,
               "type": row.type, "calories": _number(row.calories), "distance_km": _number(row.distance_km),
               "average_heart_rate": _number(row.average_heart_rate), "steps": row.steps,
               "heart_rate_zones": row.heart_rate_zones}


def number(value: float) -> int | float:
    """Return a whole value as an int, so 8123.0 is written 8123."""
    return int(value) if float(value).is_integer() else value


def _number(value: float | None) -> int | float | None:
    return None if value is None else number(value)
