"""Time values in the Google Health API's JSON forms."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def offset(moment: datetime) -> str:
    """Return a UTC offset as a google.protobuf.Duration string, e.g. "46800s"."""
    return f"{int((moment.utcoffset() or timedelta(0)).total_seconds())}s"


def rfc3339(moment: datetime) -> str:
    """Return an aware time as RFC 3339 in UTC, e.g. "2026-11-01T07:00:00Z"."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_json(day: date) -> dict:
    """Return a google.type.Date: numbers, no leading zeros."""
    return {"year": day.year, "month": day.month, "day": day.day}


def civil(moment: datetime) -> dict:
    """Return a CivilDateTime of a wall-clock time.

    Like any proto3 JSON, zero fields are left out, so midnight has no "time" at all.
    """
    body: dict = {"date": date_json(moment.date())}
    clock = {key: value for key, value in (
        ("hours", moment.hour), ("minutes", moment.minute), ("seconds", moment.second)) if value}
    if clock:
        body["time"] = clock
    return body


def local(day: date, clock: time, zone: str) -> datetime:
    """Return the aware local time of a wall-clock time on a day in a time zone."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def interval(start: datetime, end: datetime) -> dict:
    """Return an ObservationTimeInterval / SessionTimeInterval of two aware local times."""
    return {"startTime": rfc3339(start), "startUtcOffset": offset(start),
            "endTime": rfc3339(end), "endUtcOffset": offset(end),
            "civilStartTime": civil(start), "civilEndTime": civil(end)}


def sample_time(moment: datetime) -> dict:
    """Return an ObservationSampleTime of an aware local time."""
    return {"physicalTime": rfc3339(moment), "utcOffset": offset(moment),
            "civilTime": civil(moment)}
