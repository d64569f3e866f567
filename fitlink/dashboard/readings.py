"""Read synced data for pages: a fixed number of queries whatever the range.

Trends are summed per bucket of days in the database, so a year costs no more
rows than a quarter; today's values and the latest weight are read as they are.
"""

from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Date, Float, Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..extensions import db
from ..models import DailyMetric
from ..sources import METRICS

# Every metric with a trend; distance, calories and floors are on today's cards only.
CHARTED = ("steps", "very_active_minutes", "fairly_active_minutes", "resting_heart_rate", "sleep", "weight",
           "hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "active_zone_minutes",
           "lightly_active_minutes", "sedentary_minutes", "body_fat")
# Metrics shown on a card with their latest value, and the day it was logged, when not logged today.
LATEST = ("weight", "hrv", "spo2", "breathing_rate", "skin_temperature", "vo2max", "body_fat")
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
    squares: float = 0.0

    @property
    def mean(self) -> float:
        """Return the average over the days with a value."""
        return self.total / self.count

    @property
    def sd(self) -> float:
        """Return the sample standard deviation of the days' values (0 for fewer than two)."""
        if self.count < 2:
            return 0.0
        return max(0.0, (self.squares - self.total * self.total / self.count) / (self.count - 1)) ** 0.5


def pool(stats) -> Stat | None:
    """Return one Stat for several buckets together (None when there are none)."""
    count = reached = 0
    total = squares = unstaged = 0.0
    low = high = None
    stages: dict[str, float] = {}
    for one in stats:
        count += one.count
        total += one.total
        squares += one.squares
        reached += one.reached
        unstaged += one.unstaged
        low = one.low if low is None or one.low < low else low
        high = one.high if high is None or one.high > high else high
        for key, minutes in one.stages.items():
            stages[key] = stages.get(key, 0) + minutes
    return None if low is None else Stat(count, total, low, high, reached, stages, unstaged, squares)


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


class month_of(FunctionElement):
    """A running number of a date's calendar month: year * 12 + month - 1."""

    type = Integer()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    # SQLite keeps dates as YYYY-MM-DD text: cutting it is cheaper than strftime.
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER) - 1)"


@compiles(month_of)
def _month_of_default(element, compiler, **kw):
    (day,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1)"


@lru_cache(maxsize=None)
def _bucket_queries(by_month: bool):
    """Build the two per-bucket statements once per kind of bucket; each call only binds its values.

    A bucket is `size` days counted back from `end`, or a calendar month (0 = end's month).
    The sums read (user, day, metric, value) from one covering index; naming the
    metrics to skip rather than the ones to keep lets the planner use that index.
    Sleep stages need the JSON details, so they are summed apart, over sleep rows only.
    """
    end, size = bindparam("end", type_=Date), bindparam("size", type_=Integer)
    in_range = (DailyMetric.user_id == bindparam("user_id"),
                DailyMetric.day.between(bindparam("start", type_=Date), end))
    if by_month:
        index = bindparam("end_month", type_=Integer) - month_of(DailyMetric.day)
    else:
        index = days_before(end, DailyMetric.day) // size
    # Days read only for the normal band (before the first day drawn) are counted apart, as -1 - index,
    # so a first week or month cut short by the range holds none of them.
    bucket = case((DailyMetric.day < bindparam("drawn_from", type_=Date), -1 - index), else_=index).label("bucket")
    sums = (
        select(
            DailyMetric.metric, bucket, func.count(), func.sum(DailyMetric.value),
            func.min(DailyMetric.value), func.max(DailyMetric.value),
            func.sum(case((DailyMetric.value >= bindparam("goal", type_=Float), 1), else_=0)),
            func.sum(DailyMetric.value * DailyMetric.value),
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


def bucket_stats(user_id: int, start: date, end: date, size: int, goal: float,
                 by_month: bool = False, drawn_from: date | None = None) -> dict[str, dict[int, Stat]]:
    """Return per charted metric, per bucket (0 = the `size` days, or the month, ending on `end`), what it holds.

    Days before `drawn_from` (read for the normal band) come as bucket -1 - index. Two queries, whatever the range.
    """
    values = {"user_id": user_id, "start": start, "end": end, "size": size, "goal": goal,
              "end_month": end.year * 12 + end.month - 1, "drawn_from": drawn_from or start}
    sums, sleep = _bucket_queries(by_month)
    connection = db.session.connection()
    stages = {
        index: ({} if deep is None else {"deep": deep, "light": light or 0, "rem": rem or 0, "wake": wake or 0},
                unstaged or 0)
        for index, deep, light, rem, wake, unstaged in connection.execute(sleep, values)
    }
    stats: dict[str, dict[int, Stat]] = {metric: {} for metric in CHARTED}
    for metric, index, count, total, low, high, reached, squares in connection.execute(sums, values):
        if metric in stats:
            found, unstaged = stages.get(index, ({}, 0)) if metric == "sleep" else ({}, 0)
            stats[metric][index] = Stat(count, total, low, high, reached or 0, found, unstaged, squares or 0.0)
    return stats


@lru_cache(maxsize=None)
def _on_day_query():
    """The one-day statement, built once: each call only binds the person and the day."""
    return (
        select(DailyMetric.metric, DailyMetric.day, DailyMetric.value, DailyMetric.details,
               DailyMetric.updated_at)
        .where(DailyMetric.user_id == bindparam("user_id"), DailyMetric.metric.in_(METRICS),
               DailyMetric.day == bindparam("day", type_=Date))
    )


def on_day(user_id: int, day: date) -> dict[str, Reading | None]:
    """Return every metric's value on one day, None where nothing is stored (one query)."""
    rows = db.session.execute(_on_day_query(), {"user_id": user_id, "day": day})
    found = {metric: Reading(*rest) for metric, *rest in rows}
    return {metric: found.get(metric) for metric in METRICS}


def latest(user_id: int, metric: str, on_or_before: date) -> Reading | None:
    """Return the most recent stored value of a metric up to a day (one query)."""
    return latest_of(user_id, (metric,), on_or_before)[metric]


@lru_cache(maxsize=32)
def _latest_query(metrics: tuple[str, ...]):
    """The latest-values statement for these metrics, built once (building it cost more than running it)."""
    user_id, on_or_before = bindparam("user_id"), bindparam("on_or_before", type_=Date)
    newest = (
        select(func.max(DailyMetric.day))
        .where(DailyMetric.user_id == user_id, DailyMetric.metric == metric, DailyMetric.day <= on_or_before)
        .scalar_subquery()
        for metric in metrics
    )
    return (
        select(DailyMetric.metric, DailyMetric.day, DailyMetric.value, DailyMetric.details, DailyMetric.updated_at)
        .where(DailyMetric.user_id == user_id,
               or_(*(and_(DailyMetric.metric == metric, DailyMetric.day == day)
                     for metric, day in zip(metrics, newest))))
    )


def latest_of(user_id: int, metrics: tuple[str, ...], on_or_before: date) -> dict[str, Reading | None]:
    """Return each metric's most recent stored value up to a day, None where there is none (one query).

    Each metric's newest day is found on the (user, metric, day) unique index, so a long history costs nothing.
    """
    rows = db.session.execute(_latest_query(metrics), {"user_id": user_id, "on_or_before": on_or_before})
    found = {metric: Reading(*rest) for metric, *rest in rows}
    return {metric: found.get(metric) for metric in metrics}


def first_day(user_id: int) -> date | None:
    """Return the first day the person's data holds (one query, on the index)."""
    return db.session.execute(select(func.min(DailyMetric.day)).where(DailyMetric.user_id == user_id)).scalar()
