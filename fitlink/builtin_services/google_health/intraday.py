"""One local day of a demo account minute by minute: steps, calories, heart-rate samples, exercises.

Everything is generated deterministically from the account and the date, and agrees
with the day's daily values: the minutes' steps add up to the day's steps (recorded
steps included), their kilocalories to the day's calories. The shapes the API serves are
built from this in points.py and rollup.py; nothing here knows fitlink's parser.

- The day runs over physical minutes from local midnight to the next local midnight
  (1,380 or 1,500 of them on the days clocks change).
- The night that ends this morning (the day's sleep) and the one that starts tonight
  are asleep: a low heart rate, no steps.
- Steps fall in the waking hours between 07:00 and 22:00: a handful of walks, a little
  pottering about, and the day's exercise, if any (a run on the account's long-run
  weekday, else a walk on about a third of the days).
- Heart rate follows a daily rhythm (lower at night, higher in the afternoon), rises with
  each minute's steps and during exercise; a sample every 15 s, every 5 s while
  exercising; one stretch of 20-40 minutes after waking is off the wrist (no samples).
- Heart-rate zones use the heart-rate reserve (Karvonen, as the discovery document's
  DailyHeartRateZones says): LIGHT from 30 %, MODERATE from 40 %, VIGOROUS from 60 %,
  PEAK from 85 %; Active Zone Minutes count 1 a minute in MODERATE (fat burn) and 2 in
  VIGOROUS (cardio) and PEAK.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..common.accounts import daily_values, get_account

MINUTE = timedelta(minutes=1)
FIRST_STEP, LAST_STEP = time(7), time(22)
ZONES = (("PEAK", 0.85), ("VIGOROUS", 0.60), ("MODERATE", 0.40), ("LIGHT", 0.30))
AZM_ZONES = {"MODERATE": ("FAT_BURN", 1), "VIGOROUS": ("CARDIO", 2), "PEAK": ("PEAK", 2)}
EXERCISES = {"RUNNING": ("Running", (155, 170), 0.78, 1.4), "WALKING": ("Walking", (105, 120), 0.47, 1.0)}


def age(name: str) -> int:
    """The account's age, as its profile says (people.profile)."""
    return random.Random(f"age:{name}").randint(22, 68)


@dataclass(frozen=True)
class Exercise:
    """One exercise session: its first physical minute, length and what was measured in it."""

    kind: str  # exerciseType
    first: int  # index of its first minute in the day
    minutes: int
    steps: int
    kcal: float
    millimeters: int
    average_bpm: int
    zone_seconds: dict
    azm: int


@dataclass(frozen=True)
class Day:
    """A day minute by minute; index i is the physical minute starting at start + i minutes."""

    name: str
    day: date
    zone: str
    start: datetime  # local midnight, aware (UTC)
    steps: array  # per minute
    kcal: array
    beats: bytes  # every heart-rate sample of the day in bpm, minute after minute
    first_beat: array  # where each minute's samples start in beats (and where the day's end)
    exercises: tuple[Exercise, ...]
    resting: int
    max_bpm: int

    @property
    def length(self) -> int:
        return len(self.steps)

    def moment(self, index: int, seconds: float = 0) -> datetime:
        """The aware local time of a minute (plus seconds)."""
        return (self.start + index * MINUTE + timedelta(seconds=seconds)).astimezone(ZoneInfo(self.zone))

    def heart(self, index: int) -> bytes:
        """One minute's samples in bpm, evenly spaced over the minute; empty: not worn."""
        return self.beats[self.first_beat[index]:self.first_beat[index + 1]]

    def samples(self, index: int) -> list[tuple[datetime, int]]:
        """The heart-rate samples of one minute: (aware local time, bpm)."""
        return [(self.moment(index, seconds), bpm) for seconds, bpm in self.timed_samples(index)]

    def timed_samples(self, index: int) -> list[tuple[float, int]]:
        """One minute's samples as (seconds into the minute, bpm)."""
        beats = self.heart(index)
        spacing = 60 / len(beats) if beats else 0
        return [(k * spacing, bpm) for k, bpm in enumerate(beats)]

    def mean_bpm(self, index: int) -> float | None:
        """The mean of one minute's samples (None when none)."""
        beats = self.heart(index)
        return sum(beats) / len(beats) if beats else None

    def zone_of(self, index: int) -> str | None:
        """The heart-rate zone of one minute's mean (None below LIGHT or without samples)."""
        return zone_of(self.mean_bpm(index), self.resting, self.max_bpm)


