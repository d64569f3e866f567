"""Date ranges the dashboard and exports show: parsed from query strings, never failing."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

RANGES = (7, 30, 90, 365)
DEFAULT_RANGE = 30


@dataclass(frozen=True)
class Period:
    """An inclusive run of the person's local dates."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Return how many dates the period holds."""
        return (self.end - self.start).days + 1


def range_days(value: str | None) -> int:
    """Return the chosen range in days; anything not offered means the default."""
    try:
        days = int(value or "")
    except ValueError:
        return DEFAULT_RANGE
    return days if days in RANGES else DEFAULT_RANGE


def last_days(today: date, days: int) -> Period:
    """Return the period of `days` dates ending today."""
    return Period(today - timedelta(days=days - 1), today)


def parse_date(value: str | None) -> date | None:
    """Read a YYYY-MM-DD date, or None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def export_period(args: Mapping[str, str], today: date) -> Period:
    """Return ?start=&end= when both are valid dates in order, else the ?range= ending today."""
    start, end = parse_date(args.get("start")), parse_date(args.get("end"))
    if start and end and start <= end:
        return Period(start, end)
    return last_days(today, range_days(args.get("range")))
