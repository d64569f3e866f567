"""dailyRollUp: parse the request, check its limits and sum the days per window."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .catalog import DataType
from .errors import invalid_argument
from .intraday import daily_health, detail_of, zone_totals
from .paging import MAX_PAGE_SIZE, page_size
from .points import split
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


def _range(body: object, fields: set[str]) -> dict:
    """Return the range of a request body: an object of no other names than fields."""
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received. Expected an object.")
    unknown = set(body) - fields
    if unknown:
        raise invalid_argument(f'Invalid JSON payload received. Unknown name "{min(unknown)}".')
    span = body.get("range")
    if not isinstance(span, dict):
        raise invalid_argument("range is required.")
    return span


def _family_and_page(body: dict) -> dict:
    """Return the checked data source family, page size and page token of a request body."""
    family = body.get("dataSourceFamily") or None
    if family is not None and family not in FAMILIES:
        raise invalid_argument(f"Unsupported dataSourceFamily: {family!r}.")
    return {"family": family, "size": page_size(body.get("pageSize"), 1440, MAX_PAGE_SIZE),
            "token": body.get("pageToken") or None}


def parse_request(body: object, data_type: DataType) -> dict:
    """Return the checked fields of a DailyRollUpDataPointsRequest."""
    span = _range(body, FIELDS)
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
    return {"start": start, "end": end, "window": window} | _family_and_page(body)


def windows(data_type: DataType, start: date, end: date, window: int,
            days: list[tuple[date, dict]], account: str = "") -> list[dict]:
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
        inside_days = [d for d in (first + timedelta(days=n) for n in range((last - first).days))
                       if d in by_day]
        points.append(point | rollup_value(data_type.id, inside, account, inside_days))
    return points


def rollup_value(type_id: str, values: list[dict], account: str = "", days: list[date] = ()) -> dict:
    """Return the rollup field of a window's days (empty when none has a value)."""
    if type_id in ("active-zone-minutes", "time-in-heart-rate-zone"):
        seconds, azm = {}, {}
        for day, values_of_day in zip(days, values):
            day_seconds, day_azm = zone_totals(account, day, int(values_of_day["steps"]),
                                               int(values_of_day["calories"]))
            seconds = {k: seconds.get(k, 0) + v for k, v in day_seconds.items()}
            azm = {k: azm.get(k, 0) + v for k, v in day_azm.items()}
        if type_id == "active-zone-minutes":
            return {"activeZoneMinutes": {"sumInFatBurnHeartZone": str(azm["FAT_BURN"]),
                                          "sumInCardioHeartZone": str(azm["CARDIO"]),
                                          "sumInPeakHeartZone": str(azm["PEAK"])}}
        return {"timeInHeartRateZone": {"timeInHeartRateZones": [
            {"heartRateZone": zone, "duration": f"{total}s"} for zone, total in seconds.items() if total]}}
    if type_id == "sedentary-period":
        return {"sedentaryPeriod": {"durationSum": f"{sum(v['minutesSedentary'] for v in values) * 60}s"}}
    if type_id == "body-fat":
        fats = [daily_health(account, day, v).get("body_fat") for day, v in zip(days, values)]
        fats = [fat for fat in fats if fat is not None]
        return {"bodyFat": {"bodyFatPercentageAvg": sum(fats) / len(fats)}} if fats else {}
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


# --- rollUp: physical time windows (RollUpDataPointsRequest) ---

PHYSICAL_FIELDS = {"range", "windowSize", "pageSize", "pageToken", "dataSourceFamily"}
DURATION = re.compile(r"(\d+)(?:\.(\d{1,9}))?s")
# Public clients of the live API report at most 10,000 windows per rollUp call.
MAX_WINDOWS = 10000


