"""Runtime helpers both built-in services use: their clock and their database lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from fitlink import clock


def make_clock(setting: object, key: str) -> Callable[[], datetime]:
    """Turn the `key` setting (None, an aware datetime or a callable) into a clock."""
    if setting is None:
        return clock.now
    if isinstance(setting, datetime):
        if setting.tzinfo is None:
            raise ValueError(f"{key} must be timezone-aware.")
        return lambda: setting
    if callable(setting):
        return setting
    raise TypeError(f"{key} must be a datetime or a callable.")


class LockedWSGI:
    """Serve one request at a time so threads never share a database transaction."""

    def __init__(self, wsgi_app: Callable, lock: threading.RLock) -> None:
        self.wsgi_app = wsgi_app
        self.lock = lock

    def __call__(self, environ: dict, start_response: Callable):
        with self.lock:
            return self.wsgi_app(environ, start_response)
