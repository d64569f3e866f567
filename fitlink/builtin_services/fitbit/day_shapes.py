"""The whole day in the Fitbit Web API's shapes: intraday series, the activity log list, sleep levels, health metrics.

Shapes follow Fitbit's reference pages (dev.fitbit.com/build/reference/web-api: intraday,
activity log list, sleep v1.2, HRV, SpO2, breathing rate, temperature, cardio fitness, Active
Zone Minutes, body time series) as public clients read them (python-fitbit, fitbit-grafana).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..common import whole_day
from ..common.accounts import Account
from .shapes import KM_PER_MILE, heart_zones

ACTIVITY_TYPES = {"Walk": 90013, "Run": 90009}
INTERVALS = {"1min": 1, "5min": 5, "15min": 15}


def detail_of(account: Account, day: date, values: dict) -> whole_day.DayDetail:
    """Return the day's minutes for its served values."""
    return whole_day.day_detail(account.name, day, values["steps"], float(values["calories"]))


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}:00"


def _buckets(values: dict[int, float], interval: int, mean: bool) -> list[tuple[int, float]]:
    if interval == 1:
        return sorted(values.items())
    groups: dict[int, list[float]] = {}
    for minute, value in values.items():
        groups.setdefault(minute - minute % interval, []).append(value)
    return [(start, sum(group) / len(group) if mean else sum(group)) for start, group in sorted(groups.items())]


def intraday(resource: str, day: date, values: dict | None, account: Account, interval: int) -> dict:
    """Return one day of steps, calories or heart rate at a detail level (summary + dataset)."""
    if values is None:
        summary_value: object = {"customHeartRateZones": [], "heartRateZones": []} if resource == "heart" else "0"
        dataset = []
    else:
        detail = detail_of(account, day, values)
        if resource == "heart":
            summary_value = {"customHeartRateZones": [], "heartRateZones": heart_zones(values)}
            if values["restingHeartRate"] is not None:
                summary_value["restingHeartRate"] = values["restingHeartRate"]
            dataset = [{"time": _clock(m), "value": round(v)} for m, v in _buckets(detail.heart, interval, True)]
        elif resource == "steps":
            summary_value = str(values["steps"])
            dataset = [{"time": _clock(m), "value": int(v)} for m, v in _buckets(detail.steps, interval, False)]
        else:
            summary_value = str(values["calories"])
            dataset = [{"level": _level(detail.steps.get(m, 0) / interval), "mets": round(10 + v * 8 / interval),
                        "time": _clock(m), "value": round(v, 4)}
                       for m, v in _buckets(detail.calories, interval, False)]
    return {f"activities-{resource}": [{"dateTime": day.isoformat(), "value": summary_value}],
            f"activities-{resource}-intraday": {"dataset": dataset, "datasetInterval": interval,
                                                "datasetType": "minute"}}


def _level(steps_per_minute: float) -> int:
    return 0 if steps_per_minute < 20 else 1 if steps_per_minute < 90 else 2 if steps_per_minute < 140 else 3


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000")


def _with_offset(moment: datetime, zone: str) -> str:
    offset = moment.replace(tzinfo=ZoneInfo(zone)).strftime("%z")
    return f"{_stamp(moment)}{offset[:3]}:{offset[3:]}"


def activity_log(account: Account, day: date, values: dict, workout: whole_day.Workout, units: str) -> dict:
    """Return one workout as an entry of the activity log list."""
    stride = 0.00105 if workout.running else 0.00075
    km = round(sum(workout.steps) * stride, 3)
    distance, unit = (round(km / KM_PER_MILE, 3), "Mile") if units == "en_US" else (km, "Kilometer")
    duration = workout.minutes * 60000
    calories = round(whole_day.workout_calories(account, day, values, workout))
    zones = whole_day.zone_minutes(workout.heart)
    log_id = int(account.encoded_id, 36) * 10**7 + day.toordinal() % 10**5 * 10 + (1 if workout.running else 2)
    start = _with_offset(workout.start, account.timezone)
    return {
        "activeDuration": duration, "activityName": workout.name,
        "activityTypeId": ACTIVITY_TYPES[workout.name],
        "activityLevel": [{"minutes": 0, "name": "sedentary"}, {"minutes": 2, "name": "lightly"},
                          {"minutes": 0 if workout.running else workout.minutes - 2, "name": "fairly"},
                          {"minutes": workout.minutes - 2 if workout.running else 0, "name": "very"}],
        "averageHeartRate": round(sum(workout.heart) / workout.minutes),
        "calories": calories, "distance": distance, "distanceUnit": unit, "duration": duration,
        "elevationGain": 0, "hasActiveZoneMinutes": True,
        "heartRateZones": [{"caloriesOut": round(calories * zones[name] / workout.minutes, 2), "max": high,
                            "min": low, "minutes": zones[name], "name": name}
                           for name, low, high in whole_day.ZONES],
        "lastModified": _stamp(workout.start + timedelta(minutes=workout.minutes + 20)) + "Z",
        "logId": log_id, "logType": "auto_detected",
        "manualValuesSpecified": {"calories": False, "distance": False, "steps": False},
        "originalDuration": duration, "originalStartTime": start,
        "source": {"id": "demo-tracker", "name": "Charge 6", "type": "tracker", "url": "https://www.fitbit.com/"},
        "speed": round(distance / (duration / 3600000), 3), "startTime": start, "steps": sum(workout.steps),
    }


