"""Parse one archive member of each family into per-file values, in metric units, touching nothing else.

Every function takes one file's decoded content and returns what that file
says; the collector (collect.py) merges files. A malformed file raises
ValueError, KeyError or TypeError, and is then reported and skipped whole.
Units and zones per family are those of fitbit-archive.md.
"""

import csv
import functools
import io
import itertools
import json
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import ijson
import msgspec

from ..sources import DayValue, SleepSession, SleepStage

PLACEHOLDER = b"no data"


def json_records(data: bytes | io.BufferedIOBase) -> Iterable[dict]:
    """Return a Global Export Data file's records: a list, or a stream of them for a big file."""
    if isinstance(data, bytes):
        if data.strip() == PLACEHOLDER:
            return []
        records = json.loads(data)
    else:
        records = ijson.items(data, "item", use_float=True)
    if isinstance(records, dict) or not hasattr(records, "__iter__"):
        raise ValueError("the file is not a list of records")
    return records


def stamp_day(stamp: str) -> date:
    """Return the date of a stamp "MM/DD/YY ..." (two-digit years are 20YY)."""
    return date(2000 + int(stamp[6:8]), int(stamp[0:2]), int(stamp[3:5]))


@functools.lru_cache(maxsize=4096)
def stamp_date(prefix: str) -> date:
    """Return stamp_day of a stamp's first eight characters ("MM/DD/YY"), cached: minute files repeat them."""
    return stamp_day(prefix)


def minute_buckets(records: Iterable[dict], key_length: int) -> dict[str, float]:
    """Sum per-minute values ("68", a string) into buckets keyed by the first key_length characters of the stamp."""
    buckets: dict[str, float] = {}
    get = buckets.get
    # Records come in time order, so a bucket's minutes are summed locally and the dict is touched
    # once per bucket, not per minute (any order still sums right).
    current, total = None, 0.0
    for record in records:
        key = record["dateTime"][:key_length]
        if key != current:
            if current is not None:
                buckets[current] = get(current, 0.0) + total
            current, total = key, 0.0
        total += float(record["value"])
    if current is not None:
        buckets[current] = get(current, 0.0) + total
    return buckets


class _MinuteRecord(msgspec.Struct, gc=False):
    dateTime: str
    value: str | float  # a string ("68") in every export read


_MINUTE_RECORDS = msgspec.json.Decoder(list[_MinuteRecord])


def minute_records(data: bytes | io.BufferedIOBase) -> Iterable:
    """Return a minute file's records (steps, distance, calories): slim structs, or dicts from a stream."""
    if not isinstance(data, bytes):
        return json_records(data)
    if data.strip() == PLACEHOLDER:
        return []
    return _MINUTE_RECORDS.decode(data)


def minute_values(records: Iterable) -> dict[str, float]:
    """Sum a minute file's values per minute ("MM/DD/YY HH:MM"): one file held the same minute twice
    ("7" and "0", fitbit-archive.md), and both count, as they always have in the day's total."""
    if isinstance(records, list) and records and not isinstance(records[0], dict):
        keys = [record.dateTime[:14] for record in records]
        values = list(map(float, [record.value for record in records]))
    else:
        keys, values = [], []
        for record in records:
            keys.append(record["dateTime"][:14])
            values.append(float(record["value"]))
    minutes = dict(zip(keys, values))
    if len(minutes) != len(keys):
        minutes = {}
        for key, value in zip(keys, values):
            minutes[key] = minutes.get(key, 0.0) + value
    return minutes


def daily_values(records: Iterable[dict]) -> dict[date, float]:
    """Return one value per local day ("very_active_minutes" and the other minute totals)."""
    return {stamp_day(record["dateTime"]): float(record["value"]) for record in records}


def resting_values(records: Iterable[dict]) -> dict[date, float]:
    """Return resting heart rate per local day; `{"date": null, "value": 0.0}` entries are no data."""
    values = {}
    for record in records:
        value = record["value"]
        if not isinstance(value, dict):
            raise TypeError("a resting heart rate value is not an object")
        if value.get("date") and value.get("value"):
            values[stamp_day(record["dateTime"])] = float(value["value"])
    return values


