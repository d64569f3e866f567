"""Read Google Health API v4 answers into fitlink's shapes (as its discovery document describes them).

Every int64 arrives as a JSON string ("8123"), doubles as numbers. Proto3 JSON
leaves out fields that hold their default (0, ""), so a value object that is
present but lacks its number means zero; a day whose value object is missing
has no data and is left out. A list point that cannot be read is logged and
skipped (points.py); any other shape raises KeyError, TypeError or ValueError,
which the source turns into BadPayload.
"""

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import fmean

from ..sources import DayValue, Profile, SleepSession, SleepStage, Workout
from .points import distinct, readable

log = logging.getLogger(__name__)

MM_PER_KM = 1_000_000

# metric -> (DailyRollupDataPoint field, value field, divisor to fitlink's unit)
ROLLUP_VALUES = {
    "steps": ("steps", "countSum", 1),
    "distance": ("distance", "millimetersSum", MM_PER_KM),
    "floors": ("floors", "countSum", 1),
    "calories": ("totalCalories", "kcalSum", 1),
    # SedentaryPeriodRollupValue.durationSum is a google.protobuf.Duration ("35940s"): minutes.
    "sedentary_minutes": ("sedentaryPeriod", "durationSum", 60),
}
# fitlink's active-minute metrics, by Google's activity level (Fitbit's "very" and "fairly" active).
ACTIVITY_LEVELS = {"very_active_minutes": "VIGOROUS", "fairly_active_minutes": "MODERATE",
                   "lightly_active_minutes": "LIGHT"}

# Settings enums -> the unit systems fitlink.formatting reads ("METRIC" or a Fitbit locale).
DISTANCE_UNITS = {"DISTANCE_UNIT_MILES": "en_US"}
WEIGHT_UNITS = {"WEIGHT_UNIT_POUNDS": "en_US", "WEIGHT_UNIT_STONE": "en_GB"}

# Sleep stage types -> the summary keys fitlink keeps (Fitbit's): stages nights and classic nights.
STAGE_KEYS = {"DEEP": "deep", "LIGHT": "light", "REM": "rem", "AWAKE": "wake"}
CLASSIC_KEYS = {"ASLEEP": "asleep", "RESTLESS": "restless", "AWAKE": "awake"}


def civil_date(value: dict) -> date:
    """Read a google.type.Date {year, month, day}."""
    return date(int(value["year"]), int(value["month"]), int(value["day"]))


def civil_json(day: date) -> dict:
    """Write a day as a CivilDateTime (midnight), numbers without leading zeros."""
    return {"date": {"year": day.year, "month": day.month, "day": day.day}}


def profile(identity: dict, settings: dict, account: dict) -> Profile:
    """Build the profile from users.getIdentity, users.getSettings and users.getProfile."""
    user_id = identity["healthUserId"]
    if not isinstance(user_id, str) or not user_id:
        raise ValueError("identity without healthUserId")
    since = account.get("membershipStartDate")
    return Profile(
        user_id=user_id,
        # Google's profile has no name: name the account by the start of its opaque id,
        # enough to tell two connected accounts apart.
        display_name=f"Google Health user {user_id[:8]}",
        timezone=settings.get("timeZone") or "UTC",
        member_since=civil_date(since) if since else None,
        distance_unit=DISTANCE_UNITS.get(settings.get("distanceUnit"), "METRIC"),
        weight_unit=WEIGHT_UNITS.get(settings.get("weightUnit"), "METRIC"),
    )


def rollup_days(metric: str, points: list) -> list[DayValue]:
    """Read dailyRollUp points of steps, distance, floors or total calories (an unreadable one is skipped)."""
    field, value_key, divisor = ROLLUP_VALUES[metric]

    def read(point: dict) -> DayValue | None:
        value = point.get(field)
        if value is None:
            return None
        raw = value.get(value_key, 0)
        number = duration_seconds(raw) if isinstance(raw, str) and raw.endswith("s") else float(raw)
        return DayValue(civil_date(point["civilStartTime"]["date"]), number / divisor)

    return [row for _, row in readable(points, read, metric)]


