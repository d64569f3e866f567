"""Per-app runtime state: clients, rate limits, the call log and the database lock."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask import Flask
from oauthlib.oauth1 import WebApplicationServer

EXTENSION = "builtin_fitbit"


class ApiCall(NamedTuple):
    """One data call the service answered: its path and the access token used."""

    path: str
    token: str


class RateStatus(NamedTuple):
    """The outcome of counting one call against a token's budget for the current window."""

    allowed: bool
    limit: int
    remaining: int
    reset: int


class RateLimiter:
    """Count calls per access token in fixed windows of `window` seconds since the epoch.

    The default window of 3600 seconds resets at the top of each UTC hour, as
    Fitbit's does; a shorter one (30 s, say) resets at each multiple of it, and
    the reset header then says the seconds left in that window.
    """

    def __init__(self, limit: int, window: float = 3600) -> None:
        if window <= 0:
            raise ValueError("DEMO_FITBIT_RATE_WINDOW must be a positive number of seconds.")
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, token: str, now: datetime) -> RateStatus:
        """Count one call for this token and say whether it may be served."""
        stamp = now.timestamp()
        current = math.floor(stamp / self.window)
        reset = max(1, math.ceil((current + 1) * self.window - stamp))
        with self._lock:
            window, used = self._windows.get(token, (current, 0))
            if window != current:
                used = 0
            allowed = used < self.limit
            used = used + 1 if allowed else used
            self._windows[token] = (current, used)
        return RateStatus(allowed, self.limit, self.limit - used, reset)


@dataclass
class DemoState:
    """Everything the demo app keeps in memory, stored in app.extensions."""

    clients: dict[str, str]
    limiter: RateLimiter
    clock: Callable[[], datetime]
    oauth: WebApplicationServer
    subscriber_url: str | None = None
    subscriber_id: str = "1"
    calls: list[ApiCall] = field(default_factory=list)
    # One in-memory SQLite connection is shared by all threads, so requests
    # and record_activity take turns on the database.
    db_lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self) -> datetime:
        """Return the service's current time (configurable for tests)."""
        return self.clock()


def demo_state(app: Flask) -> DemoState:
    """Return the demo service state of a demo app."""
    return app.extensions[EXTENSION]


def call_log(app: Flask) -> list[ApiCall]:
    """Return a copy of the data calls served so far, oldest first."""
    return list(demo_state(app).calls)


def reset_call_log(app: Flask) -> None:
    """Forget the data calls served so far."""
    demo_state(app).calls.clear()