def sleep_logs(records: Iterable[dict]) -> dict[int, tuple[bool, DayValue, SleepSession | None]]:
    """Return each sleep log by id: whether it is the main sleep, its value on its wake date, and the
    session with its stages (None for a log without start and end)."""
    logs = {}
    for log in records:
        levels = log.get("levels") or {}
        summary = levels.get("summary") or {}
        # Stages logs summarise deep/light/rem/wake, classic ones asleep/restless/awake (as the Web API does).
        stages = {name: int(part.get("minutes", 0)) for name, part in summary.items() if isinstance(part, dict)}
        day = date.fromisoformat(log["dateOfSleep"])
        details = {
            "type": log.get("type"), "stages": stages, "minutes_awake": log.get("minutesAwake"),
            "time_in_bed": log.get("timeInBed"), "efficiency": log.get("efficiency"),
            "start": log.get("startTime"), "end": log.get("endTime"),
        }
        main = bool(log.get("mainSleep", True))
        logs[log["logId"]] = (main, DayValue(day, float(log["minutesAsleep"]), details), sleep_session(log, main))
    return logs


def local_time(text: str) -> datetime:
    """Parse a sleep log's local wall-clock time ("2015-06-15T23:46:00.000"), naive, to the second."""
    return datetime.fromisoformat(text[:19])


def sleep_session(log: dict, main: bool) -> SleepSession | None:
    """Return a sleep log as a session: local start and end, `levels.data` stages, `levels.shortData` wakes.

    `type` is the log's ("stages" or "classic"); logs without one (before about 2017) are
    classic when their summary counts asleep/restless/awake minutes.
    """
    if not log.get("startTime"):
        return None
    start = local_time(log["startTime"])
    end = local_time(log["endTime"]) if log.get("endTime") else start + timedelta(milliseconds=int(log["duration"]))
    levels = log.get("levels") or {}
    kind = log.get("type") or ("classic" if "asleep" in (levels.get("summary") or {}) else "stages")
    return SleepSession(start, end, main, kind, int(log["minutesAsleep"]), stages=sleep_stages(levels.get("data")),
                        short_wakes=sleep_stages(levels.get("shortData")))


def sleep_stages(items) -> tuple[SleepStage, ...]:
    """Return `levels.data` (or `shortData`) entries {"dateTime", "level", "seconds"} as stages, in time order."""
    stages = [SleepStage(local_time(item["dateTime"]), int(item["seconds"]), str(item["level"])) for item in items or ()]
    return tuple(sorted(stages, key=lambda stage: stage.start))


def weight_logs(records: Iterable[dict]) -> dict[int, tuple[str, DayValue, float | None]]:
    """Return each weigh-in by id: its local date and time, its weight as written (unit undecided:
    weights.py), with BMI and fat, and its BMI."""
    logs = {}
    for log in records:
        day = stamp_day(log["date"])
        details = {key: float(log[key]) for key in ("bmi", "fat") if log.get(key) is not None}
        logs[log["logId"]] = (f"{day.isoformat()} {log.get('time', '')}",
                              DayValue(day, float(log["weight"]), details or None), details.get("bmi"))
    return logs


def height_metres(value, per_metre: float) -> float | None:
    """Return a height in metres from a value in cm (per_metre 100) or mm (1000); None when not a human one."""
    try:
        metres = float(value) / per_metre
    except (TypeError, ValueError):
        return None
    return metres if 0.5 <= metres <= 2.6 else None


def height_values(records: Iterable[dict]) -> dict[str, float]:
    """Return height-*.json's values (millimetres) in metres, by stamp."""
    heights = {}
    for record in records:
        metres = height_metres(record["value"], 1000)
        if metres:
            heights[record["dateTime"]] = metres
    return heights


def csv_rows(data: bytes | io.BufferedIOBase) -> Iterable[dict[str, str]]:
    """Return a CSV file's rows as dicts (read as a stream from a file); a placeholder or a header alone gives none."""
    if isinstance(data, bytes):
        if data.strip() == PLACEHOLDER:
            return []
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    text = io.TextIOWrapper(data, encoding="utf-8-sig", newline="")
    first = text.readline(len(PLACEHOLDER) * 4 + 4096)
    if first.strip().encode() == PLACEHOLDER:
        return []
    return csv.DictReader(itertools.chain([first], text))