def active_minutes_days(points: list) -> dict[str, list[DayValue]]:
    """Read active-minutes dailyRollUp points into both fitlink metrics at once."""
    def read(point: dict) -> tuple[date, dict[str, float]] | None:
        value = point.get("activeMinutes")
        if value is None:
            return None
        levels = {item["activityLevel"]: float(item.get("activeMinutesSum", 0))
                  for item in value.get("activeMinutesRollupByActivityLevel", [])}
        return civil_date(point["civilStartTime"]["date"]), levels

    by_metric: dict[str, list[DayValue]] = {metric: [] for metric in ACTIVITY_LEVELS}
    for _, (day, levels) in readable(points, read, "active minutes"):
        for metric, level in ACTIVITY_LEVELS.items():
            by_metric[metric].append(DayValue(day, levels.get(level, 0.0)))
    return by_metric


def resting_heart_rate_days(points: list) -> list[DayValue]:
    """Read daily-resting-heart-rate data points: one per date, the device's where sources differ."""
    def read(point: dict) -> DayValue | None:
        value = point["dailyRestingHeartRate"]
        if value.get("beatsPerMinute") is None:
            return None
        return DayValue(civil_date(value["date"]), float(value["beatsPerMinute"]))

    days = distinct(readable(points, read, "resting heart rate"), lambda row: row.day)
    return sorted(days, key=lambda row: row.day)


def weight_days(points: list) -> list[DayValue]:
    """Read weight samples into one value per local date: the mean of the day's weigh-ins, in kg.

    A weigh-in is its sample time: a mirrored copy of it counts once.
    """
    grams = _samples_by_day(points, "weight", "weightGrams", "weight")
    return [DayValue(day, round(fmean(values) / 1000, 3)) for day, values in sorted(grams.items())]


def _samples_by_day(points: list, key: str, field: str, what: str) -> dict[date, list[float]]:
    """Group the values of the readable samples (point[key]: its sampleTime and a number in field) by
    local date; a sample is its time, so a mirrored copy of it counts once. `what` names them in logs."""
    by_day: dict[date, list[float]] = defaultdict(list)
    read = readable(points, lambda point: _sample(point[key], field), what)
    for _, day, value in distinct(read, lambda sample: sample[0]):
        by_day[day].append(value)
    return by_day


def _sample(value: dict, field: str) -> tuple[object, date, float]:
    """Return a sample's moment (its instant, else its local time), local date and value[field]."""
    sample = value["sampleTime"]
    moment = (_instant(sample["physicalTime"]) if sample.get("physicalTime")
              else _local_time(sample, "civilTime", "physicalTime", "utcOffset"))
    return moment, _local_date(sample, "civilTime", "physicalTime", "utcOffset"), float(value[field])


def sleep_days(points: list) -> list[DayValue]:
    """Read sleep sessions into one night per local date of waking: the main sleep, else the longest.

    A session still in progress (no end, no summary yet) is left out until it ends; a
    mirrored copy of a session counts once (the device's).
    """
    sessions = distinct(readable(points, _session, "sleep"), lambda session: session[0])
    nights: dict[date, tuple[bool, float, DayValue]] = {}
    for _, main, night in sessions:
        rank = (main, night.value)
        if night.day not in nights or rank > nights[night.day][:2]:
            nights[night.day] = (*rank, night)
    return [entry[2] for _, entry in sorted(nights.items())]


def in_progress(sleep: dict) -> bool:
    """Tell whether a sleep session is still going on: Google sends it without end and summary."""
    interval = sleep.get("interval") or {}
    return not (interval.get("endTime") or interval.get("civilEndTime")) or not sleep.get("summary")


def _session(point: dict) -> tuple[object, bool, DayValue] | None:
    sleep = point["sleep"]
    if in_progress(sleep):
        log.info("Google Health sleep: a session in progress is left for when it ends")
        return None
    interval = sleep["interval"]
    start = (_instant(interval["startTime"]) if interval.get("startTime")
             else _local_time(interval, "civilStartTime", "startTime", "startUtcOffset"))
    return start, bool((sleep.get("metadata") or {}).get("mainSleep")), _sleep(sleep)


