"""Read the Fitbit Web API's answers into fitlink's records (DayValue, MinuteSeries, SleepSession, Workout).

Field names are Fitbit's reference pages' (dev.fitbit.com/build/reference/web-api) as public
clients read them (python-fitbit, fitbit-grafana, fitbit_client). A parser raises KeyError,
TypeError, ValueError or AttributeError on what it cannot read; the source turns those into
BadPayload.
"""

from datetime import date, datetime

from ..sources import DayValue, MinuteSeries, SleepSession, SleepStage, Workout

KM_PER = {"kilometer": 1.0, "km": 1.0, "mile": 1.609344, "meter": 0.001, "yard": 0.0009144}


def day_of(text: str) -> date:
    return date.fromisoformat(text)


def local(text: str) -> datetime:
    """Return a Fitbit time stamp as a naive local datetime: "2026-11-19T23:41:30.000", with or without an offset."""
    return datetime.fromisoformat(text).replace(tzinfo=None)


def series(key: str, body: dict) -> list[DayValue]:
    """Read a time series of string values, such as {"activities-steps": [{"dateTime", "value": "8123"}]}."""
    return [DayValue(day_of(item["dateTime"]), float(item["value"])) for item in body[key]]


ZONE_FIELDS = ("name", "min", "max", "minutes")  # caloriesOut is the zone's, not the day's: not kept


def resting_heart_rate(body: dict) -> list[DayValue]:
    """Read the heart rate series: the resting heart rate, with the day's heart-rate zones (Fitbit's
    `heartRateZones`: name, min, max and the minutes spent in each) in its details for the day page."""
    rows = []
    for item in body["activities-heart"]:
        value = item["value"]
        if not isinstance(value, dict):
            raise TypeError("heart value is not an object")
        if value.get("restingHeartRate") is not None:
            zones = [{key: zone[key] for key in ZONE_FIELDS if key in zone}
                     for zone in value.get("heartRateZones") or () if isinstance(zone, dict)]
            rows.append(DayValue(day_of(item["dateTime"]), float(value["restingHeartRate"]),
                                 {"heart_rate_zones": zones} if zones else None))
    return rows


def nightly(key: str, field: str, body: dict | list) -> list[DayValue]:
    """Read a nightly summary: {"hrv": [{"dateTime", "value": {"dailyRmssd": 34.9}}]} and the like.

    SpO2 by interval answers a bare list, by date a single item: both are read. Days
    without a reading (no "value", or no field in it) are left out.
    """
    if isinstance(body, list):
        items = body
    else:
        items = [body] if key not in body and "dateTime" in body else body[key]
    rows = []
    for item in items:
        value = item.get("value")
        if value is None:
            continue
        if not isinstance(value, dict):
            raise TypeError(f"{key} value is not an object")
        if value.get(field) is not None:
            details = {name: extra for name, extra in value.items() if name != field and extra is not None}
            rows.append(DayValue(day_of(item["dateTime"]), float(value[field]), details or None))
    return rows


def vo2max(body: dict) -> list[DayValue]:
    """Read cardio fitness: "vo2Max" is one number ("47" or 47.2) or a range ("44-48").

    fitlink stores a range's midpoint and keeps the range in details {"range": [44, 48]}.
    The reference shows "vo2Max" strings; one public client (fitbit_client) documents a
    "vo2MaxRange" {"low", "high"} object instead: both are read.
    """
    rows = []
    for item in body["cardioScore"]:
        value = item["value"]
        if not isinstance(value, dict):
            raise TypeError("cardioScore value is not an object")
        raw, spread = value.get("vo2Max"), value.get("vo2MaxRange")
        if isinstance(spread, dict):
            low, high = float(spread["low"]), float(spread["high"])
        elif isinstance(raw, str) and "-" in raw.strip().lstrip("-"):
            low, high = (float(part) for part in raw.split("-", 1))
        elif raw is not None:
            rows.append(DayValue(day_of(item["dateTime"]), float(raw)))
            continue
        else:
            continue
        rows.append(DayValue(day_of(item["dateTime"]), (low + high) / 2, {"range": [low, high]}))
    return rows


