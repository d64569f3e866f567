"""Month-by-month sums of a long history, and the charts drawn from them, kept while nothing has synced.

Ten years are 60,000 rows to sum and 1,800 table rows to shape: more than a year's view
costs. The months before last change only when a sync or an import writes them, and each
of those changes the status stamp (connections, progress, last success: page.Status.stamp,
which the live page already trusts to say "nothing changed"). So, per person, stamp and
range, those months' sums are kept in a small bounded cache on the app; this month and
last month (late syncs, edits) are always summed afresh, and the charts drawn last time
are reused only when those fresh sums, and everything else the charts show, are unchanged.
A miss sums the whole range in the same two queries.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from .charts import month_number, month_start
from .readings import bucket_stats

ENTRIES = 32  # histories kept per process: a few hundred KB each with their charts
LIVE_MONTHS = 2  # this month and last are always read from the database
_lock = threading.Lock()


@dataclass
class Kept:
    """One person's long history as last read: older months' sums, the live months', the charts drawn."""

    older: dict
    live: dict
    charts: list | None = None
    drawn_with: tuple = field(default_factory=tuple)  # what else the charts depended on (units, last weight)


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("fitlink.dashboard.history", OrderedDict())


def _split(stats: dict) -> tuple[dict, dict]:
    older = {metric: {i: s for i, s in buckets.items() if not 0 <= i < LIVE_MONTHS}
             for metric, buckets in stats.items()}
    live = {metric: {i: s for i, s in buckets.items() if 0 <= i < LIVE_MONTHS} for metric, buckets in stats.items()}
    return older, live


def month_stats(user_id: int, start: date, drawn_from: date, end: date, goal: float,
                version: str) -> tuple[dict, Kept]:
    """Return bucket_stats by calendar month for start..end, drawn from drawn_from (two queries), and what is kept."""
    key = (user_id, version, start, drawn_from, month_number(end), goal)
    with _lock:
        kept = _cache().get(key)
        if kept is not None:
            _cache().move_to_end(key)
    live_from = max(drawn_from, month_start(month_number(end) - LIVE_MONTHS + 1))
    if kept is None or live_from == drawn_from:
        stats = bucket_stats(user_id, start, end, 1, goal, by_month=True, drawn_from=drawn_from)
        kept = Kept(*_split(stats))
        with _lock:
            cache = _cache()
            cache[key] = kept
            while len(cache) > ENTRIES:
                cache.popitem(last=False)
        return stats, kept
    live = bucket_stats(user_id, live_from, end, 1, goal, by_month=True)
    if live != kept.live:
        kept.live, kept.charts = live, None
    return {metric: {**kept.older.get(metric, {}), **buckets} for metric, buckets in live.items()}, kept


def kept_charts(kept: Kept, drawn_with: tuple, draw) -> list:
    """Return the charts drawn from the kept history, drawing them (draw()) when anything they show changed."""
    if kept.charts is None or kept.drawn_with != drawn_with:
        kept.charts, kept.drawn_with = draw(), drawn_with
    return kept.charts