def csv_value(row: dict[str, str], column: str) -> float:
    """Return the row's value in column, or in its second column when the name differs."""
    if column in row:
        return float(row[column])
    return float(list(row.values())[1])


def instant(text: str) -> datetime:
    """Parse a CSV timestamp: ISO 8601 in UTC with a "Z" (fractions of a second allowed)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a zone: {text!r}")
    return moment


def per_device_days(rows: list[dict[str, str]], column: str, day_of) -> dict[date, float]:
    """Sum a per-minute CSV per local day and device, then keep one device's total per day.

    The rows repeat one another per device and phone ("Live Pace" repeats the band):
    adding them gives 2-4 times the real total, so the largest single device counts.
    """
    totals: dict[tuple[str, date], float] = defaultdict(float)
    for row in rows:
        totals[(row.get("data source") or "", day_of(instant(row["timestamp"])))] += csv_value(row, column)
    days: dict[date, float] = {}
    for (_, day), value in totals.items():
        days[day] = max(days.get(day, 0.0), value)
    return days


def latest_per_day(rows: list[dict[str, str]], column: str, day_of) -> dict[date, tuple[datetime, float]]:
    """Return the last reading of each local day (weigh-ins in the CSV)."""
    days: dict[date, tuple[datetime, float]] = {}
    for row in rows:
        moment = instant(row["timestamp"])
        day = day_of(moment)
        if day not in days or days[day][0] <= moment:
            days[day] = (moment, csv_value(row, column))
    return days


def labelled_days(rows: list[dict[str, str]], column: str) -> dict[date, float]:
    """Return daily CSV rows; their "...T00:00:00Z" stamps label the local date, they are not instants."""
    return {date.fromisoformat(row["timestamp"].strip()[:10]): csv_value(row, column) for row in rows
            if csv_value(row, column)}


# ---- heart rate: the biggest files by far, parsed without a dict per sample ----

# gc=False: tens of thousands of structs a file, none referring back; the cyclic collector walking
# them (and the import's whole heap) on every allocation burst cost ten times the decoding itself.
class _Bpm(msgspec.Struct, gc=False):
    bpm: float  # whole numbers in every export read; any `confidence` counts (it is ignored here)


class _Sample(msgspec.Struct, gc=False):
    dateTime: str
    value: _Bpm


_HEART_RATE = msgspec.json.Decoder(list[_Sample])
_STAMP, _BPM = operator.attrgetter("dateTime"), operator.attrgetter("value.bpm")


def heart_rate_minutes(data: bytes | io.BufferedIOBase) -> list[tuple[str, float, int]]:
    """Return a heart_rate-*.json file's samples per UTC minute: ("MM/DD/YY HH:MM", sum of bpm, samples).

    `{"dateTime":"01/25/23 13:00:07","value":{"bpm":54,"confidence":2}}` every few seconds
    (fitbit-archive.md): a day holds 10,000 to 40,000. They are decoded by msgspec into slim
    structs and summed per minute without a Python step per sample where the file is in time
    order (as every export read is): a count per minute and running sums.
    """
    if not isinstance(data, bytes):
        return minute_sums((record["dateTime"][:14], float(record["value"]["bpm"]))
                           for record in ijson.items(data, "item", use_float=True))
    if data.strip() == PLACEHOLDER:
        return []
    samples = _HEART_RATE.decode(data)
    keys = [stamp[:14] for stamp in map(_STAMP, samples)]
    counts = Counter(keys)
    runs = 1 + sum(map(operator.ne, keys, itertools.islice(keys, 1, None))) if keys else 0
    if runs != len(counts):
        return minute_sums(zip(keys, map(_BPM, samples)))
    running = list(itertools.accumulate(map(_BPM, samples), initial=0.0))
    minutes, index = [], 0
    for key, count in counts.items():
        minutes.append((key, running[index + count] - running[index], count))
        index += count
    return minutes


def minute_sums(pairs: Iterable[tuple[str, float]]) -> list[tuple[str, float, int]]:
    """Sum (minute key, value) pairs per minute, in any order."""
    sums: dict[str, list] = {}
    for key, value in pairs:
        found = sums.get(key)
        if found is None:
            sums[key] = [value, 1]
        else:
            found[0] += value
            found[1] += 1
    return [(key, total, count) for key, (total, count) in sums.items()]


def utc_minute_key(text: str) -> str:
    """Turn a CSV's ISO UTC timestamp ("2024-10-27T00:00:04Z") into a minute key "MM/DD/YY HH:MM"."""
    text = text.strip()
    if len(text) < 17 or text[10] != "T" or not text.endswith("Z"):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    return f"{text[5:7]}/{text[8:10]}/{text[2:4]} {text[11:16]}"


