"""Time zones and the Fitbit user's local dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """Return the named IANA zone, or UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(tz_name: str | None) -> date:
    """Return today's date in the Fitbit user's timezone."""
    return datetime.now(zone(tz_name)).date()
