"""What the dashboard says about a user's sync, read from the sync state only."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import OAuth, SyncState, now_utc
from ..sources import METRICS


@dataclass(frozen=True)
class Progress:
    """How far the import is, and whether it waits or failed."""

    percent: int
    importing: bool
    waiting_until: datetime | None
    last_success: datetime | None
    last_error: str | None
    broken: bool


def progress_for(link: OAuth, today: date, floor: date) -> Progress:
    """Summarise the user's sync state for the dashboard."""
    states = {
        state.resource: state
        for state in db.session.execute(select(SyncState).filter_by(user_id=link.user_id)).scalars()
    }
    wanted = (today - floor).days + 1
    covered = 0
    for metric in METRICS:
        state = states.get(metric)
        if state is None or state.oldest_synced is None:
            continue
        if state.backfill_done:
            covered += wanted
        else:
            newest = min(state.newest_synced, today)
            covered += max(0, (newest - max(state.oldest_synced, floor)).days + 1)
    total = wanted * len(METRICS)
    done = all(states.get(m) is not None and states[m].backfill_done for m in METRICS)
    now = now_utc()
    waits = [s.next_attempt for s in states.values() if s.next_attempt and s.next_attempt > now]
    successes = [s.last_success for s in states.values() if s.last_success]
    errors = [s.last_error for s in states.values() if s.last_error]
    return Progress(
        percent=100 if done else min(99, covered * 100 // total),
        importing=not done,
        waiting_until=min(waits) if waits else None,
        last_success=max(successes) if successes else None,
        last_error=errors[0] if errors else None,
        broken=link.broken_at is not None,
    )
