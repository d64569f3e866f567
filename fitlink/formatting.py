"""Template filters that write numbers, durations and times for people."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask


def thousands(value: float | int) -> str:
    """Write a count like 12,345."""
    return f"{round(value):,}"


def duration(minutes: float | int) -> str:
    """Write minutes like 7 h 12 min."""
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def longdate(day: date) -> str:
    """Write a date like Friday 27 November 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def localtime(moment: datetime, tz_name: str, with_date: bool = False) -> str:
    """Write a UTC time in the Fitbit user's timezone, like 14:00 or 27 Nov 14:00."""
    local = moment.astimezone(ZoneInfo(tz_name))
    return f"{local.day} {local:%b %H:%M}" if with_date else f"{local:%H:%M}"


def init_app(app: Flask) -> None:
    """Register the filters."""
    for func in (thousands, duration, longdate, localtime):
        app.add_template_filter(func)
