"""Today's cards: each metric's value for the day, in the profile's units, ready to show."""

from dataclasses import dataclass, field
from datetime import date, datetime

from ..formatting import decimal, distance_in, distance_unit, duration, metric_unit, metric_value, shortdate
from ..formatting import thousands, weight_in, weight_unit
from .readings import Reading

DEFAULT_STEP_GOAL = 10000
SLEEP_STAGES = (("deep", "Deep"), ("light", "Light"), ("rem", "REM"), ("wake", "Awake"))


@dataclass(frozen=True)
class Stage:
    """One sleep stage of last night: its name, minutes and share of the time in bed."""

    key: str
    name: str
    minutes: int
    percent: float


@dataclass(frozen=True)
class Card:
    """One metric's card: the value as text, or what to say when there is none."""

    key: str
    title: str
    value: str | None = None
    unit: str = ""
    note: str = ""
    empty: str = "Nothing recorded today yet"
    updated_at: datetime | None = None
    goal_percent: int | None = None
    stages: list[Stage] = field(default_factory=list)
    day: date | None = None  # the day the card's value belongs to, which it links to (None: today)


def step_goal(goals: dict | None) -> int:
    """Return the daily step goal, 10,000 when no source has told one."""
    value = (goals or {}).get("steps")
    return int(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_STEP_GOAL


def steps_card(reading: Reading | None, goal: int) -> Card:
    """Today's steps against the goal."""
    if reading is None:
        return Card("steps", "Steps", note=f"Goal {thousands(goal)}")
    percent = round(reading.value * 100 / goal)
    return Card("steps", "Steps", thousands(reading.value), note=f"{percent}% of {thousands(goal)} goal",
                updated_at=reading.updated_at, goal_percent=min(percent, 100))


def simple_card(key: str, title: str, reading: Reading | None, unit: str = "") -> Card:
    """A count with an optional unit: calories, floors, resting heart rate."""
    if reading is None:
        return Card(key, title, unit=unit)
    return Card(key, title, thousands(reading.value), unit, updated_at=reading.updated_at)


def distance_card(reading: Reading | None, units: str) -> Card:
    """Today's distance in kilometres or miles."""
    unit = distance_unit(units)
    if reading is None:
        return Card("distance", "Distance", unit=unit)
    return Card("distance", "Distance", decimal(distance_in(reading.value, units), 2), unit,
                updated_at=reading.updated_at)


def active_card(very: Reading | None, fairly: Reading | None) -> Card:
    """Very plus fairly active minutes."""
    present = [r for r in (very, fairly) if r is not None]
    if not present:
        return Card("active_minutes", "Active minutes", unit="min")
    very_min, fairly_min = (round(r.value) if r else 0 for r in (very, fairly))
    stamps = [r.updated_at for r in present if r.updated_at]
    return Card("active_minutes", "Active minutes", thousands(very_min + fairly_min), "min",
                note=f"{very_min} very + {fairly_min} fairly active",
                updated_at=max(stamps) if stamps else None)


def sleep_card(reading: Reading | None) -> Card:
    """Last night's sleep: minutes asleep and the stages."""
    if reading is None:
        return Card("sleep", "Sleep last night", empty="No sleep logged last night")
    details = reading.details or {}
    stages = details.get("stages") or {}
    in_bed = details.get("time_in_bed") or sum(stages.values()) or reading.value
    parts = [
        Stage(key, name, round(stages[key]), round(stages[key] * 100 / in_bed, 1))
        for key, name in SLEEP_STAGES
        if stages.get(key) is not None and in_bed
    ]
    note = f"{duration(in_bed)} in bed" if details.get("time_in_bed") else ""
    return Card("sleep", "Sleep last night", duration(reading.value), note=note,
                updated_at=reading.updated_at, stages=parts)


def logged(day: date, today: date) -> str:
    """Say when a value was logged: "today", "25 Nov" or "25 Nov 2025"."""
    when = "today" if day == today else shortdate(day)
    return when + (f" {day.year}" if day.year != today.year else "")


def weight_card(reading: Reading | None, units: str, today: date) -> Card:
    """The most recent weight, with the day it was logged."""
    unit = weight_unit(units)
    if reading is None:
        return Card("weight", "Weight", unit=unit, empty="No weight logged yet")
    return Card("weight", "Weight", decimal(weight_in(reading.value, units)), unit,
                note=f"Logged {logged(reading.day, today)}", updated_at=reading.updated_at, day=reading.day)


# The newer metrics' cards, in the page's order. Measurements taken at night or now and then show their
# latest value with its day; counts of the day's minutes show today's.
HEALTH_CARDS = (
    ("hrv", "Heart rate variability", True), ("spo2", "Blood oxygen (SpO2)", True),
    ("breathing_rate", "Breathing rate", True), ("skin_temperature", "Skin temperature", True),
    ("vo2max", "Cardio fitness (VO2 max)", True), ("active_zone_minutes", "Active Zone Minutes", False),
    ("lightly_active_minutes", "Lightly active", False), ("sedentary_minutes", "Sedentary", False),
    ("body_fat", "Body fat", True),
)


def health_card(key: str, title: str, reading: Reading | None, today: date, measured: bool) -> Card:
    """A newer metric's value: today's, or for a measurement its latest, with the day it was logged."""
    unit = metric_unit(key)
    if reading is None:
        return Card(key, title, unit=unit, empty="Nothing recorded today yet" if not measured else "None logged yet")
    note = f"Logged {logged(reading.day, today)}" if measured else ""
    if key == "skin_temperature":
        note = "From your baseline" + (f"; logged {logged(reading.day, today)}" if reading.day != today else "")
    return Card(key, title, metric_value(key, reading.value), unit, note=note, updated_at=reading.updated_at,
                day=reading.day)


def health_cards(now: dict[str, Reading | None], latest: dict[str, Reading | None], held: set[str],
                 today: date) -> list[Card]:
    """Return a card for each newer metric the person has data for in the range, or today."""
    cards = []
    for key, title, measured in HEALTH_CARDS:
        reading = latest.get(key) if measured else now.get(key)
        if key in held or now.get(key) is not None:
            cards.append(health_card(key, title, reading, today, measured))
    return cards


def today_cards(now: dict[str, Reading | None], latest: dict[str, Reading | None], link, today: date,
                held: set[str] = frozenset()) -> list[Card]:
    """Return the cards for today, in the order the page shows them: the nine, then the newer metrics held."""
    return [
        steps_card(now["steps"], step_goal(link.goals)),
        distance_card(now["distance"], link.distance_unit),
        simple_card("calories", "Calories burned", now["calories"], "kcal"),
        active_card(now["very_active_minutes"], now["fairly_active_minutes"]),
        simple_card("floors", "Floors", now["floors"]),
        simple_card("resting_heart_rate", "Resting heart rate", now["resting_heart_rate"], "bpm"),
        weight_card(latest["weight"], link.weight_unit, today),
        sleep_card(now["sleep"]),
        *health_cards(now, latest, held, today),
    ]
