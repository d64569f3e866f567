"""Read synced data for pages: a fixed number of queries whatever the range.

Trends are summed per bucket of days in the database, so a year costs no more
rows than a quarter; today's values and the latest weight are read as they are.
"""

from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Date, Float, Integer, bindparam, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..extensions import db
from ..models import DailyMetric
from ..sources import METRICS

CHARTED = ("steps", "very_active_minutes", "fairly_active_minutes", "resting_heart_rate", "sleep", "weight")
STAGES = ("deep", "light", "rem", "wake")


class Reading(NamedTuple):
    """One stored value of one metric on one day."""

    day: date
    value: float
    details: dict | None
    updated_at: datetime | None


class Stat(NamedTuple):
    """What a bucket of days holds for one metric: count, total, extremes, goal days, sleep stages."""

    count: int
    total: float
    low: float
    high: float
    reached: int
    stages: dict[str, float]
    unstaged: float

    @property
    def mean(self) -> float:
        """Return the average over the days with a value."""
        return self.total / self.count


class days_before(FunctionElement):
    """Whole days from a row's date to a later date (end - day)."""

    type = Integer()
    inherit_cache = True


@compiles(days_before, "sqlite")
def _days_before_sqlite(element, compiler, **kw):
    end, day = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({end}) - julianday({day}) AS INTEGER)"


@compiles(days_before)
def _days_before_default(element, compiler, **kw):
    # PostgreSQL: subtracting dates gives whole days.
    end, day = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({end} - {day})"


@lru_cache(maxsize=None)
def _bucket_queries():
    """Build the two per-bucket statements once; each call only binds its values.

    The sums read (user, day, metric, value) from one covering index; naming the
    metrics to skip rather than the ones to keep lets the planner use that index.
    Sleep stages need the JSON details, so they are summed apart, over sleep rows only.
    """
    end, size = bindparam("end", type_=Date), bindparam("size", type_=Integer)
    in_range = (DailyMetric.user_id == bindparam("user_id"),
                DailyMetric.day.between(bindparam("start", type_=Date), end))
    bucket = (days_before(end, DailyMetric.day) // size).label("bucket")
    sums = (
        select(
            DailyMetric.metric, bucket, func.count(), func.sum(DailyMetric.value),
            func.min(DailyMetric.value), func.max(DailyMetric.value),
            func.sum(case((DailyMetric.value >= bindparam("goal", type_=Float), 1), else_=0)),
        )
        .where(*in_range, DailyMetric.metric.not_in(sorted(set(METRICS) - set(CHARTED))))
        .group_by(DailyMetric.metric, bucket)
    )
    stages = [DailyMetric.details[("stages", name)].as_float() for name in STAGES]
    sleep = (
        select(bucket, *(func.sum(stage) for stage in stages),
               func.sum(case((stages[0].is_(None), DailyMetric.value)), type_=Float))
        .where(*in_range, DailyMetric.metric == "sleep")
        .group_by(bucket)
    )
    return sums, sleep


def bucket_stats(user_id: int, start: date, end: date, size: int, goal: float) -> dict[str, dict[int, Stat]]:
    """Return per charted metric, per bucket (0 = the `size` days ending on `end`), what it holds (two queries)."""
    values = {"user_id": user_id, "start": start, "end": end, "size": size, "goal": goal}
    sums, sleep = _bucket_queries()
    connection = db.session.connection()
    stages = {
        index: ({} if deep is None else {"deep": deep, "light": light or 0, "rem": rem or 0, "wake": wake or 0},
                unstaged or 0)
        for index, deep, light, rem, wake, unstaged in connection.execute(sleep, values)
    }
    stats: dict[str, dict[int, Stat]] = {metric: {} for metric in CHARTED}
    for metric, index, count, total, low, high, reached in connection.execute(sums, values):
        if metric in stats:
            found, unstaged = stages.get(index, ({}, 0)) if metric == "sleep" else ({}, 0)
            stats[metric][index] = Stat(count, total, low, high, reached or 0, found, unstaged)
    return stats


def on_day(user_id: int, day: date) -> dict[str, Reading | None]:
    """Return every metric's value on one day, None where nothing is stored (one query)."""
    rows = db.session.execute(
        select(DailyMetric.metric, DailyMetric.day, DailyMetric.value, DailyMetric.details,
               DailyMetric.updated_at)
        .where(DailyMetric.user_id == user_id, DailyMetric.metric.in_(METRICS), DailyMetric.day == day)
    )
    found = {metric: Reading(*rest) for metric, *rest in rows}
    return {metric: found.get(metric) for metric in METRICS}


def latest(user_id: int, metric: str, on_or_before: date) -> Reading | None:
    """Return the most recent stored value of a metric up to a day (one query)."""
    row = db.session.execute(
        select(DailyMetric.day, DailyMetric.value, DailyMetric.details, DailyMetric.updated_at)
        .where(DailyMetric.user_id == user_id, DailyMetric.metric == metric,
               DailyMetric.day <= on_or_before)
        .order_by(DailyMetric.day.desc())
        .limit(1)
    ).first()
    return Reading(*row) if row else None
