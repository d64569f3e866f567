"""The one clock: every "now" of fitlink, its jobs and its built-in services comes from here.

In production it is the system clock. Tests move it for the whole process, so the
app, its job threads and the built-in services in the same process agree on the
date: ``travel_to`` keeps time running from another instant (the suite runs at
several dates this way), ``freeze`` stops it, ``use`` takes any callable.
Elapsed-time measures (rate-limit windows, leases' monotonic waits, heartbeats)
keep using ``time``: they are about durations, not dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

_source: Callable[[], datetime] | None = None


def system_now() -> datetime:
    """Return the real current time in UTC."""
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    moment = _source() if _source is not None else system_now()
    return moment.astimezone(timezone.utc)


def use(source: Callable[[], datetime] | None) -> None:
    """Make every "now" come from source (None: the system clock again)."""
    global _source
    _source = source


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("The clock takes timezone-aware times only.")
    return moment


def travel_to(moment: datetime) -> None:
    """Move the clock to moment and let it run on from there."""
    offset = _aware(moment) - system_now()
    use(lambda: system_now() + offset)


def freeze(moment: datetime) -> None:
    """Stop the clock at moment."""
    _aware(moment)
    use(lambda: moment)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Stop the clock at moment for the block, then put back the clock that ran before."""
    previous = _source
    freeze(moment)
    try:
        yield
    finally:
        use(previous)

