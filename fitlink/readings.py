"""Read synced data for pages and exports: a fixed number of queries whatever the range."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from .extensions import db
from .models import DailyMetric
from .sources import METRICS


@dataclass(frozen=True)
class Reading:
    """One stored value of one metric on one day."""

    day: date
    value: float
    details: dict | None
    updated_at: datetime | None


def readings(user_id: int, start: date, end: date) -> dict[str, dict[date, Reading]]:
    """Return every stored value of the user from start to end, by metric and day (one query)."""
    # Naming every metric lets SQLite walk the (user_id, metric, day) index once per
    # metric instead of scanning all of the user's rows.
    rows = db.session.execute(
        select(DailyMetric.metric, DailyMetric.day, DailyMetric.value,
               DailyMetric.details, DailyMetric.updated_at)
        .where(DailyMetric.user_id == user_id, DailyMetric.metric.in_(METRICS),
               DailyMetric.day.between(start, end))
    )
    by_metric: dict[str, dict[date, Reading]] = {metric: {} for metric in METRICS}
    for metric, day, value, details, updated_at in rows:
        by_metric[metric][day] = Reading(day, value, details, updated_at)
    return by_metric


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


def days(start: date, end: date) -> list[date]:
    """Return every date from start to end inclusive."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
