"""Everything the day page shows, shaped from one reading.DayData (no queries of its own)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from .. import sources
from ..dates import zone as zone_named
from ..formatting import decimal, distance_in, distance_unit, duration, thousands, weight_in, weight_unit
from ..sources import METRICS
from .reading import DayData
from .sleep import LEVEL_NAMES, level_minutes, levels_of, stages
from .timeline import Night, Timeline, build, hourly, night_chart
from .zones import FROM_SERIES, Zones, counted, day_zones

TITLES = {
    "steps": "Steps", "distance": "Distance", "calories": "Calories burned", "floors": "Floors",
    "very_active_minutes": "Very active minutes", "fairly_active_minutes": "Fairly active minutes",
    "lightly_active_minutes": "Lightly active minutes", "sedentary_minutes": "Sedentary minutes",
    "active_zone_minutes": "Active Zone Minutes", "resting_heart_rate": "Resting heart rate",
    "sleep": "Sleep", "weight": "Weight", "body_fat": "Body fat", "hrv": "Heart rate variability",
    "spo2": "Oxygen saturation (SpO2)", "breathing_rate": "Breathing rate",
    "skin_temperature": "Skin temperature", "vo2max": "Cardio fitness (VO2 max)",
}


@dataclass(frozen=True)
class MetricRow:
    """One daily value as the numbers table shows it."""

    key: str
    title: str
    value: str
    unit: str
    source: str
    device: str
    updated_at: datetime | None


@dataclass(frozen=True)
class SleepView:
    """One sleep session: when, how long asleep, each level's minutes and each stretch."""

    title: str
    start: datetime
    end: datetime
    minutes_asleep: int
    kind: str
    totals: list[tuple[str, str, float]]  # level, name, minutes
    stretches: list[tuple[str, str, str, int]]  # start, end, name, seconds
    chart: Night | None = None


@dataclass
class DayPage:
    """The day page's model."""

    day: date
    today: date
    timezone: str
    minutes_in_day: int
    timeline: Timeline
    zones: Zones
    zone_rows: list[tuple[str, str, int]]
    hours: list[tuple[str, ...]]
    metrics: list[MetricRow]
    sleep: list[SleepView]
    workouts: list[tuple[str, ...]]
    summary: str
    sources_shown: dict[str, str] = field(default_factory=dict)
    zone_counting: str = FROM_SERIES

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date | None:
        return self.day + timedelta(days=1) if self.day < self.today else None


def label(source: str) -> str:
    """Return a source's name for people ("Fitbit archive"), or its stored name if unregistered."""
    kind = sources.get(source)
    return kind.label if kind else source


def metric_value(key: str, value: float, units) -> tuple[str, str]:
    """Write a daily value and its unit in the profile's units."""
    if key == "distance":
        return decimal(distance_in(value, units.distance_unit), 2), distance_unit(units.distance_unit)
    if key == "weight":
        return decimal(weight_in(value, units.weight_unit)), weight_unit(units.weight_unit)
    if key == "sleep":
        return duration(value), ""
    if key == "skin_temperature":
        return f"{value:+.1f}", "°C from baseline"
    if key in ("hrv", "spo2", "breathing_rate", "vo2max", "body_fat"):
        return decimal(value), {"hrv": "ms", "spo2": "%", "breathing_rate": "breaths/min",
                                "vo2max": "mL/kg/min", "body_fat": "%"}[key]
    unit = {"calories": "kcal", "resting_heart_rate": "bpm"}.get(key, "min" if key.endswith("minutes") else "")
    return thousands(value), unit


def metric_rows(data: DayData) -> list[MetricRow]:
    """Every daily value of the day, in the order fitlink lists metrics."""
    order = {name: index for index, name in enumerate(METRICS)}
    rows = []
    for row in sorted(data.daily, key=lambda r: order.get(r.metric, len(order))):
        value, unit = metric_value(row.metric, row.value, data.profile)
        device = (row.details or {}).get("device") or ""
        rows.append(MetricRow(row.metric, TITLES.get(row.metric, row.metric), value, unit, label(row.source),
                              str(device), row.updated_at))
    return rows


