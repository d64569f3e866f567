"""Per-app runtime state: clients, clock, quota, the call log and pending faults."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from oauthlib.oauth2 import WebApplicationServer

from .behaviours import Behaviours

EXTENSION = "builtin_google_health"
CALL_LOG_SIZE = 10000


@dataclass
class ApiCall:
    """One API call received: method, path, data type, parsed range or filter, token."""

    method: str
    path: str
    data_type: str | None = None
    range: tuple | None = None  # dailyRollUp: (start, end) dates, end exclusive
    filter: str | None = None  # list/reconcile: the filter as sent
    token: str = ""
    fault: str | None = None  # the injected fault that answered it, if any
    at: datetime | None = None  # the service clock when it arrived


class MinuteQuota:
    """Count calls per user in windows that reset at the top of each minute."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def hit(self, user: str, now: datetime) -> bool:
        """Count one call of this user; say whether it is within the quota."""
        minute = math.floor(now.timestamp() / 60)
        with self._lock:
            window, used = self._windows.get(user, (minute, 0))
            if window != minute:
                used = 0
            allowed = used < self.limit
            self._windows[user] = (minute, used + 1 if allowed else used)
        return allowed


@dataclass
class HealthState:
    """Everything the demo app keeps in memory, stored in app.extensions."""

    clients: dict[str, str]
    redirect_uris: tuple[str, ...]
    clock: Callable[[], datetime]
    quota: MinuteQuota
    access_seconds: int
    refresh_days: int
    fault_delay: float
    oauth: WebApplicationServer | None = None
    subscriber_url: str | None = None
    subscriber_secret: str | None = None
    behaviours: Behaviours = field(default_factory=Behaviours)
    signer: object = None  # signing.Signer: the notification signing keys
    # Bounded, so a long-running demo does not grow without end.
    calls: deque = field(default_factory=lambda: deque(maxlen=CALL_LOG_SIZE))
    faults: deque = field(default_factory=deque)
    fault_lock: threading.Lock = field(default_factory=threading.Lock)
    # One in-memory SQLite connection is shared by all threads, so requests
    # and the test hooks take turns on the database.
    db_lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self) -> datetime:
        """Return the service's current time (configurable for tests)."""
        return self.clock()

    def rate_limited_headers(self) -> dict:
        """Return the headers of a 429 answer: Retry-After when the behaviours say so."""
        retry = self.behaviours.retry_after
        return {"Retry-After": retry} if retry is not None else {}


def health_state(app: Flask) -> HealthState:
    """Return the state of a demo Google Health app."""
    return app.extensions[EXTENSION]


def call_log(app: Flask) -> list[ApiCall]:
    """Return the API calls received so far, oldest first."""
    return list(health_state(app).calls)


def reset_call_log(app: Flask) -> None:
    """Forget the API calls received so far."""
    health_state(app).calls.clear()


def inject_faults(app: Flask, status: int | str, count: int = 1) -> None:
    """Make the next `count` API calls fail: an HTTP status, "timeout" or "garbage"."""
    if not (isinstance(status, int) and 400 <= status <= 599) and status not in (
            "timeout", "garbage"):
        raise ValueError("A fault is an HTTP error status, \"timeout\" or \"garbage\".")
    state = health_state(app)
    with state.fault_lock:
        state.faults.extend([status] * count)


def next_fault(state: HealthState) -> int | str | None:
    """Take the next pending fault, if any."""
    with state.fault_lock:
        return state.faults.popleft() if state.faults else None
