"""The newer families: workouts (exercise-*.json), zone minutes, VO2 max and the daily health CSVs."""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .families import stamp_day

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
