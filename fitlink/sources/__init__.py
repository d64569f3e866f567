"""The interface every data source implements, and the metrics fitlink keeps.

A source package (fitbit/, google_health/, archive/) builds a `SourceKind` and
the app factory registers it (one line in fitlink/__init__.py). The sync
engine, the jobs and the dashboard know sources only through this module: the
kind's name, label and precedence, `open(connection)` for a live `DataSource`,
and the errors below. Nothing here imports a source package.
"""

from .interface import (
    DETAILS, METRICS, MINUTE_DETAILS, SERIES, SYNCED, UNITS, BadPayload, Budget, DataSource, DayValue, MinuteSeries,
    NotSetUp, Profile, Progress, ProviderError, RateLimited, Record, SleepSession, SleepStage, SourceError,
    TokenRejected, Workout, describe,
)
from .registry import SourceKind, get, init_app, kinds, live_names, rank, registered

__all__ = [
    "DETAILS", "MINUTE_DETAILS", "SERIES", "SYNCED", "UNITS", "MinuteSeries", "Record", "SleepSession", "SleepStage",
    "Workout", "METRICS", "BadPayload", "Budget", "DataSource", "DayValue", "NotSetUp", "Profile", "Progress", "ProviderError",
    "RateLimited", "SourceError", "SourceKind", "TokenRejected", "describe", "get", "init_app", "kinds", "live_names",
    "rank", "registered",
]
