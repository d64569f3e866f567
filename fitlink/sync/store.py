"""Writes of synced data: idempotent upserts on SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import DailyMetric, now_utc
from ..sources import DayValue

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert_days(user_id: int, metric: str, rows: list[DayValue]) -> None:
    """Insert or update one row per (user, metric, day); never duplicate (not committed)."""
    if not rows:
        return
    insert = _INSERTS[db.session.get_bind().dialect.name]
    now = now_utc()
    statement = insert(DailyMetric).values(
        [
            {
                "user_id": user_id,
                "metric": metric,
                "day": row.day,
                "value": row.value,
                "details": row.details,
                "updated_at": now,
            }
            for row in rows
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "metric", "day"],
        set_={
            "value": statement.excluded.value,
            "details": statement.excluded.details,
            "updated_at": statement.excluded.updated_at,
        },
    )
    db.session.execute(statement)
