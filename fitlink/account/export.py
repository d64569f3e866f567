"""Everything fitlink holds on a person, as one JSON document written piece by piece."""

import json
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select

from ..archive.models import ArchiveImport
from .. import detail as details
from ..extensions import db
from ..models import Connection, SourceMetric, User

# Connection fields a person may see; tokens and lease bookkeeping are left out.
CONNECTION_FIELDS = (
    "provider", "provider_user_id", "display_name", "timezone", "member_since",
    "distance_unit", "weight_unit", "goals", "broken_at", "created_at",
)
ROWS_PER_FETCH = 1000


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False)


def export_chunks(user: User) -> Iterator[str]:
    """Yield the JSON export of user's account, connections, every source row and archive imports."""
    account = {"email": user.email, "created_at": user.created_at}
    yield '{"format": "fitlink-export-1", "account": ' + _dumps(account)
    connections = db.session.execute(select(Connection).filter_by(user_id=user.id)).scalars()
    yield ', "connections": ' + _dumps(
        [{name: getattr(row, name) for name in CONNECTION_FIELDS} for row in connections]
    )
    yield ', "source_metrics": ['
    rows = db.session.execute(
        select(SourceMetric)
        .filter_by(user_id=user.id)
        .order_by(SourceMetric.source, SourceMetric.metric, SourceMetric.day)
        .execution_options(yield_per=ROWS_PER_FETCH)
    ).scalars()
    for number, row in enumerate(rows):
        yield ("," if number else "") + _dumps({
            "source": row.source, "metric": row.metric, "day": row.day,
            "value": row.value, "details": row.details, "updated_at": row.updated_at,
        })
    yield "]"
    # The day detail of every source, unpacked, a batch of days at a time.
    everything = (date.min, date.max)
    for name, rows in (("minute_series", details.series(user.id, *everything, shown=False)),
                       ("sleep_sessions", details.sleep(user.id, *everything, shown=False)),
                       ("workouts", details.workouts(user.id, *everything, shown=False))):
        yield f', "{name}": ['
        for number, row in enumerate(rows):
            yield ("," if number else "") + _dumps(row)
        yield "]"
    yield ', "archive_imports": ' + _dumps(archive_imports(user.id)) + "}\n"


def archive_imports(user_id: int) -> list[dict]:
    """Return the person's archive imports: when, how far, and what each one found."""
    rows = db.session.execute(select(ArchiveImport).filter_by(user_id=user_id).order_by(ArchiveImport.id))
    return [{**row.as_json(), "created_at": row.created_at, "finished_at": row.finished_at}
            for row in rows.scalars()]
