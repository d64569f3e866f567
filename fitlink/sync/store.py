"""Writes of synced data: every source's rows, and the one value per day the person sees.

Each source's values go to `source_metrics`, one row per person, source,
metric and day. `daily_metrics` holds the value shown for each person, metric
and day: the one from the source with the best (lowest) rank, never a sum of
sources. Both are upserted idempotently on SQLite and PostgreSQL.

The day's detail is kept per source too: minute series (one packed row per
person, source, metric and day), sleep sessions and workouts (replaced for the
days a fetch covered). Which source's detail is shown is decided when a day is
read, by the same ranks.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import minutes
from ..extensions import db
from ..models import DailyMetric, MinuteSeriesRow, SleepRow, SourceMetric, WorkoutRow, now_utc
from ..sources import DayValue, MinuteSeries, Record, SleepSession, Workout, rank

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _upsert(model, rows: list[dict], keys: list[str],
            columns: tuple[str, ...] = ("value", "details", "updated_at")) -> None:
    """Insert rows, or update `columns` of those already stored under `keys`.

    One statement on the table (not the ORM entity), built once per table and dialect
    and executed with every row as its parameters (the driver's executemany). A
    multi-row VALUES statement, as built before, was compiled anew for each call, with
    a bound parameter per value: most of a year's import went there; building the
    statement anew for each call (its `excluded` alias above all) was most of the rest.
    """
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    db.session.execute(_upsert_statement(dialect, model.__table__, tuple(keys), columns), rows)


def _insert(model, rows: list[dict]) -> None:
    """Insert rows with one executemany on the table (as ORM objects they went in one statement each:
    365 for a year of nights)."""
    if rows:
        db.session.execute(insert(model.__table__), rows)


@lru_cache(maxsize=None)
def _upsert_statement(dialect: str, table, keys: tuple[str, ...], columns: tuple[str, ...]):
    statement = _INSERTS[dialect](table)
    updated = {name: statement.excluded[name] for name in columns}
    if table is DailyMetric.__table__:
        updated["source"] = statement.excluded.source
    return statement.on_conflict_do_update(index_elements=list(keys), set_=updated)


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


def save_records(user_id: int, source: str, metric: str, start: date, end: date,
                 records: Iterable[Record]) -> int:
    """Store what one fetch of `metric` from start to end returned (see DataSource.fetch).

    Daily values go to their metric (the fetched one unless they name another); a "sleep"
    fetch replaces the source's sleep sessions ending on those days, an "exercises" fetch
    its workouts starting on them. Records outside start..end are dropped. Not committed;
    returns how many records were stored.
    """
    days: dict[str, list[DayValue]] = defaultdict(list)
    series, sleeps, workouts = [], [], []
    for record in records:
        if not start <= record.day <= end:
            continue
        if isinstance(record, DayValue):
            days[record.metric or metric].append(record)
        elif isinstance(record, MinuteSeries):
            series.append(record)
        elif isinstance(record, SleepSession):
            sleeps.append(record)
        elif isinstance(record, Workout):
            workouts.append(record)
    stored = sum(save_days(user_id, source, name, values) for name, values in days.items())
    stored += save_series(user_id, source, series)
    if metric == "sleep":
        stored += replace_sleep(user_id, source, start, end, sleeps)
    if metric == "exercises":
        stored += replace_workouts(user_id, source, start, end, workouts)
    return stored


def save_series(user_id: int, source: str, series: Iterable[MinuteSeries]) -> int:
    """Store a source's minute series, one packed row per metric and day (replacing the day's). Not committed."""
    now = now_utc()
    rows = [{"user_id": user_id, "source": source, "metric": one.metric, "day": one.day,
             "data": minutes.pack(one.metric, one.values), "updated_at": now}
            for one in series if one.values]
    _upsert(MinuteSeriesRow, rows, ["user_id", "day", "metric", "source"], ("data", "updated_at"))
    return len(rows)


def _offsets(start: datetime, stages) -> list:
    return [[round((stage.start - start).total_seconds()), stage.seconds, stage.level] for stage in stages]


def replace_sleep(user_id: int, source: str, first: date, last: date, sessions: Iterable[SleepSession]) -> int:
    """Make the source's sleep sessions ending from first to last the given ones. Not committed."""
    db.session.execute(delete(SleepRow).where(SleepRow.user_id == user_id, SleepRow.source == source,
                                              SleepRow.day.between(first, last)))
    now = now_utc()
    rows = [{"user_id": user_id, "source": source, "day": one.day, "start": one.start, "end": one.end,
             "main": one.main, "kind": one.type, "minutes_asleep": one.minutes_asleep,
             "stages": _offsets(one.start, one.stages),
             "short_wakes": _offsets(one.start, one.short_wakes) or None, "updated_at": now}
            for one in sessions if first <= one.day <= last]
    _insert(SleepRow, rows)
    return len(rows)


def replace_workouts(user_id: int, source: str, first: date, last: date, workouts: Iterable[Workout]) -> int:
    """Make the source's workouts starting from first to last the given ones. Not committed."""
    db.session.execute(delete(WorkoutRow).where(WorkoutRow.user_id == user_id, WorkoutRow.source == source,
                                                WorkoutRow.day.between(first, last)))
    now = now_utc()
    rows = [{"user_id": user_id, "source": source, "day": one.day, "start": one.start, "seconds": one.seconds,
             "type": one.type[:64], "calories": one.calories, "distance_km": one.distance_km,
             "average_heart_rate": one.average_heart_rate, "steps": one.steps,
             "heart_rate_zones": one.heart_rate_zones, "updated_at": now}
            for one in workouts if first <= one.day <= last]
    _insert(WorkoutRow, rows)
    return len(rows)


def remove_source_rows(user_id: int, source: str) -> None:
    """Delete everything one source brought, and show the next-best source's value where there is one.

    Not committed.
    """
    for model in (MinuteSeriesRow, SleepRow, WorkoutRow):
        db.session.execute(delete(model).where(model.user_id == user_id, model.source == source))
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