def hour_rows(data: DayData) -> list[tuple[str, ...]]:
    """One row per wall-clock hour: steps, calories, heart rate mean and range."""
    steps, calories = hourly(data.values("steps")), hourly(data.values("calories"))
    heart: list[list[float]] = [[] for _ in range(24)]
    for minute, bpm in data.values("heart_rate").items():
        heart[minute // 60].append(bpm)
    rows = []
    for hour in range(24):
        beats = heart[hour]
        rows.append((f"{hour:02d}:00", thousands(steps[hour]), thousands(calories[hour]) if calories[hour] else "–",
                     thousands(sum(beats) / len(beats)) if beats else "–",
                     f"{round(min(beats))}–{round(max(beats))}" if beats else "–"))
    return rows


def sleep_views(data: DayData) -> list[SleepView]:
    """Each session of the day, the main sleep first."""
    views = []
    today = data.values("heart_rate")
    before = data.heart_before() if any(row.start.date() < data.day for row in data.sleep) else {}
    for row in sorted(data.sleep, key=lambda r: (not r.main, r.start)):
        laid = stages(row)
        totals = level_minutes(laid)
        views.append(SleepView(
            "Main sleep" if row.main else "Nap", row.start, row.end, row.minutes_asleep, row.kind,
            [(level, LEVEL_NAMES[level], totals[level]) for level in levels_of(row) if level in totals],
            [(f"{s.start:%H:%M:%S}", f"{s.end:%H:%M:%S}", LEVEL_NAMES.get(s.level, s.level), s.seconds) for s in laid],
            night_chart(row, today, before, data.day),
        ))
    return views


def workout_rows(data: DayData) -> list[tuple[str, ...]]:
    """Each workout: type, start, duration, distance, calories, average heart rate, steps."""
    unit = data.profile.distance_unit
    return [(row.type, f"{row.start:%H:%M}", duration(row.seconds / 60),
             f"{decimal(distance_in(row.distance_km, unit), 2)} {distance_unit(unit)}" if row.distance_km else "–",
             f"{thousands(row.calories)} kcal" if row.calories is not None else "–",
             f"{thousands(row.average_heart_rate)} bpm" if row.average_heart_rate else "–",
             thousands(row.steps) if row.steps is not None else "–") for row in data.workouts]


def day_minutes(day: date, zone) -> int:
    """Return how many minutes the local day really had (1,380 or 1,500 when clocks change)."""
    start = datetime.combine(day, datetime.min.time()).replace(tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(tzinfo=zone).astimezone(timezone.utc)
    return round((end - start).total_seconds() / 60)


def summarize(data: DayData, sleep: list[SleepView]) -> str:
    """Say in one sentence what the timeline shows."""
    parts = []
    steps = data.values("steps")
    if steps:
        parts.append(f"{thousands(sum(steps.values()))} steps")
    heart = data.values("heart_rate")
    if heart:
        parts.append(f"heart rate {round(min(heart.values()))}–{round(max(heart.values()))} bpm")
    if sleep:
        parts.append(f"{duration(sum(s.minutes_asleep for s in sleep))} asleep")
    if data.workouts:
        parts.append(f"{len(data.workouts)} workout{'s' if len(data.workouts) > 1 else ''}")
    return ("; ".join(parts) + ".").capitalize() if parts else "Nothing recorded through this day."


def build_page(data: DayData, today: date) -> DayPage:
    """Shape the day for the page."""
    zone = zone_named(data.profile.timezone)
    resting = data.daily_value("resting_heart_rate")
    zones = day_zones(resting.value if resting else None, resting.details if resting else None)
    counts, counting = counted(data.values("heart_rate"), zones, resting.details if resting else None)
    zone_rows = [("Below zones", f"under {zones.zones[0].low} bpm", counts["below"])] + [
        (z.name, f"{z.low}–{z.high - 1} bpm" if z.high else f"{z.low} bpm and over", counts[z.key])
        for z in zones.zones]
    sleep = sleep_views(data)
    shown = {metric: label(one.source) for metric, one in data.series.items()}
    return DayPage(data.day, today, data.profile.timezone, day_minutes(data.day, zone), build(data, zones, zone),
                   zones, zone_rows, hour_rows(data), metric_rows(data), sleep, workout_rows(data),
                   summarize(data, sleep), shown, counting)