def _instant(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise invalid_argument(f"{name} is required.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_argument(f"Invalid value at '{name}' (type.googleapis.com/google.protobuf.Timestamp): "
                               f"{value!r}") from None
    if moment.tzinfo is None:
        raise invalid_argument(f"{name} must carry a UTC offset or Z.")
    return moment.astimezone(timezone.utc)


def parse_physical(body: object, data_type: DataType) -> dict:
    """Return the checked fields of a RollUpDataPointsRequest."""
    span = _range(body, PHYSICAL_FIELDS)
    start, end = _instant(span.get("startTime"), "range.startTime"), _instant(span.get("endTime"), "range.endTime")
    if end <= start:
        raise invalid_argument("range.endTime must be after range.startTime.")
    if end - start > timedelta(days=data_type.rollup_max_days):
        raise invalid_argument(f"The maximum range for {data_type.id} is {data_type.rollup_max_days} days.")
    match = DURATION.fullmatch(str(body.get("windowSize") or ""))
    if not match:
        raise invalid_argument("windowSize is required, as a duration such as \"60s\".")
    seconds = int(match[1]) + int((match[2] or "0").ljust(9, "0")) / 1e9
    if seconds < 1:
        raise invalid_argument("windowSize must be at least 1 second.")
    window = timedelta(seconds=seconds)
    count = -(-(end - start) // window)
    if count > MAX_WINDOWS:
        raise invalid_argument(f"The request asks for {count} windows; at most {MAX_WINDOWS} are allowed.")
    return {"start": start, "end": end, "window": window} | _family_and_page(body)


def physical_windows(data_type: DataType, account: str, start: datetime, end: datetime, window: timedelta,
                     days: list[tuple[date, dict]]) -> list[dict]:
    """Return one RollupDataPoint per window holding data, oldest first.

    A minute's steps, distance and calories count in the window its start falls in; a
    heart-rate sample in the window of its time. Windows without data are left out.
    """
    sums: dict[int, list] = {}
    # In whole seconds from the range's start (fast: no datetime per sample).
    origin, span, size = start.timestamp(), (end - start).total_seconds(), window.total_seconds()

    def add(offset: float, value) -> None:
        if 0 <= offset < span:
            sums.setdefault(int(offset // size), []).append(value)

    for day, values in days:
        detail = detail_of(account, day, values)
        shares = []
        if data_type.id == "distance" and sum(detail.steps):
            shares = split(daily_amounts(values)["millimeters"], [float(n) for n in detail.steps])
        base = detail.start.timestamp() - origin
        for index in range(detail.length):
            offset = base + index * 60
            if offset + 60 <= 0 or offset >= span:
                continue
            if data_type.id == "heart-rate":
                if 0 <= offset and offset + 60 <= span and offset // size == (offset + 59.999) // size:
                    # The whole minute falls in one window (the usual 60-second windows): no per-sample work.
                    sums.setdefault(int(offset // size), []).extend(detail.heart(index))
                    continue
                for seconds, bpm in detail.timed_samples(index):
                    add(offset + seconds, bpm)
            elif data_type.id == "total-calories":
                add(offset, detail.kcal[index])
            elif data_type.id == "steps" and detail.steps[index]:
                add(offset, detail.steps[index])
            elif data_type.id == "distance" and shares and shares[index]:
                add(offset, shares[index])
    points = []
    for number in sorted(sums):
        values = sums[number]
        if not values:
            continue
        first = start + number * window
        point = {"startTime": _utc(first), "endTime": _utc(min(first + window, end))}
        if data_type.id == "heart-rate":
            point["heartRate"] = {"beatsPerMinuteAvg": sum(values) / len(values),
                                  "beatsPerMinuteMin": float(min(values)), "beatsPerMinuteMax": float(max(values))}
        elif data_type.id == "total-calories":
            point["totalCalories"] = {"kcalSum": sum(values)}
        elif data_type.id == "steps":
            point["steps"] = {"countSum": str(sum(values))}
        else:
            point["distance"] = {"millimetersSum": str(sum(values))}
        points.append(point)
    return points


def _utc(moment: datetime) -> str:
    """RFC 3339 in UTC, as times.rfc3339, without strftime (ten thousand windows a call)."""
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="seconds")[:-6] + "Z"