def active_zone_minutes(body: dict) -> list[DayValue]:
    """Read {"activities-active-zone-minutes": [{"dateTime", "value": {"activeZoneMinutes": 102, ...}}]}."""
    rows = []
    for item in body["activities-active-zone-minutes"]:
        value = item["value"]
        if not isinstance(value, dict):
            raise TypeError("active zone minutes value is not an object")
        zones = {name: int(value[field]) for name, field in (
            ("fat_burn", "fatBurnActiveZoneMinutes"), ("cardio", "cardioActiveZoneMinutes"),
            ("peak", "peakActiveZoneMinutes")) if value.get(field) is not None}
        rows.append(DayValue(day_of(item["dateTime"]), float(value.get("activeZoneMinutes", 0)), zones or None))
    return rows


def minute_of(clock: str) -> int:
    """Return the minute of the day of a dataset's "HH:MM:SS"."""
    hour, minute, _second = clock.split(":")
    number = int(hour) * 60 + int(minute)
    if not 0 <= number < 1440:
        raise ValueError(f"time {clock!r} is not in a day")
    return number


def intraday(resource: str, series_name: str, day: date, body: dict) -> list[MinuteSeries]:
    """Read one day's "activities-{resource}-intraday" dataset into a MinuteSeries.

    Heart rate: the mean of every sample in a minute (a 1sec dataset has several); steps
    and calories: a minute's samples added up.
    """
    dataset = body[f"activities-{resource}-intraday"]["dataset"]
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for item in dataset:
        minute = minute_of(item["time"])
        sums[minute] = sums.get(minute, 0.0) + float(item["value"])
        counts[minute] = counts.get(minute, 0) + 1
    if resource == "heart":
        values = {minute: total / counts[minute] for minute, total in sums.items()}
    else:
        values = sums
    return [MinuteSeries(series_name, day, values)] if values else []


def _stages(items) -> tuple[SleepStage, ...]:
    return tuple(SleepStage(local(item["dateTime"]), int(item["seconds"]), str(item["level"])) for item in items or ())


def sleep_session(log: dict) -> SleepSession:
    """Read one sleep log (v1.2) into a session with its levels.data stages and levels.shortData wakes."""
    levels = log.get("levels") or {}
    kind = log.get("type") or ("stages" if "deep" in (levels.get("summary") or {}) else "classic")
    return SleepSession(
        start=local(log["startTime"]), end=local(log["endTime"]), main=bool(log.get("isMainSleep", True)),
        type=str(kind), minutes_asleep=int(log["minutesAsleep"]),
        stages=_stages(levels.get("data")), short_wakes=_stages(levels.get("shortData")))


def sleep(body: dict) -> list:
    """Read the sleep logs: each night's minutes asleep (the main sleep's) and every session, naps too."""
    nights: dict[date, DayValue] = {}
    sessions = []
    for log in body["sleep"]:
        sessions.append(sleep_session(log))
        day = day_of(log["dateOfSleep"])
        if not log.get("isMainSleep", True) and day in nights:
            continue
        summary = (log.get("levels") or {}).get("summary") or {}
        stages = {name: int(part.get("minutes", 0)) for name, part in summary.items()}
        nights[day] = DayValue(
            day,
            float(log["minutesAsleep"]),
            {
                "type": log.get("type"),
                "stages": stages,
                "minutes_awake": log.get("minutesAwake"),
                "time_in_bed": log.get("timeInBed"),
                "efficiency": log.get("efficiency"),
                "start": log.get("startTime"),
                "end": log.get("endTime"),
            },
        )
    return sorted(nights.values(), key=lambda row: row.day) + sessions


def workout(item: dict) -> Workout:
    """Read one entry of the activity log list.

    startTime carries the offset in force ("2026-11-20T17:05:00.000-08:00"): its wall-clock
    part is the local start. duration is in milliseconds; distance is in distanceUnit
    ("Kilometer", "Mile"), converted to km (an unknown unit leaves the distance out).
    """
    distance = item.get("distance")
    factor = KM_PER.get(str(item.get("distanceUnit") or "Kilometer").lower())
    zones = {str(zone["name"]): int(zone.get("minutes", 0)) for zone in item.get("heartRateZones") or ()}
    return Workout(
        start=local(item.get("startTime") or item["originalStartTime"]),
        seconds=round(float(item["duration"]) / 1000),
        type=str(item.get("activityName") or "Workout"),
        calories=float(item["calories"]) if item.get("calories") is not None else None,
        distance_km=round(float(distance) * factor, 3) if distance is not None and factor else None,
        average_heart_rate=float(item["averageHeartRate"]) if item.get("averageHeartRate") is not None else None,
        steps=int(item["steps"]) if item.get("steps") is not None else None,
        heart_rate_zones=zones or None,
    )
