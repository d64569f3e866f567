"""The offset that lines up calories (local time) with steps (UTC), for archives nothing else places.

fitbit-archive.md: `calories` per minute are stamped in local time and
`steps` in UTC (blakster/air-health matched 25,100 of 25,308 step minutes as
UTC, calories as local). A minute with steps burns more than the resting rate,
so the quarter-hour shift at which the calories above their resting level
best follow the steps is the UTC offset of that batch of days. Read only when
no heart-rate file and no minute file's first stamp shows the offset, and for
at most MAX_PAIRS batches: it parses two whole files per batch.
"""

import json
import math
import zipfile
from datetime import date, datetime, timedelta

from .evidence import GRID, MAX_OFFSET, MIN_OFFSET, Observation, name_date
from .families import minute_buckets
from .reader import read_member

MAX_PAIRS = 12
# How many times the spread of the scores of shifts an hour or more away the best one must reach.
STANDS_OUT = 6.0
EPOCH = datetime(2000, 1, 1)


def calorie_observations(parts, members) -> list[Observation]:
    """Return one observation per sampled batch whose steps and calories files line up clearly."""
    steps = {name_date(member.info.filename): member for member in members
             if member.entry.family == "steps" and member.entry.kind == "json"}
    calories = {name_date(member.info.filename): member for member in members
                if member.entry.family == "calories" and member.entry.kind == "json"}
    batches = sorted(day for day in steps.keys() & calories.keys() if day)
    step = max(1, -(-len(batches) // MAX_PAIRS))
    found = []
    for day in batches[::step][:MAX_PAIRS]:
        try:
            pair = [quarter_hours(read_member(parts[member.part], member.info))
                    for member in (steps[day], calories[day])]
        except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, EOFError,
                OSError):
            continue  # a damaged file is reported when its data is read
        seen = line_up(*pair)
        if seen is not None:
            found.append(seen)
    return found


def quarter_hours(data: bytes) -> dict[int, float]:
    """Sum a minute file's values per quarter hour since 2000 (its own clock: UTC or local)."""
    records = json.loads(data) if data.strip() != b"no data" else []
    slots: dict[int, float] = {}
    hours: dict[str, int] = {}
    for key, value in minute_buckets(records, 14).items():
        base = hours.get(key[:11])
        if base is None:
            moment = datetime(2000 + int(key[6:8]), int(key[0:2]), int(key[3:5]), int(key[9:11]))
            base = hours[key[:11]] = int((moment - EPOCH).total_seconds()) // 60
        slot = (base + int(key[12:14])) // GRID
        slots[slot] = slots.get(slot, 0.0) + value
    return slots


def changes(slots: dict[int, float]) -> dict[int, float]:
    """Return how much each quarter hour differs from the one before: the day's broad shape (awake
    hours against the night) cancels out, and what is left lines up at one shift only."""
    return {slot: slots.get(slot, 0.0) - slots.get(slot - 1, 0.0) for slot in slots.keys() | {s + 1 for s in slots}}


def line_up(steps: dict[int, float], calories: dict[int, float]) -> Observation | None:
    """Return the offset at which the calories' changes follow the steps' changes, if it stands out."""
    if not any(steps.values()) or not calories:
        return None
    moving, burning = changes(steps), changes(calories)
    scores = {shift: sum(value * burning.get(slot + shift, 0.0) for slot, value in moving.items())
              for shift in range(MIN_OFFSET // GRID, MAX_OFFSET // GRID + 1)}
    best = max(scores, key=scores.get)
    others = [score for shift, score in scores.items() if abs(shift - best) >= 60 // GRID]
    spread = math.sqrt(sum(score * score for score in others) / len(others))
    # Chance alone puts the best of ~100 unrelated shifts about 2.5 spreads up: ask for far more.
    if scores[best] <= 0 or scores[best] < STANDS_OUT * spread:
        return None
    slots = sorted(calories)
    middle = (EPOCH + timedelta(minutes=slots[len(slots) // 2] * GRID)).date()
    return Observation(middle, best * GRID, best * GRID, source="calories") if middle > date(2000, 1, 1) else None