def zone_of(bpm: float | None, resting: int, max_bpm: int) -> str | None:
    """The zone a heart rate falls in, by its share of the heart-rate reserve."""
    if bpm is None:
        return None
    share = (bpm - resting) / max(1, max_bpm - resting)
    return next((zone for zone, floor in ZONES if share >= floor), None)


def _local(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def _split(total: float, weights: list[float], whole: bool) -> list:
    """Split a total by weights so the parts add up (largest remainder for whole numbers)."""
    weight = sum(weights)
    if not weights:
        return []
    if weight <= 0:
        weights, weight = [1.0] * len(weights), float(len(weights))
    shares = [total * w / weight for w in weights]
    if not whole:
        return shares
    parts = [int(share) for share in shares]
    for i in sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])[:int(total) - sum(parts)]:
        parts[i] += 1
    return parts


def nap_of(name: str, day: date) -> tuple[datetime, int] | None:
    """The day's afternoon nap, if any: its local start (naive) and minutes.

    A third of the weekend days and a few weekdays after a night's sleep; naps have no
    stages (the discovery document's SleepMetadata.nap), so they are classic sleeps.
    """
    if not daily_values(name, day)["sleep"]:
        return None
    rng = random.Random(f"{name}:{day.isoformat()}:nap")
    if rng.random() >= (0.35 if day.weekday() >= 5 else 0.08):
        return None
    return datetime.combine(day, time(14, rng.randint(0, 59))), rng.randint(20, 55)


def _asleep(day: date, name: str, zone: str) -> list[tuple[datetime, datetime]]:
    """The sleep intervals touching the day: last night's, the day's nap and tonight's."""
    spans = []
    nap = nap_of(name, day)
    if nap:
        spans.append((nap[0].replace(tzinfo=ZoneInfo(zone)), (nap[0] + timedelta(minutes=nap[1])).replace(
            tzinfo=ZoneInfo(zone))))
    for night in (day, day + timedelta(days=1)):
        sleep = daily_values(name, night)["sleep"]
        if sleep:
            spans.append((datetime.fromisoformat(sleep["startTime"]).replace(tzinfo=ZoneInfo(zone)),
                          datetime.fromisoformat(sleep["endTime"]).replace(tzinfo=ZoneInfo(zone))))
    return spans


