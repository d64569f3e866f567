"""The whole of a demo account's day: minute steps, heart rate and calories, the night's stages, naps, workouts.

Deterministic like `accounts.daily_values`, and built on it: the minutes of a day add up to its
served steps (recorded steps included), its calories share out the day's total, the night's
stages add up to its sleep summary, and a workout's steps and heart rate are those of its
minutes. Minutes are wall-clock minutes of the local day (hour * 60 + minute); on the day
clocks go forward the skipped hour has none.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .accounts import Account, daily_values, get_account

# Heart-rate zones the service draws (the bounds its heartRateZones documents say).
ZONES = (("Out of Range", 30, 99), ("Fat Burn", 99, 139), ("Cardio", 139, 169), ("Peak", 169, 220))
STAGE_HEART = {"deep": -4, "light": 0, "rem": 5, "wake": 9}
CALORIES_PER_STEP_WEIGHT = 0.06  # a minute's calorie weight is 1 + this * its steps (+ RUN_WEIGHT running)
RUN_WEIGHT = 6.0


@dataclass(frozen=True)
class Stage:
    """One stretch of a sleep: its local start, length in seconds and level."""

    start: datetime
    seconds: int
    level: str


@dataclass(frozen=True)
class Nap:
    """A short afternoon sleep, logged apart from the night's (classic levels)."""

    start: datetime
    stages: tuple[Stage, ...]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=sum(stage.seconds for stage in self.stages))

    def minutes(self, level: str) -> int:
        return sum(stage.seconds for stage in self.stages if stage.level == level) // 60


@dataclass(frozen=True)
class Workout:
    """One exercise as its minutes hold it: steps per minute and heart rate per minute."""

    name: str
    start: datetime
    steps: tuple[int, ...]  # per minute
    heart: tuple[int, ...]  # per minute
    running: bool

    @property
    def minutes(self) -> int:
        return len(self.steps)

    def minute_of_day(self) -> int:
        return self.start.hour * 60 + self.start.minute


@dataclass(frozen=True)
class DayDetail:
    """A day's minute series (only minutes with data), its workouts and nap."""

    steps: dict[int, int]
    heart: dict[int, int]
    calories: dict[int, float]
    workouts: tuple[Workout, ...]
    nap: Nap | None


def _rng(account: Account, day: date, what: str) -> random.Random:
    return random.Random(f"{account.name}:{day.isoformat()}:{what}")


def skipped_minutes(timezone_name: str, day: date) -> range:
    """Return the wall-clock minutes that do not exist on this local date (clocks going forward)."""
    zone = ZoneInfo(timezone_name)
    for hour in range(24):
        moment = datetime.combine(day, time(hour, 30), zone)
        back = moment.astimezone(timezone.utc).astimezone(zone)
        if back.hour != hour:
            return range(hour * 60, hour * 60 + 60)
    return range(0)


