"""Which date ranges to fetch: each endpoint's longest range, newest data first."""

from dataclasses import dataclass
from datetime import date, timedelta

from ..models import SyncState
from ..sources import DETAILS

# Sources keep changing "today" and "yesterday": refresh re-fetches a day of overlap.
OVERLAP = timedelta(days=1)


@dataclass(frozen=True)
class Chunk:
    """One call's worth of one metric."""

    metric: str
    start: date
    end: date
    backfill: bool


def chunks(metric: str, state: SyncState, today: date, floor: date, longest: int,
           refresh: bool = True) -> list[Chunk]:
    """Return the calls that bring this metric up to today (when `refresh`) and back to floor."""
    planned = []
    if refresh and state.newest_synced is not None:
        start = max(state.newest_synced - OVERLAP, floor)
        planned += _split(metric, start, today, longest, backfill=False, newest_first=False)
    if not state.backfill_done:
        end = (state.oldest_synced - timedelta(days=1)) if state.oldest_synced else today
        if end >= floor:
            planned += _split(metric, floor, end, longest, backfill=True, newest_first=True)
    return planned


def _split(metric, start, end, longest, *, backfill, newest_first) -> list[Chunk]:
    pieces = []
    step = timedelta(days=longest)
    if newest_first:
        while end >= start:
            piece_start = max(start, end - step + timedelta(days=1))
            pieces.append(Chunk(metric, piece_start, end, backfill))
            end = piece_start - timedelta(days=1)
    else:
        while start <= end:
            piece_end = min(end, start + step - timedelta(days=1))
            pieces.append(Chunk(metric, start, piece_end, backfill))
            start = piece_end + timedelta(days=1)
    return pieces


def order(planned: list[Chunk]) -> list[Chunk]:
    """Refreshes first, daily values before the day's detail; then backfill across all daily
    metrics from the newest range back, then the detail's."""
    return sorted(planned, key=lambda chunk: (chunk.backfill, chunk.backfill and chunk.metric in DETAILS,
                                              -chunk.end.toordinal(), chunk.metric in DETAILS))


def minimum_calls(days: int, longest_by_metric: dict[str, int]) -> int:
    """Return the fewest calls that cover `days` days of every metric."""
    return sum(-(-days // longest) for longest in longest_by_metric.values())
