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
from .people import health_user_id
from .times import date_json, interval, local, sample_time
from .values import daily_amounts

# Google stores interval types at 1-minute resolution; the demo spreads each day over hourly
# points of the waking hours, which keeps pages small while a client must still add them up.
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


def _sleep(account: Account, day: date, values: dict) -> list[Point]:
    sleep = values["sleep"]
    if not sleep:
        return []
    zone = ZoneInfo(account.timezone)
    start = datetime.fromisoformat(sleep["startTime"]).replace(tzinfo=zone)
    end = datetime.fromisoformat(sleep["endTime"]).replace(tzinfo=zone)
    stages = sleep["stages"]
    # About one night in seven is "classic" (no stage detection), as on older trackers.
    classic = random.Random(f"{account.name}:{day.isoformat()}:sleep-type").random() < 0.15
    if classic:
        restless = stages["wake"] // 2
        parts = [("ASLEEP", sleep["minutesAsleep"] // 2), ("RESTLESS", restless),
                 ("ASLEEP", sleep["minutesAsleep"] - sleep["minutesAsleep"] // 2),
                 ("AWAKE", stages["wake"] - restless)]
    else:
        parts = [("LIGHT", stages["light"] // 2), ("DEEP", stages["deep"]),
                 ("LIGHT", stages["light"] - stages["light"] // 2), ("REM", stages["rem"]),
                 ("AWAKE", stages["wake"])]
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
    return [Point(start, keys, body)]


def day_points(kind: DataType, account: Account, day: date, values: dict,
               behaviours: Behaviours = Behaviours(), today: date | None = None) -> list[Point]:
    """Return the data points of one type on one served day."""
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