def _split(total: int, weights: list[float]) -> list[int]:
    """Share an integer total out by weights, exactly (largest remainders)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [math.floor(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: parts[i] - shares[i])
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return parts


def hypnogram(sleep: dict, seed: str) -> tuple[tuple[Stage, ...], tuple[Stage, ...]]:
    """Return a night's stages (levels.data) and short wakes (levels.shortData) from its summary.

    Cycles of light, deep, light and REM sleep, deep sleep early in the night and REM late,
    brief wakes between cycles: each level's minutes add up to the summary's exactly. The
    short wakes (30 to 150 seconds) lie inside light sleep, as Fitbit lays them over it.
    """
    rng = random.Random(f"hypnogram:{seed}")
    minutes = sleep["stages"]
    cycles = max(3, round((sleep["minutesAsleep"]) / 90))
    deep = _split(minutes["deep"], [cycles - i + 1.0 for i in range(cycles)])
    rem = _split(minutes["rem"], [i + 1.0 for i in range(cycles)])
    light = _split(minutes["light"], [1.0] * (2 * cycles))
    first_wake = min(minutes["wake"], rng.randint(2, 12))
    wakes = _split(minutes["wake"] - first_wake, [0.5] * (cycles - 1) + [1.0])
    parts = [("wake", first_wake)]
    for i in range(cycles):
        parts += [("light", light[2 * i]), ("deep", deep[i]), ("light", light[2 * i + 1]),
                  ("rem", rem[i]), ("wake", wakes[i])]
    merged: list[list] = []
    for level, length in parts:
        if length <= 0:
            continue
        if merged and merged[-1][0] == level:
            merged[-1][1] += length
        else:
            merged.append([level, length])
    moment, stages, short = datetime.fromisoformat(sleep["startTime"]), [], []
    for level, length in merged:
        stages.append(Stage(moment, length * 60, level))
        if level == "light" and length >= 20 and rng.random() < 0.5:
            at = moment + timedelta(minutes=rng.randint(5, length - 5))
            short.append(Stage(at, rng.choice((30, 60, 90, 120, 150)), "wake"))
        moment += timedelta(minutes=length)
    return tuple(stages), tuple(short)


def nap(account: Account, day: date, values: dict) -> Nap | None:
    rng = _rng(account, day, "nap")
    chance = 0.3 if day.weekday() >= 5 else 0.08
    if values["sleep"] is None or rng.random() >= chance:
        return None
    start = datetime.combine(day, time(14, rng.randint(0, 50)))
    asleep, restless, awake = rng.randint(20, 50), rng.randint(1, 6), rng.randint(1, 4)
    parts = [("awake", awake), ("asleep", asleep // 2), ("restless", restless), ("asleep", asleep - asleep // 2)]
    stages, moment = [], start
    for level, length in parts:
        stages.append(Stage(moment, length * 60, level))
        moment += timedelta(minutes=length)
    return Nap(start, tuple(stages))


def _workout_heart(account: Account, cadence: int, running: bool, index: int, jitter: int) -> int:
    ramp = min(1.0, (index + 1) / 6)
    effort = cadence * (0.32 if not running else 0.52) + (12 if running else 0)
    return round(account.resting_hr + 14 + effort * ramp + jitter)


def _workout_plan(account: Account, day: date, total_steps: int) -> list[tuple[str, datetime, list[int], bool]]:
    rng = _rng(account, day, "workouts")
    plans = []
    if day.weekday() == account.long_run_weekday:
        minutes, cadence = rng.randint(40, 70), rng.randint(158, 172)
        plans.append(("Run", time(17, rng.randint(0, 59)), minutes, cadence, True))
    elif rng.random() < 0.55:
        minutes, cadence = rng.randint(15, 45), rng.randint(100, 118)
        at = time(12, rng.randint(0, 59)) if rng.random() < 0.5 else time(18, rng.randint(0, 59))
        plans.append(("Walk", at, minutes, cadence, False))
    workouts, budget = [], int(total_steps * 0.7)
    for name, at, minutes, cadence, running in plans:
        minutes = min(minutes, budget // (cadence + 3))
        if minutes < 10:
            continue
        steps = [cadence + (i * 7) % 7 - 3 for i in range(minutes)]
        budget -= sum(steps)
        workouts.append((name, datetime.combine(day, at), steps, running))
    return workouts


def workouts(account: Account, day: date, values: dict) -> tuple[Workout, ...]:
    """Return the day's workouts (cheap: no other minute is computed)."""
    result = []
    for name, start, steps, running in _workout_plan(account, day, values["steps"]):
        rng = _rng(account, day, f"heart:{start.isoformat()}")
        heart = tuple(_workout_heart(account, cadence, running, i, rng.randint(-2, 2))
                      for i, cadence in enumerate(steps))
        result.append(Workout(name, start, tuple(steps), heart, running))
    return tuple(result)


