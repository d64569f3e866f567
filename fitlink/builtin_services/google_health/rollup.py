"""dailyRollUp: parse the request, check its limits and sum the days per window."""

from __future__ import annotations

from datetime import date, timedelta

from .catalog import DataType
from .errors import invalid_argument
from .paging import MAX_PAGE_SIZE, page_size
from .times import date_json
from .values import daily_amounts

STEP_TYPES = ("steps", "distance", "floors")
FIELDS = {"range", "windowSizeDays", "pageSize", "pageToken", "dataSourceFamily"}
FAMILIES = {f"users/me/dataSourceFamilies/{name}" for name in (
    "all-sources", "google-wearables", "google-sources", "self-sources")}


def _number(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_argument(f"Invalid value at '{name}' (TYPE_INT32): {value!r}")
    return value


def _civil_date(value: object, name: str) -> date:
    """Return the date of a CivilDateTime; its time must be midnight (window alignment)."""
    if not isinstance(value, dict) or not isinstance(value.get("date"), dict):
        raise invalid_argument(f"{name}.date is required.")
    if set(value) - {"date", "time"}:
        raise invalid_argument(f"Invalid JSON payload received. Unknown name in {name}.")
    parts = value["date"]
    try:
        day = date(*(_number(parts.get(key), f"{name}.date.{key}")
                     for key in ("year", "month", "day")))
    except ValueError:
        raise invalid_argument(f"{name}.date is not a valid calendar date.") from None
    clock = value.get("time") or {}
    if not isinstance(clock, dict) or any(clock.get(key) for key in (
            "hours", "minutes", "seconds", "nanos")):
        raise invalid_argument(f"{name} must be aligned with the aggregation window "
                               "(midnight).")
    return day


def parse_request(body: object, data_type: DataType) -> dict:
    """Return the checked fields of a DailyRollUpDataPointsRequest."""
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    unknown = set(body) - FIELDS
    if unknown:
        raise invalid_argument(f'Invalid JSON payload received. Unknown name "{min(unknown)}".')
    span = body.get("range")
    if not isinstance(span, dict):
        raise invalid_argument("range is required.")
    start, end = _civil_date(span.get("start"), "range.start"), _civil_date(
        span.get("end"), "range.end")
    if end <= start:
        raise invalid_argument("range.end must be after range.start.")
    if (end - start).days > data_type.rollup_max_days:
        raise invalid_argument(f"The maximum range for {data_type.id} is "
                               f"{data_type.rollup_max_days} days.")
    window = _number(body.get("windowSizeDays") or 1, "windowSizeDays")
    if window < 1:
        raise invalid_argument("windowSizeDays must be positive.")
    family = body.get("dataSourceFamily") or None
    if family is not None and family not in FAMILIES:
        raise invalid_argument(f"Unsupported dataSourceFamily: {family!r}.")
    return {"start": start, "end": end, "window": window, "family": family,
            "size": page_size(body.get("pageSize"), 1440, MAX_PAGE_SIZE),
            "token": body.get("pageToken") or None}


def windows(data_type: DataType, start: date, end: date, window: int,
            days: list[tuple[date, dict]]) -> list[dict]:
    """Return one DailyRollupDataPoint per window that has served days, oldest first.

    A window with days but no value (no weighing, say) has no value field at all.
    Whether Google orders windows oldest or newest first is not documented. Days
    without a step are left out of step, distance and floor rollups, as Google has
    been seen to do.
    """
    by_day = {day: values for day, values in days
              if not (data_type.id in STEP_TYPES and values["steps"] == 0)}
    points = []
    for offset in range(0, (end - start).days, window):
        first = start + timedelta(days=offset)
        last = min(first + timedelta(days=window), end)
        inside = [by_day[d] for d in (first + timedelta(days=n)
                                      for n in range((last - first).days)) if d in by_day]
        if not inside:
            continue
        point = {"civilStartTime": {"date": date_json(first)},
                 "civilEndTime": {"date": date_json(last)}}
        points.append(point | rollup_value(data_type.id, inside))
    return points


def rollup_value(type_id: str, values: list[dict]) -> dict:
    """Return the rollup field of a window's days (empty when none has a value)."""
    amounts = [daily_amounts(values_of_day) for values_of_day in values]
    if type_id in ("steps", "floors"):
        return {type_id: {"countSum": str(sum(a[type_id] for a in amounts))}}
    if type_id == "distance":
        return {"distance": {"millimetersSum": str(sum(a["millimeters"] for a in amounts))}}
    if type_id == "total-calories":
        return {"totalCalories": {"kcalSum": float(sum(a["kcal"] for a in amounts))}}
    if type_id == "active-minutes":
        return {"activeMinutes": {"activeMinutesRollupByActivityLevel": [
            {"activityLevel": level, "activeMinutesSum": str(sum(a[level] for a in amounts))}
            for level in ("LIGHT", "MODERATE", "VIGOROUS")]}}
    if type_id == "daily-resting-heart-rate":
        rates = [a["bpm"] for a in amounts if a["bpm"] is not None]
        # Taken as the range of the window's daily values; Google's "personal range" may
        # be computed over a longer history (not documented).
        return {"restingHeartRatePersonalRange": {
            "beatsPerMinuteMin": float(min(rates)), "beatsPerMinuteMax": float(max(rates))}
            } if rates else {}
    grams = [a["grams"] for a in amounts if a["grams"] is not None]
    return {"weight": {"weightGramsAvg": sum(grams) / len(grams)}} if grams else {}