@lru_cache(maxsize=1200)  # about 20 kB a day: three years of days
def day_detail(name: str, day: date, steps: int, calories: int) -> Day:
    """Return the account's day minute by minute (steps and calories: the day's totals served)."""
    account = get_account(name)
    zone = account.timezone
    rng = random.Random(f"{name}:{day.isoformat()}:intraday")
    start = _local(day, time(0), zone).astimezone(timezone.utc)
    end = _local(day + timedelta(days=1), time(0), zone).astimezone(timezone.utc)
    length = int((end - start) / MINUTE)
    local_zone = ZoneInfo(zone)
    moments = [(start + i * MINUTE).astimezone(local_zone) for i in range(length)]
    sleeps = _asleep(day, name, zone)
    asleep = [False] * length
    for a, b in sleeps:  # minute indexes of each sleep, from its physical start and end
        first_index = max(0, math.ceil((a - start) / MINUTE))
        last_index = min(length, math.ceil((b - start) / MINUTE))
        asleep[first_index:last_index] = [True] * max(0, last_index - first_index)
    morning = max((b for a, b in sleeps if b.date() == day), default=_local(day, time(7), zone))
    off_from = next((i for i, m in enumerate(moments) if m >= morning), length) + rng.randint(5, 40)
    off = range(off_from, off_from + rng.randint(20, 40))
    awake = [i for i, m in enumerate(moments) if not asleep[i] and FIRST_STEP <= m.time() < LAST_STEP
             and i not in off]

    # The day's exercise: a run on the long-run weekday, a walk on a third of the other days.
    plans = []
    if day.weekday() == account.long_run_weekday:
        plans.append(("RUNNING", time(17, rng.randint(0, 59)), rng.randint(40, 70)))
    elif rng.random() < 0.35:
        plans.append(("WALKING", time(12, rng.randint(0, 59)), rng.randint(20, 45)))
    sessions = []
    for kind, clock, minutes in plans:
        first = next((i for i, m in enumerate(moments) if m.time() >= clock), None)
        if first is not None and first + minutes <= length:
            sessions.append((kind, first, minutes))
    in_session = {i: kind for kind, first, minutes in sessions for i in range(first, first + minutes)}

    # Steps: the exercise's cadence first (at most 60 % of the day), the rest in walks and pottering.
    per_minute = [0] * length
    wanted = {i: rng.uniform(*EXERCISES[kind][1]) for i, kind in in_session.items()}
    budget = min(round(sum(wanted.values())), round(steps * 0.6))
    for i, part in zip(wanted, _split(budget, list(wanted.values()), True)):
        per_minute[i] = part
    free = [i for i in awake if i not in in_session]
    weights = {i: (0.0 if rng.random() < 0.55 else rng.uniform(0.5, 3.0)) for i in free}
    for _ in range(rng.randint(4, 8)):
        if free:
            first = rng.randrange(len(free))
            for i in free[first:first + rng.randint(5, 15)]:
                weights[i] = rng.uniform(20, 30)
    for i, part in zip(weights, _split(steps - budget, list(weights.values()), True)):
        per_minute[i] = part

    # Heart rate: resting at night, a daily rhythm by day, steps and exercise on top.
    max_bpm = 220 - age(name)
    reserve = max_bpm - account.resting_hr
    drift, heart = 0.0, []
    # Each sample's own jitter around the minute's level, from one table per day.
    jitter = [max(-3, min(3, round(rng.gauss(0, 1.2)))) for _ in range(256)]
    for i, moment in enumerate(moments):
        drift = 0.8 * drift + rng.gauss(0, 1.5)
        if i in off:
            heart.append(b"")
            continue
        hour = moment.hour + moment.minute / 60
        if asleep[i]:
            target = account.resting_hr - 3 + 2 * math.sin(2 * math.pi * (hour - 3) / 24)
        elif i in in_session:
            ramp = min(1.0, (i - next(f for k, f, n in sessions if f <= i < f + n) + 1) / 5)
            target = account.resting_hr + reserve * EXERCISES[in_session[i]][2] * (0.6 + 0.4 * ramp)
        else:
            target = account.resting_hr + 14 + 5 * math.sin(2 * math.pi * (hour - 9) / 24) \
                + min(40.0, per_minute[i] * 0.3)
        count = 12 if i in in_session else 4
        level = max(38, min(217, round(target + drift)))
        offset = (i * 7) % 240
        heart.append(bytes(map(level.__add__, jitter[offset:offset + count])))

    # Kilocalories: the basal share every minute, more for steps and exercise.
    burn = [1 + per_minute[i] / 20 + (4 if i in in_session else 0) for i in range(length)]
    kcal = _split(float(calories), burn, False)

    first_beat = array("I", [0])
    for beats in heart:
        first_beat.append(first_beat[-1] + len(beats))
    draft = Day(name, day, zone, start, array("H", per_minute), array("d", kcal), b"".join(heart), first_beat, (),
                account.resting_hr, max_bpm)
    return Day(**{**draft.__dict__, "exercises": tuple(_exercise(draft, kind, first, minutes, account.height_m)
                                                        for kind, first, minutes in sessions)})