def csv_heart_rate_minutes(rows: Iterable[dict[str, str]]) -> list[tuple[str, float, int]]:
    """Return `Physical Activity_GoogleData/Heart Rate/heart_rate_*.csv` rows per UTC minute.

    Columns `timestamp,beats per minute,data source`, UTC with "Z", a sample every few
    seconds (kev-m/FitOut fitout/importers/heart_rate.py; blakster/air-health docs/takeout-format.md).
    """
    return minute_sums((utc_minute_key(row["timestamp"]), csv_value(row, "beats per minute")) for row in rows)


# ---- workouts ----

# distanceUnit -> km. Absent in some exports: the profile's unit then (fitbit-archive.md, "Workouts").
KM_PER_UNIT = {"kilometer": 1.0, "mile": 1.609344, "meter": 0.001, "yard": 0.0009144, "foot": 0.0003048}


@dataclass(frozen=True)
class ExerciseLog:
    """One `exercise-<n>.json` record, its start still as written (UTC or local: decided per archive)."""

    stamp: str
    seconds: int
    type: str
    calories: float | None
    distance: float | None
    unit: str | None
    average_heart_rate: float | None
    steps: int | None
    heart_rate_zones: dict | None


def stamp_time(stamp: str) -> datetime:
    """Parse "MM/DD/YY HH:MM:SS" (20YY), naive, to the second."""
    return datetime(2000 + int(stamp[6:8]), int(stamp[0:2]), int(stamp[3:5]), int(stamp[9:11]), int(stamp[12:14]),
                    int(stamp[15:17]) if len(stamp) >= 17 else 0)


def number(value) -> float | None:
    """Return a finite number, or None for a missing, blank or NaN one."""
    if value is None or value == "":
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def exercise_logs(records: Iterable[dict]) -> dict[int, ExerciseLog]:
    """Return each activity of an exercise page by logId (pages repeat activities at their edges).

    `startTime` "MM/DD/YY HH:MM:SS", `duration` in ms (`activeDuration` when there is no
    duration), `distance` with `distanceUnit`, `averageHeartRate`, `calories`, `steps`,
    `activityName` and `heartRateZones` [{"name", "min", "max", "minutes"}]
    (fitbit-archive.md "Workouts"; danlsn/fitport; kev-m/FitOut fitout/importers/exercise.py).
    """
    logs = {}
    for record in records:
        stamp_time(record["startTime"])  # a start that is not a time makes the file bad, not a workout
        milliseconds = record.get("duration") or record.get("activeDuration") or 0
        zones = {str(zone["name"]): int(zone.get("minutes") or 0) for zone in record.get("heartRateZones") or ()
                 if isinstance(zone, dict) and zone.get("name")}
        steps = number(record.get("steps"))
        logs[record["logId"]] = ExerciseLog(
            record["startTime"], round(float(milliseconds) / 1000), str(record.get("activityName") or "Workout"),
            number(record.get("calories")), number(record.get("distance")),
            str(record["distanceUnit"]).lower() if record.get("distanceUnit") else None,
            number(record.get("averageHeartRate")), int(steps) if steps is not None else None, zones or None)
    return logs


# ---- daily values of the newer families ----

# time_in_heart_rate_zones' keys -> Fitbit's zone names (as its Web API names them).
ZONE_NAMES = {"BELOW_DEFAULT_ZONE_1": "Out of Range", "IN_DEFAULT_ZONE_1": "Fat Burn",
              "IN_DEFAULT_ZONE_2": "Cardio", "IN_DEFAULT_ZONE_3": "Peak"}


