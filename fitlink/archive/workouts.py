"""Workouts from `exercise-<n>.json`, placed on the local clock: their `startTime` is UTC, or local.

Sources disagree. fitbit-archive.md ("Workouts") measured a real 2026 export:
each walk's logged `steps` match the minute steps inside [startTime, startTime +
duration) read as UTC (844 of 879, 737 of 771), none read as local time, and
FloorLamp/allos `fitbit-takeout.ts` and the simonaubury.com DuckDB write-up found
the same; several public parsers (kev-m/FitOut, danlsn/fitport) read it as local
time. So both are tried: each workout with steps is checked against the
archive's own minute steps under either reading, and the reading that matches
more workouts places them all; UTC when neither wins (no steps to compare).
"""

from datetime import datetime, timedelta, timezone

from ..sources import Workout
from .health import KM_PER_UNIT, ExerciseLog, stamp_time
from .series import DayMinutes
from .zones import Clock

# A workout's logged steps "match" the minute steps within this share (or 10 steps).
MATCH = 0.1
# Workouts compared: a sample spread over the archive is enough to tell the clock.
MAX_COMPARED = 400


def place_workouts(logs: list[ExerciseLog], clock: Clock, steps: DayMinutes,
                   distance_unit: str) -> tuple[list[Workout], str | None]:
    """Return the workouts with local starts and distances in km, and a note when their starts read as local."""
    utc = [clock.local_time(stamp_time(log.stamp).replace(tzinfo=timezone.utc)) for log in logs]
    written = [stamp_time(log.stamp) for log in logs]
    compared = [index for index, log in enumerate(logs) if log.steps and log.seconds > 0]
    compared = compared[::max(1, len(compared) // MAX_COMPARED)]
    as_utc = sum(matches(steps, utc[index], logs[index]) for index in compared)
    as_local = sum(matches(steps, written[index], logs[index]) for index in compared)
    local = as_local > as_utc
    note = (f"Workout start times read as local time: {as_local} of {len(compared)} workouts' steps match "
            "the minute steps that way.") if local else None
    starts = written if local else utc
    default_unit = "kilometer" if distance_unit.upper() == "METRIC" else "mile"
    workouts = [workout(log, start, default_unit) for log, start in zip(logs, starts)]
    return workouts, note


def steps_between(steps: DayMinutes, start: datetime, seconds: int) -> float:
    """Return the minute steps from start for seconds (local wall clock), whole minutes."""
    total = 0.0
    moment = start.replace(second=0, microsecond=0)
    end = start + timedelta(seconds=seconds)
    while moment < end:
        day = moment.date()
        if day in steps:
            total += steps.sums[day][moment.hour * 60 + moment.minute]
        moment += timedelta(minutes=1)
    return total


def matches(steps: DayMinutes, start: datetime, log: ExerciseLog) -> bool:
    found = steps_between(steps, start, min(log.seconds, 24 * 3600))
    return abs(found - log.steps) <= max(10, MATCH * log.steps)


def workout(log: ExerciseLog, start: datetime, default_unit: str) -> Workout:
    """Return one log as a Workout: distance in km whatever unit it was written in."""
    distance = None
    if log.distance is not None:
        distance = round(log.distance * KM_PER_UNIT.get(log.unit or default_unit, 1.0), 4)
    return Workout(start=start, seconds=log.seconds, type=log.type, calories=log.calories, distance_km=distance,
                   average_heart_rate=log.average_heart_rate, steps=log.steps,
                   heart_rate_zones=log.heart_rate_zones)
