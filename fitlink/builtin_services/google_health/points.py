"""Build the DataPoints of one day in the shapes of the discovery document."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ..common.accounts import Account

from .behaviours import Behaviours
from .catalog import DataType
from .intraday import AZM_ZONES, EXERCISES, Day, daily_health, detail_of, nap_of
from .people import health_user_id
from .times import date_json, interval, local, sample_time
from .values import daily_amounts

# Google stores interval types at 1-minute resolution; the demo lists steps and distance as
# hourly sums of the day's minutes (intraday.py), floors and active minutes spread over hourly
# points of the waking hours, which keeps pages small while a client must still add them up.
# Heart-rate samples, Active Zone Minutes and time in heart-rate zones come minute by minute.
HOURS = range(7, 23)
TRACKER = {"platform": "FITBIT", "recordingMethod": "PASSIVELY_MEASURED",
           "device": {"formFactor": "FITNESS_BAND", "manufacturer": "Fitbit",
                      "displayName": "Charge 6"}}
SCALE = {"platform": "FITBIT", "recordingMethod": "PASSIVELY_MEASURED",
         "device": {"formFactor": "SCALE", "manufacturer": "Fitbit", "displayName": "Aria Air"}}
# The copy of a point that Health Connect mirrors back (the behaviours' "mirrors" option).
MIRROR = {"platform": "HEALTH_CONNECT", "recordingMethod": "PASSIVELY_MEASURED",
          "application": {"packageName": "com.google.android.apps.fitness"}}
WEIGH_IN_SPACING = timedelta(minutes=30)


class Point(NamedTuple):
    """One DataPoint, its start (the list's sort key) and its filterable field values."""

    start: datetime
    keys: dict
    body: dict


def split(total: int, weights: list[float]) -> list[int]:
    """Split a whole number by weights so the parts add up exactly (largest remainder)."""
    shares = [total * w / sum(weights) for w in weights]
    parts = [int(share) for share in shares]
    order = sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return parts


def _interval_point(kind: DataType, start: datetime, end: datetime, field: str,
                    value: dict) -> Point:
    name = kind.filter_name
    keys = {f"{name}.interval.start_time": start,
            f"{name}.interval.civil_start_time": start.replace(tzinfo=None)}
    return Point(start, keys, {"dataSource": TRACKER,
                               field: {"interval": interval(start, end)} | value})


def _point_name(account: Account, kind: str, key: str) -> str:
    uid = hashlib.sha256(key.encode()).hexdigest()
    return (f"users/{health_user_id(account.name)}/dataTypes/{kind}/dataPoints/"
            f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}")


def _minute_hours(kind: DataType, detail: Day, amounts: dict) -> list[Point]:
    """Steps or distance as hourly sums of the day's minutes (hours of physical time)."""
    steps = list(detail.steps)
    if kind.id == "distance":
        steps = split(amounts["millimeters"], [float(n) for n in steps]) if sum(steps) else [0] * len(steps)
    points = []
    for first in range(0, detail.length, 60):
        total = sum(steps[first:first + 60])
        if total:
            field, unit = ("distance", "millimeters") if kind.id == "distance" else ("steps", "count")
            points.append(_interval_point(kind, detail.moment(first), detail.moment(min(first + 60, detail.length)),
                                          field, {unit: str(total)}))
    return points


def _heart_rate(detail: Day) -> list[Point]:
    points = []
    for index in range(detail.length):
        motion = "ACTIVE" if detail.steps[index] else "SEDENTARY"
        for moment, bpm in detail.samples(index):
            keys = {"heart_rate.sample_time.physical_time": moment,
                    "heart_rate.sample_time.civil_time": moment.replace(tzinfo=None)}
            points.append(Point(moment, keys, {"dataSource": TRACKER, "heartRate": {
                "sampleTime": sample_time(moment), "beatsPerMinute": str(bpm),
                "metadata": {"motionContext": motion, "sensorLocation": "WRIST"}}}))
    return points


def _zone_minutes(kind: DataType, detail: Day) -> list[Point]:
    """One point per minute in a zone: Active Zone Minutes, or time in heart-rate zone."""
    points = []
    for index in range(detail.length):
        zone = detail.zone_of(index)
        if zone is None:
            continue
        if kind.id == "active-zone-minutes":
            if zone not in AZM_ZONES:
                continue
            name, minutes = AZM_ZONES[zone]
            field, value = "activeZoneMinutes", {"activeZoneMinutes": str(minutes), "heartRateZone": name}
        else:
            field, value = "timeInHeartRateZone", {"heartRateZoneType": zone}
        points.append(_interval_point(kind, detail.moment(index), detail.moment(index + 1), field, value))
    return points


def _duration(seconds: float) -> str:
    return f"{int(seconds)}s"


def _exercises(account: Account, detail: Day) -> list[Point]:
    points = []
    for one in detail.exercises:
        start, end = detail.moment(one.first), detail.moment(one.first + one.minutes)
        zones = {f"{zone.lower()}Time": _duration(seconds) for zone, seconds in one.zone_seconds.items() if seconds}
        body = {"name": _point_name(account, "exercise", f"{account.name}:{start.isoformat()}:exercise"),
                "dataSource": TRACKER, "exercise": {
                    "interval": interval(start, end), "exerciseType": one.kind,
                    "displayName": EXERCISES[one.kind][0], "activeDuration": _duration(one.minutes * 60),
                    "metricsSummary": {
                        "caloriesKcal": one.kcal, "distanceMillimeters": float(one.millimeters),
                        "steps": str(one.steps), "averageHeartRateBeatsPerMinute": str(one.average_bpm),
                        "activeZoneMinutes": str(one.azm), "heartRateZoneDurations": zones},
                    "exerciseMetadata": {"hasGps": one.kind == "RUNNING"},
                    "createTime": interval(end, end)["endTime"], "updateTime": interval(end, end)["endTime"]}}
        keys = {"exercise.interval.civil_start_time": start.replace(tzinfo=None)}
        points.append(Point(start, keys, body))
    return points


# daily type -> (DataPoint field, the body of a day from intraday.daily_health's measurements)
DAILY_HEALTH = {
    "daily-heart-rate-variability": ("dailyHeartRateVariability", "hrv", lambda h: {
        "averageHeartRateVariabilityMilliseconds": h["hrv"], "nonRemHeartRateBeatsPerMinute": str(h["non_rem_bpm"]),
        "entropy": h["entropy"], "deepSleepRootMeanSquareOfSuccessiveDifferencesMilliseconds": h["deep_rmssd"]}),
    "daily-oxygen-saturation": ("dailyOxygenSaturation", "spo2", lambda h: {
        "averagePercentage": h["spo2"], "lowerBoundPercentage": h["spo2_low"],
        "upperBoundPercentage": h["spo2_high"], "standardDeviationPercentage": 0.7}),
    "daily-respiratory-rate": ("dailyRespiratoryRate", "breathing", lambda h: {"breathsPerMinute": h["breathing"]}),
    "daily-sleep-temperature-derivations": ("dailySleepTemperatureDerivations", "nightly", lambda h: {
        "nightlyTemperatureCelsius": h["nightly"], "baselineTemperatureCelsius": h["baseline"],
        "relativeNightlyStddev30dCelsius": 0.31}),
    "daily-vo2-max": ("dailyVo2Max", "vo2max", lambda h: {
        "vo2Max": h["vo2max"], "estimated": False, "vo2MaxCovariance": 1.9,
        "cardioFitnessLevel": ("POOR", "FAIR", "AVERAGE", "GOOD", "VERY_GOOD", "EXCELLENT")[
            min(5, max(0, int((h["vo2max"] - 32) // 4)))]}),
}


def _daily_health(kind: DataType, account: Account, day: date, values: dict) -> list[Point]:
    field, needed, body = DAILY_HEALTH[kind.id]
    health = daily_health(account.name, day, values)
    if health.get(needed) is None:
        return []
    start = local(day, time(0), account.timezone)
    return [Point(start, {f"{kind.filter_name}.date": day},
                  {"dataSource": TRACKER, field: {"date": date_json(day)} | body(health)})]


def _body_fat(account: Account, day: date, values: dict) -> list[Point]:
    fat = daily_health(account.name, day, values).get("body_fat")
    if fat is None:
        return []
    moment = local(day, time.fromisoformat(values["weight"]["time"]), account.timezone)
    keys = {"body_fat.sample_time.physical_time": moment, "body_fat.sample_time.civil_time": moment.replace(tzinfo=None)}
    return [Point(moment, keys, {"dataSource": SCALE, "bodyFat": {"sampleTime": sample_time(moment), "percentage": fat}})]


def _hourly(kind: DataType, account: Account, day: date, amounts: dict) -> list[Point]:
    rng = random.Random(f"{account.name}:{day.isoformat()}:hours")
    weights = [rng.uniform(0.2, 1.8) for _ in HOURS]
    if kind.id == "active-minutes":
        levels = {level: split(amounts[level], [1.0] * len(HOURS))
                  for level in ("LIGHT", "MODERATE", "VIGOROUS")}
    elif kind.id == "floors":
        floors = split(amounts["floors"], [rng.uniform(0, 1) for _ in HOURS])
    else:
        counts = split(amounts["steps"], weights)
        millimeters = split(amounts["millimeters"], weights)
    points = []
    for index, hour in enumerate(HOURS):
        start = local(day, time(hour), account.timezone)
        end = local(day, time(hour + 1), account.timezone)
        if kind.id == "active-minutes":
            value = {"activeMinutesByActivityLevel": [
                {"activityLevel": level, "activeMinutes": str(minutes[index])}
                for level, minutes in levels.items() if minutes[index]]}
            keep, field = bool(value["activeMinutesByActivityLevel"]), "activeMinutes"
        elif kind.id == "floors":
            value, keep, field = {"count": str(floors[index])}, floors[index] > 0, "floors"
        elif kind.id == "distance":
            value, keep, field = ({"millimeters": str(millimeters[index])},
                                  millimeters[index] > 0, "distance")
        else:
            value, keep, field = {"count": str(counts[index])}, counts[index] > 0, "steps"
        if keep:
            points.append(_interval_point(kind, start, end, field, value))
    return points


def _resting(account: Account, day: date, values: dict) -> list[Point]:
    if values["restingHeartRate"] is None:
        return []
    start = local(day, time(0), account.timezone)
    method = "WITH_SLEEP" if values["sleep"] else "ONLY_WITH_AWAKE_DATA"
    return [Point(start, {"daily_resting_heart_rate.date": day}, {"dailyRestingHeartRate": {
        "date": date_json(day), "beatsPerMinute": str(values["restingHeartRate"]),
        "dailyRestingHeartRateMetadata": {"calculationMethod": method}}})]


def _weight(account: Account, day: date, values: dict, weigh_ins: int) -> list[Point]:
    """The day's weigh-ins, half an hour apart; their mean is the day's weight."""
    if not values["weight"]:
        return []
    first = local(day, time.fromisoformat(values["weight"]["time"]), account.timezone)
    grams = daily_amounts(values)["grams"]
    points = []
    for index in range(weigh_ins):
        moment = first + index * WEIGH_IN_SPACING
        keys = {"weight.sample_time.physical_time": moment,
                "weight.sample_time.civil_time": moment.replace(tzinfo=None)}
        # Spread symmetrically around the day's weight, so the mean stays exactly that.
        value = grams + (index - (weigh_ins - 1) / 2) * 100
        points.append(Point(moment, keys, {"dataSource": SCALE, "weight": {
            "sampleTime": sample_time(moment), "weightGrams": value}}))
    return points


def in_progress(point: Point) -> Point:
    """Return a sleep point as Google answers while the session goes on: no end, no summary."""
    sleep = dict(point.body["sleep"])
    sleep["interval"] = {key: value for key, value in sleep["interval"].items()
                         if key not in ("endTime", "endUtcOffset", "civilEndTime")}
    for key in ("summary", "updateTime"):
        sleep.pop(key, None)
    return point._replace(body=point.body | {"sleep": sleep})


def mirrored(points: list[Point]) -> list[Point]:
    """Return each point followed by its Health Connect mirror (same record, another source)."""
    copies = []
    for point in points:
        mirror = point.body | {"dataSource": MIRROR}
        if "name" in mirror:
            mirror["name"] = mirror["name"][:-12] + "0000mirrored"
        copies += [point, point._replace(body=mirror)]
    return copies


def _stages(start: datetime, parts: list[tuple[str, int]]) -> list[dict]:
    stages, moment = [], start
    for kind, minutes in parts:
        end = moment + timedelta(minutes=minutes)
        segment = interval(moment, end)
        stages.append({key: segment[key] for key in (
            "startTime", "startUtcOffset", "endTime", "endUtcOffset")} | {"type": kind})
        moment = end
    return stages


def _cycles(rng: random.Random, totals: dict[str, int], classic: bool) -> list[tuple[str, int]]:
    """Lay a night's stage totals out as sleep cycles of about 90 minutes.

    Stages nights: a little wake to start, then per cycle light, deep (most in the first
    cycles), light, REM (most in the last) and a brief wake. Classic nights: asleep with
    restless and awake spells between. The totals stay exactly the summary's.
    """
    cycles = max(3, round(sum(totals.values()) / 90))
    if classic:
        asleep = split(totals["ASLEEP"], [1.0] * cycles)
        restless = split(totals["RESTLESS"], [1.0] * cycles)
        awake = split(totals["AWAKE"], [1.0] * cycles)
        parts = [part for n in range(cycles) for part in (
            ("ASLEEP", asleep[n]), ("RESTLESS", restless[n]), ("AWAKE", awake[n]))]
    else:
        deep = split(totals["DEEP"], [float(cycles - n) for n in range(cycles)])
        rem = split(totals["REM"], [float(n + 1) for n in range(cycles)])
        light = split(totals["LIGHT"], [rng.uniform(0.8, 1.2) for _ in range(2 * cycles)])
        wake = split(totals["AWAKE"], [rng.uniform(0.5, 1.5) for _ in range(cycles + 1)])
        parts = [("AWAKE", wake[0])] + [part for n in range(cycles) for part in (
            ("LIGHT", light[2 * n]), ("DEEP", deep[n]), ("LIGHT", light[2 * n + 1]), ("REM", rem[n]),
            ("AWAKE", wake[n + 1]))]
    merged: list[tuple[str, int]] = []
    for kind, minutes in parts:
        if not minutes:
            continue
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + minutes)
        else:
            merged.append((kind, minutes))
    return merged


def _short_wakes(rng: random.Random, start: datetime, parts: list[tuple[str, int]]) -> list[dict]:
    """Brief wakes inside light sleep (Fitbit's levels.shortData): listed apart, not in the summary."""
    wakes, moment = [], start
    for kind, minutes in parts:
        if kind == "LIGHT" and minutes >= 10 and rng.random() < 0.5:
            begin = moment + timedelta(minutes=rng.randint(2, minutes - 4), seconds=rng.choice((0, 30)))
            segment = interval(begin, begin + timedelta(seconds=rng.choice((30, 60, 90, 120))))
            wakes.append({key: segment[key] for key in (
                "startTime", "startUtcOffset", "endTime", "endUtcOffset")} | {"type": "AWAKE"})
        moment += timedelta(minutes=minutes)
    return wakes


def _sleep(account: Account, day: date, values: dict) -> list[Point]:
    sleep = values["sleep"]
    if not sleep:
        return []
    zone = ZoneInfo(account.timezone)
    start = datetime.fromisoformat(sleep["startTime"]).replace(tzinfo=zone)
    end = datetime.fromisoformat(sleep["endTime"]).replace(tzinfo=zone)
    stages = sleep["stages"]
    rng = random.Random(f"{account.name}:{day.isoformat()}:sleep-type")
    # About one night in seven is "classic" (no stage detection), as on older trackers.
    classic = rng.random() < 0.15
    if classic:
        restless = stages["wake"] // 2
        summary = {"ASLEEP": sleep["minutesAsleep"], "RESTLESS": restless, "AWAKE": stages["wake"] - restless}
    else:
        summary = {"LIGHT": stages["light"], "DEEP": stages["deep"], "REM": stages["rem"], "AWAKE": stages["wake"]}
    parts = _cycles(rng, summary, classic)
    totals: dict[str, list[int]] = {}
    for kind, minutes in parts:
        totals.setdefault(kind, [0, 0])
        totals[kind][0] += minutes
        totals[kind][1] += 1
    uid = hashlib.sha256(f"{account.name}:{day}:sleep".encode()).hexdigest()
    awake = totals["AWAKE"][0]
    body = {"name": f"users/{health_user_id(account.name)}/dataTypes/sleep/dataPoints/"
                    f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}",
            "dataSource": TRACKER, "sleep": {
                "interval": interval(start, end), "type": "CLASSIC" if classic else "STAGES",
                "stages": _stages(start, parts),
                **({} if classic else {"shortAwakenings": _short_wakes(rng, start, parts)}),
                "metadata": {"processed": True, "mainSleep": True, "nap": False,
                             "manuallyEdited": False,
                             "stagesStatus": "REJECTED_COVERAGE" if classic else "SUCCEEDED"},
                "summary": {
                    "minutesAsleep": str(sleep["minutesAsleep"]), "minutesAwake": str(awake),
                    "minutesInSleepPeriod": str(sleep["timeInBed"]),
                    "minutesToFallAsleep": "0", "minutesAfterWakeUp": "0",
                    "stagesSummary": [{"type": kind, "minutes": str(minutes),
                                       "count": str(count)}
                                      for kind, (minutes, count) in totals.items()]},
                "createTime": interval(end, end)["endTime"],
                "updateTime": interval(end, end)["endTime"]}}
    keys = {"sleep.interval.end_time": end,
            "sleep.interval.civil_end_time": end.replace(tzinfo=None)}
    return [Point(start, keys, body)] + _nap(account, day)


def _nap(account: Account, day: date) -> list[Point]:
    """The day's nap: a short classic sleep, not the main one."""
    nap = nap_of(account.name, day)
    if nap is None:
        return []
    zone = ZoneInfo(account.timezone)
    start, length = nap[0].replace(tzinfo=zone), nap[1]
    end = start + timedelta(minutes=length)
    rng = random.Random(f"{account.name}:{day.isoformat()}:nap-stages")
    awake, restless = rng.randint(2, 6), rng.randint(1, 4)
    parts = [("AWAKE", awake), ("ASLEEP", length - awake - restless - 1), ("RESTLESS", restless), ("AWAKE", 1)]
    totals: dict[str, list[int]] = {}
    for kind, minutes in parts:
        totals.setdefault(kind, [0, 0])
        totals[kind][0] += minutes
        totals[kind][1] += 1
    body = {"name": _point_name(account, "sleep", f"{account.name}:{day}:nap"), "dataSource": TRACKER, "sleep": {
        "interval": interval(start, end), "type": "CLASSIC", "stages": _stages(start, parts),
        "metadata": {"processed": True, "nap": True, "stagesStatus": "REJECTED_NAP"},
        "summary": {"minutesAsleep": str(totals["ASLEEP"][0]), "minutesAwake": str(totals["AWAKE"][0]),
                    "minutesInSleepPeriod": str(length),
                    "stagesSummary": [{"type": kind, "minutes": str(minutes), "count": str(count)}
                                      for kind, (minutes, count) in totals.items()]},
        "createTime": interval(end, end)["endTime"], "updateTime": interval(end, end)["endTime"]}}
    keys = {"sleep.interval.end_time": end, "sleep.interval.civil_end_time": end.replace(tzinfo=None)}
    return [Point(start, keys, body)]


def day_points(kind: DataType, account: Account, day: date, values: dict,
               behaviours: Behaviours = Behaviours(), today: date | None = None) -> list[Point]:
    """Return the data points of one type on one served day."""
    if kind.id in ("steps", "distance"):
        return _minute_hours(kind, detail_of(account.name, day, values), daily_amounts(values))
    if kind.id == "heart-rate":
        return _heart_rate(detail_of(account.name, day, values))
    if kind.id in ("active-zone-minutes", "time-in-heart-rate-zone"):
        return _zone_minutes(kind, detail_of(account.name, day, values))
    if kind.id in DAILY_HEALTH:
        return _daily_health(kind, account, day, values)
    if kind.id == "body-fat":
        return _body_fat(account, day, values)
    if kind.id == "exercise":
        return _exercises(account, detail_of(account.name, day, values))
    if kind.record == "interval":
        return _hourly(kind, account, day, daily_amounts(values))
    if kind.id == "daily-resting-heart-rate":
        return _resting(account, day, values)
    if kind.id == "weight":
        points = _weight(account, day, values, behaviours.weigh_ins)
    else:
        points = _sleep(account, day, values)
        if behaviours.sleep_in_progress and day == today:
            points = [in_progress(point) for point in points]
    return mirrored(points) if behaviours.mirrors else points
