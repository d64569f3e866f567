"""What a data source is: the metrics fitlink keeps, the shapes a source returns, its errors."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

# The metrics fitlink stores, one value per person, metric and local date.
METRICS = (
    "steps",
    "distance",
    "calories",
    "floors",
    "very_active_minutes",
    "fairly_active_minutes",
    "resting_heart_rate",
    "sleep",
    "weight",
)


@dataclass(frozen=True)
class Profile:
    """Who the account belongs to and how to read its dates and units."""

    user_id: str
    display_name: str | None
    timezone: str
    member_since: date | None
    distance_unit: str = "METRIC"
    weight_unit: str = "METRIC"


@dataclass(frozen=True)
class DayValue:
    """One metric's value on one local date, with optional detail (sleep stages, BMI).

    Units are always metric: km, kcal, minutes, bpm, kg; sleep is minutes asleep.
    """

    day: date
    value: float
    details: dict | None = field(default=None)


@dataclass
class Budget:
    """What the provider said last about its rate limit for this user."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    def reserve(self) -> int:
        """Return the calls background syncs leave for the person's own: a tenth of the limit, rounded down."""
        return (self.limit or 0) // 10


@dataclass(frozen=True)
class Progress:
    """How far a connection's import is, and whether it waits or failed, as the dashboard shows it."""

    percent: int
    importing: bool
    waiting_until: datetime | None
    last_success: datetime | None
    last_error: str | None
    broken: bool
    detail: str | None = None  # e.g. "12 of 40 files read, 1,234 days found"


class SourceError(Exception):
    """Something went wrong talking to a source."""


class TokenRejected(SourceError):
    """The provider no longer accepts the stored grant: the person must connect again."""


class RateLimited(SourceError):
    """The provider said to slow down; retry after `retry_at`."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


class ProviderError(SourceError):
    """The provider failed: a 5xx answer, a time-out or a broken connection."""


class BadPayload(SourceError):
    """The provider answered with something that is not what its API documents."""


class NotSetUp(SourceError):
    """The account exists but has no data to give until the person sets it up (said to them as is)."""


def describe(err: SourceError, label: str) -> str:
    """Say in plain words what a source's error means, e.g. "Fitbit did not answer"."""
    if isinstance(err, NotSetUp):
        return str(err)
    if isinstance(err, RateLimited):
        return f"{label}'s rate limit is reached for now"
    if isinstance(err, TokenRejected):
        return f"{label} refused fitlink's access"
    if isinstance(err, BadPayload):
        return f"{label} sent data fitlink could not read"
    return f"{label} did not answer"


class DataSource(Protocol):
    """One connection's data: the profile, goals, and each metric over a date range."""

    budget: Budget | None

    def profile(self) -> Profile:
        """Return the account's profile."""

    def goals(self, today: date) -> dict:
        """Return the account's daily goals, such as {"steps": 10000}; {} when it has none."""

    def metrics(self) -> tuple[str, ...]:
        """Return the metrics (names from METRICS) this source can fetch."""

    def max_days(self, metric: str) -> int:
        """Return the longest date range one fetch of metric may cover."""

    def fetch(self, metric: str, start: date, end: date) -> list[DayValue]:
        """Return the metric's values from start to end (inclusive), days without data left out."""

    def close(self) -> None:
        """Release the HTTP session."""
