"""What the dashboard says about each connection's sync, read from its sync state only."""

from datetime import date

from ..models import Connection, SyncState, now_utc
from ..sources import Progress


def progress_for(connection: Connection, states: list[SyncState], today: date, floor: date) -> Progress:
    """Summarise one connection's sync state for the dashboard."""
    by_metric = {state.resource: state for state in states}
    wanted = (today - floor).days + 1
    covered = 0
    for state in by_metric.values():
        if state.oldest_synced is None:
            continue
        if state.backfill_done:
            covered += wanted
        else:
            newest = min(state.newest_synced, today)
            covered += max(0, (newest - max(state.oldest_synced, floor)).days + 1)
    done = bool(by_metric) and all(state.backfill_done for state in by_metric.values())
    total = wanted * max(1, len(by_metric))
    now = now_utc()
    waits = [s.next_attempt for s in states if s.next_attempt and s.next_attempt > now]
    successes = [s.last_success for s in states if s.last_success]
    errors = [s.last_error for s in states if s.last_error]
    return Progress(
        percent=100 if done else min(99, covered * 100 // total),
        importing=not done,
        waiting_until=min(waits) if waits else None,
        last_success=max(successes) if successes else None,
        last_error=errors[0] if errors else None,
        broken=connection.broken_at is not None,
    )
