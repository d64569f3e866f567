"""Read synced data for pages and exports: a fixed number of queries whatever the range."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from .extensions import db
from .models import DailyMetric
from .sources import METRICS


@dataclass(frozen=True)
class Reading:
    value: float
    details: dict | None


def readings(user_id: int, start: date, end: date) -> dict[str, dict[date, Reading]]:
    """Return every stored value of the user from start to end, by metric and day (one query)."""
    rows = db.session.execute(
        select(DailyMetric.metric, DailyMetric.day, DailyMetric.value, DailyMetric.details)
        .where(DailyMetric.user_id == user_id, DailyMetric.day.between(start, end))
        .order_by(DailyMetric.day)
    )
    by_metric: dict[str, dict[date, Reading]] = defaultdict(dict)
    for metric, day, value, details in rows:
        by_metric[metric][day] = Reading(value, details)
    return {metric: by_metric.get(metric, {}) for metric in METRICS}


def days(start: date, end: date) -> list[date]:
    """Return every date from start to end inclusive."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