def _sleep(sleep: dict) -> DayValue:
    interval = sleep["interval"]
    summary = sleep.get("summary") or {}
    asleep = int(summary.get("minutesAsleep", 0))
    in_bed = int(summary.get("minutesInSleepPeriod", 0))
    classic = sleep.get("type") == "CLASSIC"
    keys = CLASSIC_KEYS if classic else STAGE_KEYS
    stages: dict[str, int] = {}
    for part in summary.get("stagesSummary") or []:
        key = keys.get(part["type"])
        if key:
            stages[key] = stages.get(key, 0) + int(part.get("minutes", 0))
    return DayValue(
        _local_date(interval, "civilEndTime", "endTime", "endUtcOffset"),
        float(asleep),
        {
            "type": "classic" if classic else "stages",
            "stages": stages,
            "minutes_awake": int(summary.get("minutesAwake", 0)),
            "time_in_bed": in_bed or None,
            # Fitbit's efficiency for a night: the share of the time in bed spent asleep.
            "efficiency": round(asleep * 100 / in_bed) if in_bed else None,
            "start": _local_time(interval, "civilStartTime", "startTime", "startUtcOffset"),
            "end": _local_time(interval, "civilEndTime", "endTime", "endUtcOffset"),
        },
    )


def _local_date(value: dict, civil: str, physical: str, offset: str) -> date:
    if value.get(civil):
        return civil_date(value[civil]["date"])
    return _shifted(value[physical], value.get(offset)).date()


def civil_moment(value: dict, civil: str, physical: str, offset: str) -> datetime:
    """Return a local wall-clock time (naive) of a sample time or an interval's start or end."""
    return datetime.fromisoformat(_local_time(value, civil, physical, offset))


def _local_time(value: dict, civil: str, physical: str, offset: str) -> str:
    """Write a local time like Fitbit's sleep logs do: 2026-11-26T23:10:00 (no zone)."""
    if value.get(civil):
        day = civil_date(value[civil]["date"])
        clock = value[civil].get("time") or {}
        moment = datetime(day.year, day.month, day.day, int(clock.get("hours", 0)),
                          int(clock.get("minutes", 0)), int(clock.get("seconds", 0)))
        return moment.isoformat()
    return _shifted(value[physical], value.get(offset)).replace(tzinfo=None).isoformat(timespec="seconds")


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _shifted(timestamp: str, offset: str | None) -> datetime:
    """Move an RFC 3339 time by a UTC offset: a google.protobuf.Duration ("46800s") or "+13:00"."""
    return _instant(timestamp) + timedelta(seconds=_offset_seconds(offset))


def _offset_seconds(offset: str | None) -> float:
    if not offset:
        return 0.0
    if offset.endswith("s"):
        return float(offset.removesuffix("s"))
    # Some hand-written answers (Home Assistant's fixtures) write offsets as "-07:00".
    hours, _, minutes = offset.lstrip("+-").partition(":")
    return (-1 if offset.startswith("-") else 1) * (int(hours) * 3600 + int(minutes or 0) * 60)


def _device(point: dict) -> dict:
    """{"device": name} when the point's data source names its device, else {}."""
    source = point.get("dataSource") if isinstance(point.get("dataSource"), dict) else {}
    device = source.get("device") if isinstance(source.get("device"), dict) else {}
    return {"device": device["displayName"]} if device.get("displayName") else {}


def _skin_temperature(body: dict) -> float | None:
    """The night's skin temperature relative to the personal baseline (deg C), as Fitbit shows it.

    DailySleepTemperatureDerivations holds the nightly mean and, optionally, the baseline (the
    median of the last 30 nights); without a baseline the relative value is unknown.
    """
    nightly, baseline = body.get("nightlyTemperatureCelsius"), body.get("baselineTemperatureCelsius")
    if nightly is None or baseline is None:
        return None
    return round(float(nightly) - float(baseline), 2)


def _some(**values) -> dict:
    return {key: value for key, value in values.items() if value is not None}


