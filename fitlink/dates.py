"""Time zones, a person's local dates, and how far back history goes."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import clock


def zone(name: str | None) -> ZoneInfo:
    """Return the named IANA zone, or UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(tz_name: str | None) -> date:
    """Return today's date in a person's timezone."""
    return clock.now().astimezone(zone(tz_name)).date()


def history_floor(member_since: date | None, today: date, max_days: int) -> date:
    """Return the oldest date to import: member_since, but no more than max_days back from today."""
    cap = today - timedelta(days=max_days - 1)
    return max(cap, member_since) if member_since else cap
