"""The archive's time zone: Profile.csv's name to a zoneinfo zone, and instants to local days."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

UTC = ZoneInfo("UTC")


def resolve_zone(name: str | None) -> tuple[ZoneInfo, str | None]:
    """Return the zone Profile.csv names (IANA or Windows), and a note when UTC stands in for it."""
    name = (name or "").strip()
    if not name:
        return UTC, "Profile.csv names no time zone: days are counted in UTC."
    # Some accounts carry a Windows zone name ("Pacific Standard Time") rather than an IANA one.
    for candidate in (name, win_tz.get(name)):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate), None
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC, f"Unknown time zone {name!r} in Profile.csv: days are counted in UTC."


def whole_hour_offsets(zone: ZoneInfo, first_year: int = 2008, last_year: int = 2040) -> bool:
    """Tell whether the zone's offset was a whole number of hours at every moment of those years."""
    # Offsets with minutes (India, Nepal, Lord Howe's summer) last months, so two samples a month find them.
    moment = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    end = datetime(last_year, 1, 1, tzinfo=timezone.utc)
    while moment < end:
        if moment.astimezone(zone).utcoffset().total_seconds() % 3600:
            return False
        moment += timedelta(days=15)
    return True


def parse_stamp(stamp: str) -> datetime:
    """Parse a Global Export Data stamp "MM/DD/YY HH:MM:SS", or its start ("MM/DD/YY HH"), naive (20YY)."""
    hour = int(stamp[9:11]) if len(stamp) > 9 else 0
    minute = int(stamp[12:14]) if len(stamp) > 12 else 0
    return datetime(2000 + int(stamp[6:8]), int(stamp[0:2]), int(stamp[3:5]), hour, minute)


class Clock:
    """Map UTC stamps to local days in one zone, fast: one cached answer per UTC hour.

    Minute data is bucketed by the start of a stamp (the hour, or the minute in zones
    with half-hour offsets) before it reaches here, so each bucket is converted once.
    """

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.key_length = 11 if whole_hour_offsets(zone) else 14  # "MM/DD/YY HH" or "MM/DD/YY HH:MM"
        self._days: dict[str, date] = {}

    def local_day(self, key: str) -> date:
        """Return the local date of the UTC instant a bucket key starts at."""
        day = self._days.get(key)
        if day is None:
            moment = parse_stamp(key).replace(tzinfo=timezone.utc)
            day = self._days[key] = moment.astimezone(self.zone).date()
        return day

    def forget(self) -> None:
        """Drop the cache (between families, so it never grows past one family's span)."""
        self._days.clear()
