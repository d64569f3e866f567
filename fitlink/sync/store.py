"""Writes of synced data: every source's rows, and the one value per day the person sees.

Each source's values go to `source_metrics`, one row per person, source,
metric and day. `daily_metrics` holds the value shown for each person, metric
and day: the one from the source with the best (lowest) rank, never a sum of
sources. Both are upserted idempotently on SQLite and PostgreSQL.
"""

from collections.abc import Iterable

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import DailyMetric, SourceMetric, now_utc
from ..sources import DayValue, rank

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# Rows per INSERT statement: SQLite allows 32,766 bound values, 8 per row.
BATCH = 2000


def _upsert(model, rows: list[dict], keys: list[str]) -> None:
    if not rows:
        return
    insert = _INSERTS[db.session.get_bind().dialect.name]
    for first in range(0, len(rows), BATCH):
        statement = insert(model).values(rows[first:first + BATCH])
        updated = {name: getattr(statement.excluded, name) for name in ("value", "details", "updated_at")}
        if model is DailyMetric:
            updated["source"] = statement.excluded.source
        db.session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updated))


def save_days(user_id: int, source: str, metric: str, rows: Iterable[DayValue]) -> int:
    """Store a source's values of one metric and show each where no better-ranked source has one.

    Not committed; returns how many rows were stored.
    """
    rows = list(rows)
    if not rows:
        return 0
    now = now_utc()
    stored = [
        {"user_id": user_id, "source": source, "metric": metric, "day": row.day, "value": row.value,
         "details": row.details, "updated_at": now}
        for row in rows
    ]
    _upsert(SourceMetric, stored, ["user_id", "source", "metric", "day"])
    mine = rank(source)
    days = sorted(row.day for row in rows)
    shown_by = dict(db.session.execute(
        select(DailyMetric.day, DailyMetric.source)
        .where(DailyMetric.user_id == user_id, DailyMetric.metric == metric,
               DailyMetric.day.between(days[0], days[-1]))
    ).all())
    _upsert(
        DailyMetric,
        [row for row in stored if row["day"] not in shown_by or rank(shown_by[row["day"]]) >= mine],
        ["user_id", "metric", "day"],
    )
    return len(rows)


def remove_source_rows(user_id: int, source: str) -> None:
    """Delete everything one source brought, and show the next-best source's value where there is one.

    Not committed.
    """
    shown = select(DailyMetric.metric, DailyMetric.day).where(
        DailyMetric.user_id == user_id, DailyMetric.source == source)
    uncovered = set(db.session.execute(shown).all())
    db.session.execute(delete(SourceMetric).where(SourceMetric.user_id == user_id,
                                                  SourceMetric.source == source))
    db.session.execute(delete(DailyMetric).where(DailyMetric.user_id == user_id,
                                                 DailyMetric.source == source))
    if uncovered:
        _show_best(user_id, uncovered)


def _show_best(user_id: int, keys: set[tuple[str, object]]) -> None:
    """Show the best-ranked remaining source's value for each (metric, day) in keys."""
    best: dict[tuple, dict] = {}
    metrics = sorted({metric for metric, _ in keys})
    for metric in metrics:
        days = sorted(day for m, day in keys if m == metric)
        query = select(SourceMetric).where(
            and_(SourceMetric.user_id == user_id, SourceMetric.metric == metric,
                 SourceMetric.day.between(days[0], days[-1])))
        for row in db.session.execute(query).scalars():
            key = (row.metric, row.day)
            if key not in keys:
                continue
            if key not in best or rank(row.source) < rank(best[key]["source"]):
                best[key] = {"user_id": user_id, "source": row.source, "metric": row.metric,
                             "day": row.day, "value": row.value, "details": row.details,
                             "updated_at": row.updated_at}
    _upsert(DailyMetric, list(best.values()), ["user_id", "metric", "day"])