# Daily types listed one point per date (discovery document, DataPoint):
# metric -> (DataPoint field, its value, its details)
DAILY_FIELDS = {
    "hrv": ("dailyHeartRateVariability", lambda v: v.get("averageHeartRateVariabilityMilliseconds"),
            lambda v: _some(deep_sleep_rmssd=v.get("deepSleepRootMeanSquareOfSuccessiveDifferencesMilliseconds"),
                            non_rem_heart_rate=v.get("nonRemHeartRateBeatsPerMinute") and
                            int(v["nonRemHeartRateBeatsPerMinute"]), entropy=v.get("entropy"))),
    "spo2": ("dailyOxygenSaturation", lambda v: v.get("averagePercentage"),
             lambda v: _some(min=v.get("lowerBoundPercentage"), max=v.get("upperBoundPercentage"))),
    "breathing_rate": ("dailyRespiratoryRate", lambda v: v.get("breathsPerMinute"), lambda v: {}),
    "skin_temperature": ("dailySleepTemperatureDerivations", _skin_temperature,
                         lambda v: _some(nightly=v.get("nightlyTemperatureCelsius"),
                                         baseline=v.get("baselineTemperatureCelsius"))),
    "vo2max": ("dailyVo2Max", lambda v: v.get("vo2Max"),
               lambda v: _some(level=v.get("cardioFitnessLevel"), estimated=v.get("estimated"))),
}


def daily_days(metric: str, points: list) -> list[DayValue]:
    """Read a daily type's list points: one value per date, the device's where sources differ."""
    field, value_of, details_of = DAILY_FIELDS[metric]

    def read(point: dict) -> DayValue | None:
        body = point[field]
        value = value_of(body)
        if value is None:
            return None
        return DayValue(civil_date(body["date"]), float(value), {**details_of(body), **_device(point)} or None)

    return sorted(distinct(readable(points, read, metric), lambda row: row.day), key=lambda row: row.day)


def body_fat_days(points: list) -> list[DayValue]:
    """Read body-fat samples into one value per local date: the mean of the day's measurements, in %."""
    shares = _samples_by_day(points, "bodyFat", "percentage", "body fat")
    return [DayValue(day, round(fmean(values), 2)) for day, values in sorted(shares.items())]


def duration_seconds(value: str | None) -> float:
    """Read a google.protobuf.Duration ("1830s", "0.5s"); absent means zero."""
    return float(str(value).removesuffix("s")) if value else 0.0


ZONE_NAMES = {"LIGHT": "light", "MODERATE": "moderate", "VIGOROUS": "vigorous", "PEAK": "peak"}
AZM_FIELDS = {"fat_burn": "sumInFatBurnHeartZone", "cardio": "sumInCardioHeartZone", "peak": "sumInPeakHeartZone"}


def zone_minutes_days(azm_points: list, zone_points: list) -> list[DayValue]:
    """Read the active-zone-minutes and time-in-heart-rate-zone daily rollups into active_zone_minutes.

    The value is the day's Active Zone Minutes (fat burn counts 1 a minute, cardio and peak 2:
    the discovery document's ActiveZoneMinutes); details hold them by zone and, under
    "heart_rate_zones", the minutes spent in each heart-rate zone (light, moderate, vigorous, peak).
    """
    def azm(point: dict) -> tuple[date, dict] | None:
        value = point.get("activeZoneMinutes")
        if value is None:
            return None
        return civil_date(point["civilStartTime"]["date"]), {key: int(value.get(name, 0))
                                                             for key, name in AZM_FIELDS.items()}

    def zones(point: dict) -> tuple[date, dict] | None:
        value = point.get("timeInHeartRateZone")
        if value is None:
            return None
        minutes = {ZONE_NAMES[item["heartRateZone"]]: round(duration_seconds(item.get("duration")) / 60)
                   for item in value.get("timeInHeartRateZones") or [] if item.get("heartRateZone") in ZONE_NAMES}
        return civil_date(point["civilStartTime"]["date"]), minutes

    by_zone = dict(row for _, row in readable(azm_points, azm, "active zone minutes"))
    in_zones = dict(row for _, row in readable(zone_points, zones, "time in heart-rate zone"))
    rows = []
    for day in sorted(set(by_zone) | set(in_zones)):
        parts = by_zone.get(day, {})
        details = {**parts, "heart_rate_zones": in_zones[day]} if day in in_zones else dict(parts)
        rows.append(DayValue(day, float(sum(parts.values())), details or None))
    return rows


