"""The archive's time zone: Profile.csv's name to a zoneinfo zone, and instants to local days."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

UTC = ZoneInfo("UTC")
MINUTES_PER_DAY = 1440


def resolve_zone(name: str | None, fallback: ZoneInfo = UTC) -> tuple[ZoneInfo, str | None]:
    """Return the zone Profile.csv names (IANA or Windows), and a note when fallback stands in for it."""
    name = (name or "").strip()
    if not name:
        return fallback, f"Profile.csv names no time zone: days are counted in {fallback.key}."
    # Some accounts carry a Windows zone name ("Pacific Standard Time") rather than an IANA one.
    for candidate in (name, win_tz.get(name)):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate), None
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return fallback, f"Unknown time zone {name!r} in Profile.csv: days are counted in {fallback.key}."


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
    """Map UTC stamps to local days by a zone plan (zonefit.Plan), fast: one cached answer per bucket.

    Minute data is bucketed by the start of a stamp (the hour, or the minute when
    any zone in use has offsets with minutes) before it reaches here, so each
    bucket is converted once. An instant belongs to the local day of the first
    zone (earliest stretch first) whose day it falls on is that zone's day.
    """

    def __init__(self, plan):
        self.plan = plan
        self.zones = plan.zones()
        self.zone = plan.default
        whole = all(whole_hour_offsets(zone) for zone in self.zones)
        self.key_length = 11 if whole else 14  # "MM/DD/YY HH" or "MM/DD/YY HH:MM"
        self._days: dict[str, date] = {}
        self._starts: dict[str, tuple[date, int]] = {}

    def local_day(self, key: str) -> date:
        """Return the local date of the UTC instant a bucket key starts at."""
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = self.local_day_of(parse_stamp(key).replace(tzinfo=timezone.utc))
        return day

    def local_minute(self, key: str) -> tuple[date, int]:
        """Return the local date and wall-clock minute of the day (hour * 60 + minute) of a UTC
        minute key "MM/DD/YY HH:MM"; the conversion is worked out once per bucket (key_length)."""
        bucket = key[:self.key_length]
        start = self._starts.get(bucket)
        if start is None:
            local = self.local_time(parse_stamp(bucket).replace(tzinfo=timezone.utc))
            start = self._starts[bucket] = (local.date(), local.hour * 60 + local.minute)
        day, minute = start
        if self.key_length == 11:
            minute += int(key[12:14])
            if minute >= MINUTES_PER_DAY:  # an offset with minutes: the hour runs past local midnight
                return day + timedelta(days=1), minute - MINUTES_PER_DAY
        return day, minute

    def local_day_of(self, moment: datetime) -> date:
        """Return the local date of an aware instant."""
        return self.local_time(moment).date()

    def local_time(self, moment: datetime) -> datetime:
        """Return the local wall-clock time (naive) of an aware instant, in the zone of its local day."""
        if len(self.zones) == 1:
            return moment.astimezone(self.zones[0]).replace(tzinfo=None)
        for zone in self.zones:
            local = moment.astimezone(zone)
            if self.plan.zone_for(local.date()) == zone:
                return local.replace(tzinfo=None)
        return moment.astimezone(self.plan.default).replace(tzinfo=None)

    def forget(self) -> None:
        """Drop the caches (between families, so they never grow past one family's span)."""
        self._days.clear()
        self._starts.clear()
