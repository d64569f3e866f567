"""Month-by-month sums of a long history, kept between page views while nothing has synced.

Ten years are 60,000 rows to sum: more than a year's view costs. The months before last
change only when a sync or an import writes them, and each of those changes the status
stamp (connections, progress, last success: page.Status.stamp, which the live page already
trusts to say "nothing changed"). So the sums of those months are kept per person, stamp
and range, in a small bounded cache on the app; this month and last month (late syncs,
edits) are always summed afresh. A miss sums the whole range in the same two queries.
"""

import threading
from collections import OrderedDict
from datetime import date

from flask import current_app

from .charts import month_number, month_start
from .readings import bucket_stats

ENTRIES = 128  # people's histories kept per process: at most a few hundred KB each
LIVE_MONTHS = 2  # this month and last are always read from the database
_lock = threading.Lock()


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("fitlink.dashboard.history", OrderedDict())


def month_stats(user_id: int, start: date, end: date, goal: float, version: str) -> dict:
    """Return bucket_stats by calendar month for start..end, the months before last from the cache when valid."""
    key = (user_id, version, start, month_number(end), goal)
    with _lock:
        older = _cache().get(key)
        if older is not None:
            _cache().move_to_end(key)
    live_from = max(start, month_start(month_number(end) - LIVE_MONTHS + 1))
    if older is None or live_from == start:
        stats = bucket_stats(user_id, start, end, 1, goal, by_month=True)
        older = {metric: {i: s for i, s in buckets.items() if i >= LIVE_MONTHS} for metric, buckets in stats.items()}
        with _lock:
            cache = _cache()
            cache[key] = older
            while len(cache) > ENTRIES:
                cache.popitem(last=False)
        return stats
    stats = bucket_stats(user_id, live_from, end, 1, goal, by_month=True)
    return {metric: {**older.get(metric, {}), **buckets} for metric, buckets in stats.items()}