def sleep_records(points: list) -> list:
    """Read a sleep list: each date's night (DayValue, as sleep_days) and every session with its stages."""
    return [*sleep_days(points), *sleep_sessions(points)]


def sleep_sessions(points: list) -> list[SleepSession]:
    """Read every completed sleep session (naps included) with its stages, once per session."""
    sessions = distinct(readable(points, _sleep_session, "sleep"), lambda session: session.start)
    return sorted(sessions, key=lambda session: session.start)


def _sleep_session(point: dict) -> SleepSession | None:
    sleep = point["sleep"]
    if in_progress(sleep):
        return None
    interval = sleep["interval"]
    classic = sleep.get("type") == "CLASSIC"
    levels = CLASSIC_KEYS if classic else STAGE_KEYS
    offset = interval.get("startUtcOffset")
    stages = tuple(stage for stage in (_stage(part, levels, offset) for part in sleep.get("stages") or []) if stage)
    wakes = tuple(stage for stage in (_stage(part, levels, offset) for part in sleep.get("shortAwakenings") or [])
                  if stage)
    return SleepSession(
        start=civil_moment(interval, "civilStartTime", "startTime", "startUtcOffset"),
        end=civil_moment(interval, "civilEndTime", "endTime", "endUtcOffset"),
        main=bool((sleep.get("metadata") or {}).get("mainSleep")),
        type="classic" if classic else "stages",
        minutes_asleep=int((sleep.get("summary") or {}).get("minutesAsleep", 0)),
        stages=stages, short_wakes=wakes)


def _stage(part: dict, levels: dict, session_offset: str | None) -> SleepStage | None:
    """One SleepStage segment at its local start; a type the night's kind does not use is left out."""
    level = levels.get(part.get("type"))
    if level is None:
        return None
    start, end = _instant(part["startTime"]), _instant(part["endTime"])
    # A segment without its own offset is taken to share the session's.
    local = start + timedelta(seconds=_offset_seconds(part.get("startUtcOffset") or session_offset))
    return SleepStage(local.replace(tzinfo=None), round((end - start).total_seconds()), level)


HR_ZONE_TIMES = {"light": "lightTime", "moderate": "moderateTime", "vigorous": "vigorousTime", "peak": "peakTime"}


def workouts(points: list) -> list[Workout]:
    """Read exercise sessions into workouts, once per session (the device's where mirrored)."""
    return sorted(distinct(readable(points, _workout, "exercise"), lambda workout: workout.start),
                  key=lambda workout: workout.start)


def _workout(point: dict) -> Workout:
    exercise = point["exercise"]
    interval = exercise["interval"]
    start = civil_moment(interval, "civilStartTime", "startTime", "startUtcOffset")
    if interval.get("startTime") and interval.get("endTime"):
        seconds = (_instant(interval["endTime"]) - _instant(interval["startTime"])).total_seconds()
    else:
        seconds = (civil_moment(interval, "civilEndTime", "endTime", "endUtcOffset") - start).total_seconds()
    summary = exercise.get("metricsSummary") or {}
    zones = summary.get("heartRateZoneDurations") or {}

    def number(key: str, cast=float):
        return cast(summary[key]) if summary.get(key) is not None else None

    return Workout(
        start=start, seconds=round(seconds),
        type=exercise.get("displayName") or str(exercise.get("exerciseType", "Workout")).replace("_", " ").title(),
        calories=number("caloriesKcal"),
        distance_km=round(float(summary["distanceMillimeters"]) / MM_PER_KM, 3)
        if summary.get("distanceMillimeters") is not None else None,
        average_heart_rate=number("averageHeartRateBeatsPerMinute"),
        steps=number("steps", int),
        heart_rate_zones={name: round(duration_seconds(zones.get(key)) / 60) for name, key in HR_ZONE_TIMES.items()}
        if zones else None,
    )
