"""Date ranges the dashboard and exports show: parsed from query strings, never failing.

The dashboard offers the last 7, 30, 90 or 365 days, "all" (back to the first day held)
and a custom From/To range. A bad custom range is answered with a message and the default.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

RANGES = (7, 30, 90, 365)
DEFAULT_RANGE = 30
ALL = "all"
# The longest custom range: a century of buckets would be neither readable nor bounded work.
MAX_CUSTOM_YEARS = 30
EARLIEST = date(1990, 1, 1)


@dataclass(frozen=True)
class Period:
    """An inclusive run of the person's local dates."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Return how many dates the period holds."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Choice:
    """What the person asked the trends to show: a number of days, "all", or From/To dates.

    `error` says why a custom range was refused (the default is shown instead);
    `query` is what links and the live endpoint pass on to show the same range.
    """

    days: int | None = DEFAULT_RANGE
    all: bool = False
    start: date | None = None
    end: date | None = None
    error: str | None = None
    given: dict = field(default_factory=dict)  # the From/To text as typed, to fill the form again

    @property
    def custom(self) -> bool:
        return self.start is not None

    @property
    def query(self) -> dict[str, str]:
        if self.custom:
            return {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"range": ALL if self.all else str(self.days)}


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
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def custom_error(start: date | None, end: date | None, given: Mapping[str, str], today: date) -> str | None:
    """Return why From/To cannot be shown, or None when they can."""
    for name, value in (("From", start), ("To", end)):
        if value is None:
            text = (given.get(name.lower()) or "").strip()
            return f"{name} date {text!r} is not a date like 2026-01-31." if text else f"Choose a {name} date."
    if start > end:
        return "The From date must be on or before the To date."
    if start < EARLIEST or end > today + timedelta(days=1):
        return f"Choose dates between {EARLIEST:%d %b %Y} and today."
    if end.year - start.year > MAX_CUSTOM_YEARS:
        return f"A range can span at most {MAX_CUSTOM_YEARS} years; for everything choose All."
    return None


def choose(args: Mapping[str, str], today: date) -> Choice:
    """Read ?range= (7, 30, 90, 365 or all) or ?from=&to= into what the trends show."""
    if "from" in args or "to" in args:
        given = {"from": (args.get("from") or "")[:40], "to": (args.get("to") or "")[:40]}
        start, end = parse_date(given["from"].strip()), parse_date(given["to"].strip())
        error = custom_error(start, end, given, today)
        if error is None:
            return Choice(days=None, start=start, end=min(end, today), given=given)
        return Choice(error=error, given=given)
    if (args.get("range") or "").lower() == ALL:
        return Choice(days=None, all=True)
    return Choice(days=range_days(args.get("range")))


def shown_period(choice: Choice, today: date, first_held: date | None) -> Period:
    """Return the dates the trends cover: the last days, From/To, or the first day held to today."""
    if choice.custom:
        return Period(choice.start, choice.end)
    if choice.all:
        return Period(min(first_held or today, today), today)
    return last_days(today, choice.days)


def export_period(args: Mapping[str, str], today: date) -> Period:
    """Return ?start=&end= when both are valid dates in order, else the ?range= ending today."""
    start, end = parse_date(args.get("start")), parse_date(args.get("end"))
    if start and end and start <= end and end.year - start.year <= MAX_CUSTOM_YEARS + 1:
        return Period(start, end)
    return last_days(today, range_days(args.get("range")))
