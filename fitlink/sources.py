"""The small interface every data source implements, and the metrics fitlink keeps."""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

# The metrics fitlink stores, one row per user, metric and local date.
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


# What a push notification's collection says may have changed.
COLLECTION_METRICS = {
    "activities": (
        "steps", "distance", "calories", "floors",
        "very_active_minutes", "fairly_active_minutes", "resting_heart_rate",
    ),
    "sleep": ("sleep",),
    "body": ("weight",),
}


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
    """One metric's value on one local date, with optional detail (sleep stages, BMI)."""

    day: date
    value: float
    details: dict | None = field(default=None)


class DataSource(Protocol):
    """A source of one user's data: the profile and a metric over a date range."""

    def profile(self) -> Profile:
        """Return the account's profile."""

    def goals(self, today: date) -> dict:
        """Return the account's daily goals, such as {"steps": 10000}."""

    def max_days(self, metric: str) -> int:
        """Return the longest date range one fetch of metric may cover."""

    def fetch(self, metric: str, start: date, end: date) -> list[DayValue]:
        """Return the metric's values from start to end (inclusive), days without data left out."""