def _exercise(day: Day, kind: str, first: int, minutes: int, height_m: float) -> Exercise:
    span = range(first, first + minutes)
    beats = [bpm for i in span for bpm in day.heart(i)]
    zones = {"LIGHT": 0, "MODERATE": 0, "VIGOROUS": 0, "PEAK": 0}
    azm = 0
    for i in span:
        zone = day.zone_of(i)
        if zone:
            zones[zone] += 60
            azm += AZM_ZONES.get(zone, ("", 0))[1]
    steps = sum(day.steps[i] for i in span)
    stride = round(height_m * 415 * EXERCISES[kind][3])  # mm, as the profile's stride lengths
    return Exercise(kind, first, minutes, steps, round(sum(day.kcal[i] for i in span), 1), steps * stride,
                    round(sum(beats) / len(beats)) if beats else 0, zones, azm)


def detail_of(name: str, day: date, values: dict) -> Day:
    """Return the day for a served day's values (recorded steps included)."""
    return day_detail(name, day, int(values["steps"]), int(values["calories"]))


@lru_cache(maxsize=8192)
def zone_totals(name: str, day: date, steps: int, calories: int) -> tuple[dict, dict]:
    """Return the day's (seconds per heart-rate zone, Active Zone Minutes per AZM zone)."""
    detail = day_detail(name, day, steps, calories)
    seconds = {"LIGHT": 0, "MODERATE": 0, "VIGOROUS": 0, "PEAK": 0}
    azm = {"FAT_BURN": 0, "CARDIO": 0, "PEAK": 0}
    for i in range(detail.length):
        zone = detail.zone_of(i)
        if zone:
            seconds[zone] += 60
            if zone in AZM_ZONES:
                kind, points = AZM_ZONES[zone]
                azm[kind] += points
    return seconds, azm


def daily_health(name: str, day: date, values: dict) -> dict:
    """Return the day's health measurements: HRV, SpO2, breathing, skin temperature (after a
    night's sleep), cardio fitness and body fat (on weigh-in days)."""
    account = get_account(name)
    base = random.Random(f"health:{name}")
    rng = random.Random(f"{name}:{day.isoformat()}:health")
    hrv_base, baseline, vo2_base = base.uniform(28, 60), round(base.uniform(33.4, 34.6), 2), base.uniform(36, 52)
    fat_base = base.uniform(14, 30)
    slow = math.sin(day.toordinal() / 40)
    health: dict = {"vo2max": None if rng.random() < 0.05 else round(vo2_base + 1.5 * slow + rng.uniform(-0.4, 0.4), 1)}
    if values["sleep"]:
        hrv = round(hrv_base + 6 * slow + rng.uniform(-8, 8), 1)
        spo2 = round(rng.uniform(94.0, 98.0), 1)
        health |= {"hrv": hrv, "deep_rmssd": round(hrv * rng.uniform(1.0, 1.2), 1),
                   "non_rem_bpm": account.resting_hr - rng.randint(1, 4), "entropy": round(rng.uniform(2.4, 3.4), 3),
                   "spo2": spo2, "spo2_low": round(spo2 - rng.uniform(1.5, 3.0), 1),
                   "spo2_high": round(min(100.0, spo2 + rng.uniform(0.8, 2.0)), 1),
                   "breathing": round(rng.uniform(12.5, 17.0), 1),
                   "nightly": round(baseline + rng.gauss(0, 0.4), 2), "baseline": baseline}
    if values["weight"]:
        health["body_fat"] = round(fat_base + 1.2 * slow + rng.uniform(-0.5, 0.5), 1)
    return health