def _asleep_minutes(day: date, values: dict, next_values: dict, day_nap: Nap | None) -> dict[int, str]:
    """Return the stage of each minute of the day spent asleep (this morning's night, tonight's, the nap)."""
    levels: dict[int, str] = {}
    nights = [values["sleep"], next_values["sleep"]]
    midnight = datetime.combine(day, time())
    stretches = []
    for index, night in enumerate(nights):
        if night:
            stretches += hypnogram(night, f"{day + timedelta(days=index)}")[0]
    if day_nap:
        stretches += day_nap.stages
    for stage in stretches:
        first = int((stage.start - midnight).total_seconds() // 60)
        for minute in range(max(0, first), min(1440, first + stage.seconds // 60)):
            levels[minute] = {"asleep": "light", "restless": "wake", "awake": "wake"}.get(stage.level, stage.level)
    return levels


def _calorie_weights(minutes: list[int], steps: dict[int, int], running: set[int]) -> list[float]:
    return [1 + CALORIES_PER_STEP_WEIGHT * steps.get(m, 0) + (RUN_WEIGHT if m in running else 0) for m in minutes]


@lru_cache(maxsize=512)
def day_detail(account_name: str, day: date, steps_total: int, calories_total: float) -> DayDetail:
    """Return the minute series of a day whose served totals are steps_total and calories_total."""
    account = get_account(account_name)
    values = daily_values(account_name, day) | {"steps": steps_total}
    day_nap = nap(account, day, values)
    asleep = _asleep_minutes(day, values, daily_values(account_name, day + timedelta(days=1)), day_nap)
    skipped = set(skipped_minutes(account.timezone, day))
    minutes = [m for m in range(1440) if m not in skipped]
    rng = _rng(account, day, "minutes")

    steps: dict[int, int] = {}
    heart: dict[int, int] = {}
    running: set[int] = set()
    day_workouts = workouts(account, day, values)
    for workout in day_workouts:
        first = workout.minute_of_day()
        for i in range(workout.minutes):
            steps[first + i] = workout.steps[i]
            heart[first + i] = workout.heart[i]
            if workout.running:
                running.add(first + i)
    # The rest of the day's steps: walking bouts while awake, a little shuffling in between.
    awake = [m for m in minutes if m not in asleep and m not in steps and 6 * 60 <= m < 23 * 60]
    weights = dict.fromkeys(awake, 0.02)
    for _ in range(max(8, (steps_total - sum(steps.values())) // 700)):
        if not awake:
            break
        start, length, pace = rng.choice(awake), rng.randint(2, 15), rng.uniform(0.6, 1.2)
        for minute in range(start, start + length):
            if minute in weights:
                weights[minute] = pace
    shares = _split(steps_total - sum(steps.values()), list(weights.values()))
    steps.update({m: share for m, share in zip(weights, shares) if share})

    # No heart rate while the tracker charges, most evenings for half an hour.
    charging = range(0)
    if rng.random() < 0.7:
        begin = 20 * 60 + 30 + rng.randint(0, 40)
        charging = range(begin, begin + rng.randint(20, 40))
    rate = float(account.resting_hr)
    for minute in minutes:
        if minute in heart or minute in charging:
            continue
        if minute in asleep:
            target = account.resting_hr - 3 + STAGE_HEART.get(asleep[minute], 0)
        else:
            rhythm = 5 * math.sin((minute - 9 * 60) / 1440 * 2 * math.pi)
            target = account.resting_hr + 14 + rhythm + 0.3 * steps.get(minute, 0)
        rate += (target - rate) * 0.4
        heart[minute] = round(rate + rng.uniform(-1.5, 1.5))

    weights_all = _calorie_weights(minutes, steps, running)
    whole = sum(weights_all)
    calories = {m: round(calories_total * w / whole, 4) for m, w in zip(minutes, weights_all)}
    return DayDetail({m: steps.get(m, 0) for m in minutes}, heart, calories, day_workouts, day_nap)


def workout_calories(account: Account, day: date, values: dict, workout: Workout) -> float:
    """Return a workout's calories: its minutes' share of the day's, as day_detail gives them."""
    skipped = len(skipped_minutes(account.timezone, day))
    day_workouts = workouts(account, day, values)
    run_minutes = sum(w.minutes for w in day_workouts if w.running)
    whole = (1440 - skipped) + CALORIES_PER_STEP_WEIGHT * values["steps"] + RUN_WEIGHT * run_minutes
    mine = workout.minutes + CALORIES_PER_STEP_WEIGHT * sum(workout.steps) + (
        RUN_WEIGHT * workout.minutes if workout.running else 0)
    return values["calories"] * mine / whole


def zone_minutes(heart: tuple[int, ...] | list[int]) -> dict[str, int]:
    """Return the minutes in each heart-rate zone of these minutes' heart rates."""
    counts = dict.fromkeys((name for name, _low, _high in ZONES), 0)
    for bpm in heart:
        for name, low, high in ZONES:
            if low <= bpm < high or (name == "Out of Range" and bpm < low):
                counts[name] += 1
                break
        else:
            counts["Peak"] += 1
    return counts


def night_metrics(account: Account, day: date, values: dict) -> dict:
    """Return the night's HRV, SpO2, breathing rate and skin temperature (none without a main sleep)."""
    if values["sleep"] is None:
        return {}
    rng = _rng(account, day, "night")
    rmssd = max(12.0, 95 - account.resting_hr + rng.uniform(-8, 8))
    spo2 = round(rng.uniform(94.2, 97.8), 1)
    metrics = {
        "hrv": {"dailyRmssd": round(rmssd, 3), "deepRmssd": round(rmssd * rng.uniform(1.02, 1.15), 3)},
        "spo2": {"avg": spo2, "min": round(spo2 - rng.uniform(1.5, 4), 1), "max": min(100.0, round(spo2 + rng.uniform(0.8, 2.5), 1))},
        "br": {"breathingRate": round(rng.uniform(12.5, 17.5), 1)},
    }
    if rng.random() < 0.9:  # skin temperature needs a few nights of baseline; some nights have none
        metrics["temp"] = {"nightlyRelative": round(rng.uniform(-1.2, 1.2), 2)}
    return metrics


def cardio_fitness(account: Account, day: date) -> str:
    """Return the day's vo2Max as Fitbit writes it: a range ("44-48") without GPS runs, else one number."""
    base = 60 - (account.resting_hr - 50) * 0.8 + 1.5 * math.sin(day.toordinal() / 60)
    if account.long_run_weekday is not None:
        return f"{base:.0f}"
    low = round(base) - 2
    return f"{low}-{low + 4}"


def body_fat(account: Account, values: dict) -> float | None:
    """Return the body fat % measured with the day's weighing (None without one)."""
    if not values["weight"]:
        return None
    bmi = values["weight"]["bmi"]
    return round(1.2 * bmi - 5.4 + (account.resting_hr % 7) * 0.6, 1)
