"""Parse the date and period parts of data URLs and check range limits."""

from __future__ import annotations

import re
from datetime import date, timedelta

PERIODS = {"1d": 1, "7d": 7, "30d": 30, "1w": 7, "1m": 30, "3m": 91, "6m": 182, "1y": 365}
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class ValidationFailure(Exception):
    """A request the service refuses with a 400 "validation" error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_day(text: str, today: date, field: str = "date") -> date:
    """Return the date named by YYYY-MM-DD or "today"."""
    if text == "today":
        return today
    try:
        if DATE_PATTERN.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationFailure(field, f"Invalid date: {text}. The date must be yyyy-MM-dd or today.")


def parse_range(first: str, second: str, today: date, max_days: int) -> tuple[date, date]:
    """Return (start, end) for start/end or date/period, within max_days inclusive."""
    if second in PERIODS:
        end = parse_day(first, today)
        start = end - timedelta(days=PERIODS[second] - 1)
    else:
        start = parse_day(first, today, "startDate")
        end = parse_day(second, today, "endDate")
    if end < start:
        raise ValidationFailure("endDate", "The end date must not be before the start date.")
    if (end - start).days + 1 > max_days:
        raise ValidationFailure(
            "endDate", f"The date range is too long: at most {max_days} days per request.")
    return start, end