def heart_rate_zones(records: Iterable[dict]) -> dict[date, dict[str, float]]:
    """Return minutes per heart-rate zone per local day from time_in_heart_rate_zones-*.json:
    `{"dateTime":"01/01/20 00:00:00","value":{"valuesInZones":{"BELOW_DEFAULT_ZONE_1":1329.0,
    "IN_DEFAULT_ZONE_1":34.0,"IN_DEFAULT_ZONE_2":7.0,"IN_DEFAULT_ZONE_3":0.0}}}`
    (fitport and other public readers of the export; custom-zone keys are left out)."""
    days = {}
    for record in records:
        zones = record["value"]["valuesInZones"]
        minutes = {name: float(zones[key]) for key, name in ZONE_NAMES.items() if zones.get(key) is not None}
        if minutes:
            days[stamp_day(record["dateTime"])] = minutes
    return days


def vo2max_values(records: Iterable[dict]) -> dict[date, float]:
    """Return cardio fitness per local day from demographic_vo2_max-*.json: `{"dateTime":"01/12/17 00:00:00",
    "value":{"demographicVO2Max":45.97,"demographicVO2MaxError":3.0,"filteredDemographicVO2Max":45.97,...}}`.
    The filtered figure is the one Fitbit shows; the raw one stands in without it (danlsn/fitport README)."""
    days = {}
    for record in records:
        value = record["value"]
        found = number(value.get("filteredDemographicVO2Max")) or number(value.get("demographicVO2Max"))
        if found:
            days[stamp_day(record["dateTime"])] = found
    return days


def daily_column(rows: Iterable[dict[str, str]], column: str) -> dict[date, float]:
    """Return a daily CSV's column per date: its `timestamp` ("2024-07-21T00:00:00", sometimes with "Z") labels
    the local date, it is not an instant; blank, NaN and zero values are no data."""
    days = {}
    for row in rows:
        value = number(row.get(column))
        if value:
            days[date.fromisoformat(row["timestamp"].strip()[:10])] = value
    return days


def computed_temperature(rows: Iterable[dict[str, str]]) -> dict[date, float]:
    """Return the night's skin temperature relative to the personal baseline (deg C) on the date it ends.

    `Computed Temperature - *.csv`: `type,sleep_start,sleep_end,temperature_samples,nightly_temperature,
    baseline_relative_sample_sum,...` (local times): the variation is baseline_relative_sample_sum /
    temperature_samples (fitbit-archive.md; public readers of the mcPHASES Fitbit data do the same). Of
    a nap and a night ending the same date, the one with more samples counts.
    """
    nights: dict[date, tuple[float, float]] = {}
    for row in rows:
        samples, total = number(row.get("temperature_samples")), number(row.get("baseline_relative_sample_sum"))
        if not samples or total is None or not row.get("sleep_end"):
            continue
        day = date.fromisoformat(row["sleep_end"].strip()[:10])
        if day not in nights or nights[day][0] < samples:
            nights[day] = (samples, total / samples)
    return {day: round(value, 3) for day, (_, value) in nights.items()}


def temperature_derivations(rows: Iterable[dict[str, str]]) -> dict[date, float]:
    """Return the night's skin temperature against the baseline from `daily_sleep_temperature_derivations*.csv`.

    Its `nightly temperature celsius` is absolute; fitlink keeps the variation from the personal
    baseline, so only rows that also carry `baseline temperature celsius` (as the Google Health
    API's baselineTemperatureCelsius) give a value: the column is not confirmed in a real export.
    """
    days = {}
    for row in rows:
        nightly, baseline = number(row.get("nightly temperature celsius")), number(row.get("baseline temperature celsius"))
        if nightly is not None and baseline is not None:
            days[date.fromisoformat(row["timestamp"].strip()[:10])] = round(nightly - baseline, 3)
    return days


def local_zone_minutes(rows: Iterable[dict[str, str]]) -> dict[date, float]:
    """Return Active Zone Minutes per local date from `Active Zone Minutes - *.csv`:
    `date_time,heart_zone_id,total_minutes` per minute, `date_time` local without a zone
    ("2024-01-01T08:31"), 1 a fat-burn minute and 2 a cardio or peak one (blakster/air-health)."""
    days: dict[date, float] = defaultdict(float)
    for row in rows:
        days[date.fromisoformat(row["date_time"].strip()[:10])] += float(row["total_minutes"])
    return dict(days)
