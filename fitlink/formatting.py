"""Numbers, units, durations, dates and times written for people (also Jinja filters)."""

from datetime import date, datetime, timezone

from flask import Flask

from .dates import local_today, zone

KM_PER_MILE = 1.609344
LB_PER_KG = 2.20462262185


def metric(unit_system: str | None) -> bool:
    """Tell whether a profile's unit setting ("METRIC", "en_US", "en_GB") means metric."""
    return (unit_system or "METRIC").upper() == "METRIC"


def distance_in(km: float, unit_system: str | None) -> float:
    """Convert kilometres to the profile's unit (miles unless METRIC)."""
    return km if metric(unit_system) else km / KM_PER_MILE


def distance_unit(unit_system: str | None) -> str:
    """Return the short name of the profile's distance unit."""
    return "km" if metric(unit_system) else "mi"


def weight_in(kg: float, unit_system: str | None) -> float:
    """Convert kilograms to the profile's unit (pounds unless METRIC)."""
    return kg if metric(unit_system) else kg * LB_PER_KG


def weight_unit(unit_system: str | None) -> str:
    """Return the short name of the profile's weight unit."""
    return "kg" if metric(unit_system) else "lb"


def thousands(value: float | int) -> str:
    """Write a count like 12,345."""
    return f"{round(value):,}"


def decimal(value: float, places: int = 1) -> str:
    """Write a measurement like 1,234.5."""
    return f"{value:,.{places}f}"


def duration(minutes: float | int) -> str:
    """Write minutes like 7 h 12 min."""
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def signed(value: float, places: int = 1) -> str:
    """Write a difference like +0.4 or −0.3 (a true minus sign), 0.0 without a sign."""
    text = f"{abs(value):,.{places}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


# How each daily metric's value is written, and its unit as a person reads it (values stored metric).
METRIC_TEXT = {
    "hrv": (thousands, "ms"),
    "spo2": (decimal, "%"),
    "breathing_rate": (decimal, "breaths/min"),
    "skin_temperature": (signed, "°C"),
    "vo2max": (decimal, "mL/kg/min"),
    "active_zone_minutes": (thousands, "min"),
    "lightly_active_minutes": (thousands, "min"),
    "sedentary_minutes": (duration, ""),
    "body_fat": (decimal, "%"),
}


def metric_value(metric: str, value: float) -> str:
    """Write one of the newer metrics' value as the dashboard shows it (without the unit)."""
    fmt, _ = METRIC_TEXT.get(metric, (decimal, ""))
    return fmt(value)


def metric_unit(metric: str) -> str:
    """Return the unit shown beside a newer metric's value ("" where the text says it)."""
    return METRIC_TEXT.get(metric, (None, ""))[1]


def longdate(day: date) -> str:
    """Write a date like Friday 27 November 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def shortdate(day: date) -> str:
    """Write a date like 27 Nov."""
    return f"{day.day} {day:%b}"


def as_utc(moment: datetime) -> datetime:
    """Read a naive time (SQLite drops the zone) as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def localtime(moment: datetime, tz_name: str | None, with_date: bool = False) -> str:
    """Write a UTC time in the person's time zone, like 14:00 or 27 Nov 14:00."""
    local = as_utc(moment).astimezone(zone(tz_name))
    return f"{local.day} {local:%b %H:%M}" if with_date else f"{local:%H:%M}"


def updated(moment: datetime | None, tz_name: str | None, today: date) -> str:
    """Write when a value last changed: "today 14:05", "yesterday 08:10" or "3 Nov 2025 14:05"."""
    if moment is None:
        return "never"
    local = as_utc(moment).astimezone(zone(tz_name))
    clock = f"{local:%H:%M}"
    gap = (today - local.date()).days
    if gap == 0:
        return f"today {clock}"
    if gap == 1:
        return f"yesterday {clock}"
    if local.year == today.year:
        return f"{local.day} {local:%b} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def init_app(app: Flask) -> None:
    """Register the filters."""
    for func in (thousands, decimal, signed, duration, longdate, shortdate, localtime, updated):
        app.add_template_filter(func)
    app.add_template_filter(local_today, "today_in")
