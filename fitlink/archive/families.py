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
from collections import defaultdict
from collections.abc import Iterable
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
