"""Clean up list answers before reading values: skip what cannot be read, keep one point per record.

`list` returns one data point per data source: a night or weigh-in recorded by a
Fitbit device can come back again as a Health Connect mirror of it (as public
clients of the live API report). fitlink keeps one point per
record, the record being the moment it describes (a weigh-in's sample time, a
session's start), and prefers the device's own point: `source_rank` orders a
point by its `dataSource`: platform FITBIT first, then a point naming a device,
then anything else (a Health Connect mirror, an app's entry). Values are
averaged or chosen only after that, so nothing is counted twice.

One malformed point is logged and skipped; the rest of the page is kept (an
answer none of whose points can be read is a wrong shape, and fails as before).
"""

import logging
from collections.abc import Callable, Iterable, Iterator

log = logging.getLogger(__name__)

DEVICE_PLATFORMS = ("FITBIT",)
MIRROR_PLATFORMS = ("HEALTH_CONNECT",)
READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def source_rank(point: dict) -> int:
    """Return 0 for the Fitbit device's own point, 1 for another device's, 2 for a mirror or an entry."""
    source = point.get("dataSource") if isinstance(point.get("dataSource"), dict) else {}
    platform = source.get("platform")
    if platform in DEVICE_PLATFORMS:
        return 0
    if source.get("device") and platform not in MIRROR_PLATFORMS:
        return 1
    return 2


def readable(points: Iterable, read: Callable, what: str) -> Iterator[tuple[dict, object]]:
    """Yield (point, read(point)) for every point read without error; log and skip the others.

    When no point at all can be read, the answer is not the shape fitlink knows: raise ValueError.
    """
    skipped = total = 0
    for point in points:
        total += 1
        try:
            value = read(point)
        except READ_ERRORS as err:
            skipped += 1
            if skipped == 1:
                # The error's type only: its text may quote a person's health data.
                log.warning("Google Health %s: skipped a data point fitlink could not read (%s)", what,
                            type(err).__name__)
            continue
        if value is not None:
            yield point, value
    if skipped and skipped == total:
        raise ValueError(f"none of the {total} {what} data points could be read")
    if skipped > 1:
        log.warning("Google Health %s: skipped %d data points in all", what, skipped)


def distinct(pairs: Iterable[tuple[dict, object]], record: Callable[[object], object]) -> list:
    """Keep one value per record (record(value) names it): the best-ranked source's."""
    best: dict[object, tuple[int, object]] = {}
    for point, value in pairs:
        key, rank = record(value), source_rank(point)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, value)
    return [value for _, value in best.values()]