def sleep_log(day: date, sleep: dict, account: Account) -> dict:
    """Return the night's main sleep log, its stages laid out by whole_day.hypnogram."""
    stages, short = whole_day.hypnogram(sleep, day.isoformat())
    counts = {level: sum(1 for stage in stages if stage.level == level) for level in sleep["stages"]}
    return {
        "dateOfSleep": day.isoformat(), "startTime": sleep["startTime"],
        "endTime": sleep["endTime"], "duration": sleep["timeInBed"] * 60000,
        "efficiency": sleep["efficiency"], "isMainSleep": True, "infoCode": 0,
        "logId": int(account.encoded_id, 36) * 100000 + day.toordinal() % 100000,
        "logType": "auto_detected", "minutesAsleep": sleep["minutesAsleep"],
        "minutesAwake": sleep["minutesAwake"], "minutesToFallAsleep": 0,
        "minutesAfterWakeup": 0, "timeInBed": sleep["timeInBed"], "type": "stages",
        # The summary counts levels.data; the short wakes of levels.shortData lie over light sleep.
        "levels": {"summary": {level: {"count": counts[level], "minutes": minutes, "thirtyDayAvgMinutes": minutes}
                               for level, minutes in sleep["stages"].items()},
                   "data": [_level_item(stage) for stage in stages],
                   "shortData": [_level_item(stage) for stage in short]},
    }


def nap_log(day: date, nap: whole_day.Nap, account: Account) -> dict:
    """Return an afternoon nap: a classic log (asleep / restless / awake), not the main sleep."""
    asleep, restless, awake = nap.minutes("asleep"), nap.minutes("restless"), nap.minutes("awake")
    in_bed = asleep + restless + awake
    return {
        "dateOfSleep": day.isoformat(), "startTime": _stamp(nap.start), "endTime": _stamp(nap.end),
        "duration": in_bed * 60000, "efficiency": round(asleep * 100 / in_bed), "isMainSleep": False,
        "infoCode": 0, "logId": int(account.encoded_id, 36) * 100000 + day.toordinal() % 100000 + 50000,
        "logType": "auto_detected", "minutesAsleep": asleep, "minutesAwake": restless + awake,
        "minutesToFallAsleep": awake, "minutesAfterWakeup": 0, "timeInBed": in_bed, "type": "classic",
        "levels": {"summary": {level: {"count": sum(1 for s in nap.stages if s.level == level),
                                       "minutes": nap.minutes(level)} for level in ("asleep", "restless", "awake")},
                   "data": [_level_item(stage) for stage in nap.stages]},
    }


def _level_item(stage: whole_day.Stage) -> dict:
    return {"dateTime": _stamp(stage.start), "level": stage.level, "seconds": stage.seconds}


def azm(values: dict) -> dict:
    """Return the day's Active Zone Minutes: a fat-burn minute counts once, cardio and peak twice."""
    zones = {zone["name"]: zone["minutes"] for zone in heart_zones(values)}
    fat, cardio, peak = zones["Fat Burn"], 2 * zones["Cardio"], 2 * zones["Peak"]
    return {"activeZoneMinutes": fat + cardio + peak, "fatBurnActiveZoneMinutes": fat,
            "cardioActiveZoneMinutes": cardio, "peakActiveZoneMinutes": peak}


def sleep_logs(days: list[tuple[date, dict]], account: Account) -> dict:
    """Return the sleep logs of the days that have one (the night's and any nap), newest first, with a summary."""
    logs = []
    for day, values in reversed(days):
        day_nap = whole_day.nap(account, day, values)
        if day_nap:
            logs.append(nap_log(day, day_nap, account))
        if values["sleep"]:
            logs.append(sleep_log(day, values["sleep"], account))
    staged = [log for log in logs if log["type"] == "stages"]
    totals = {level: sum(log["levels"]["summary"][level]["minutes"] for log in staged)
              for level in ("deep", "light", "rem", "wake")}
    return {"sleep": logs, "summary": {
        "stages": totals, "totalSleepRecords": len(logs),
        "totalMinutesAsleep": sum(log["minutesAsleep"] for log in logs),
        "totalTimeInBed": sum(log["timeInBed"] for log in logs)}}


def health_items(key: str, days: list[tuple[date, dict]], account: Account) -> list[dict]:
    """Return the nights' HRV ("hrv"), SpO2 ("spo2"), breathing rate ("br") or skin temperature ("temp") items."""
    items = []
    for day, values in days:
        night = whole_day.night_metrics(account, day, values)
        if key in night:
            item = {"dateTime": day.isoformat(), "value": night[key]}
            if key == "temp":
                item["logType"] = "dedicated_temp_sensor"
            items.append(item)
    return items
