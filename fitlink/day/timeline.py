"""The day's timeline as SVG path data: workouts, sleep stages with the sleeping heart rate,
the heart-rate curve over its zones, and steps per hour.

The drawing is 1,440 units wide, one per wall-clock minute of the local day, and LANES
high; it is stretched to the page's width (preserveAspectRatio="none") and every text
lives in HTML beside it, as on the dashboard. A stage or workout that began the day
before is drawn from 00:00.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..dashboard.charts import nice_ceiling
from .sleep import LEVEL_ROWS, stages
from .zones import Zones

WIDTH = 1440
# Lanes top to bottom: (top, height) in drawing units.
WORKOUTS = (0, 10)
SLEEP = (14, 40)
HEART = (58, 72)
STEPS = (134, 40)
HEIGHT = 174
BAND_MINUTES = 5
GAP_MINUTES = 5  # a heart-rate line breaks where more minutes than this have no reading


@dataclass(frozen=True)
class Shape:
    """One drawn layer: CSS class and path data, with a title for a hover tip."""

    css: str
    d: str
    title: str = ""


@dataclass
class Timeline:
    """Everything the timeline's SVG shows, and the labels the page writes beside it."""

    shapes: list[Shape] = field(default_factory=list)
    heart_labels: tuple[str, str] = ("", "")
    steps_top: int = 0
    skipped: list[tuple[int, int]] = field(default_factory=list)  # wall-clock minutes that did not exist


def minute_of(moment: datetime, day: date) -> float:
    """Return a naive local time's wall-clock minute on day, clamped to 0..1440."""
    minutes = (moment - datetime.combine(day, datetime.min.time())).total_seconds() / 60
    return max(0.0, min(float(WIDTH), minutes))


def rect(x0: float, x1: float, top: float, height: float) -> str:
    """Return path data for a rectangle."""
    return f"M{x0:.1f} {top}H{x1:.1f}V{top + height}H{x0:.1f}Z"


def sleep_shapes(sessions, day: date) -> list[Shape]:
    """Each stage a block on its level's row (awake on top, deep at the bottom)."""
    top, height = SLEEP
    row_height = height / 4
    by_level: dict[str, list[str]] = {}
    for session in sessions:
        for stage in stages(session):
            x0, x1 = minute_of(stage.start, day), minute_of(stage.end, day)
            if x1 <= x0:
                continue
            y = top + LEVEL_ROWS.get(stage.level, 2) * row_height
            by_level.setdefault(stage.level, []).append(rect(x0, x1, y, row_height))
    return [Shape(f"stage stage-{level}", "".join(parts)) for level, parts in by_level.items()]


def runs(values: dict[int, float]) -> list[list[int]]:
    """Split the minutes with a value into runs without a long gap."""
    out: list[list[int]] = []
    for minute in sorted(values):
        if out and minute - out[-1][-1] <= GAP_MINUTES:
            out[-1].append(minute)
        else:
            out.append([minute])
    return out


def polyline(values: dict[int, float], minutes: list[int], y) -> str:
    """Return path data through each minute's value (at the middle of the minute)."""
    points = "L".join(f"{m + 0.5:g} {y(values[m]):.1f}" for m in minutes)
    return "M" + points


def heart_scale(values: dict[int, float], zones: Zones) -> tuple[int, int]:
    """Return the heart lane's bottom and top bpm: the day's range with room, tens apart."""
    low = min(values.values()) if values else 50
    high = max(values.values()) if values else zones.zones[0].low
    return int(math.floor((low - 5) / 10) * 10), int(math.ceil((max(high, zones.zones[0].low) + 5) / 10) * 10)


def heart_shapes(values: dict[int, float], zones: Zones) -> tuple[list[Shape], tuple[int, int]]:
    """Zone bands, a min/max band per 5 minutes, and the per-minute line."""
    top, height = HEART
    low, high = heart_scale(values, zones)
    base, per_bpm = top + height, height / ((high - low) or 1)

    def y(bpm: float) -> float:
        return base - max(0.0, min(float(height), (bpm - low) * per_bpm))

    shapes = []
    for zone in zones.zones:
        upper = high if zone.high is None else min(zone.high, high)
        if upper > low and zone.low < high:
            shapes.append(Shape(f"zone zone-{zone.key}", rect(0, WIDTH, y(upper), y(max(zone.low, low)) - y(upper)),
                                f"{zone.name}: {zone.low}+ bpm"))
    band, line = [], []
    for run in runs(values):
        # The scale holds every value (heart_scale), so no clamping per point: this runs 1,440 times.
        line.append("M" + "L".join(f"{m + 0.5:g} {base - (values[m] - low) * per_bpm:.1f}" for m in run))
        groups: dict[int, list[float]] = {}
        for minute in run:
            bpm = values[minute]
            group = groups.get(minute // BAND_MINUTES)
            if group is None:
                groups[minute // BAND_MINUTES] = [bpm, bpm]
            elif bpm < group[0]:
                group[0] = bpm
            elif bpm > group[1]:
                group[1] = bpm
        keys = sorted(groups)
        upper = [f"{k * BAND_MINUTES} {base - (groups[k][1] - low) * per_bpm:.1f}L{(k + 1) * BAND_MINUTES} "
                 f"{base - (groups[k][1] - low) * per_bpm:.1f}" for k in keys]
        lower = [f"{(k + 1) * BAND_MINUTES} {base - (groups[k][0] - low) * per_bpm:.1f}L{k * BAND_MINUTES} "
                 f"{base - (groups[k][0] - low) * per_bpm:.1f}" for k in reversed(keys)]
        band.append("M" + "L".join(upper + lower) + "Z")
    shapes += [Shape("heart-band", "".join(band)), Shape("heart-line", "".join(line))]
    return shapes, (low, high)


def night_heart(values: dict[int, float], sessions, day: date) -> Shape:
    """The heart rate through each sleep, drawn over the stages in the sleep lane's height."""
    top, height = SLEEP
    inside = {}
    for session in sessions:
        first, stop = math.ceil(minute_of(session.start, day)), math.ceil(minute_of(session.end, day))
        inside.update((m, values[m]) for m in range(first, stop) if m in values)
    if not inside:
        return Shape("night-heart", "")
    low, high = min(inside.values()) - 3, max(inside.values()) + 3

    def y(bpm: float) -> float:
        return top + 2 + (height - 4) * (1 - (bpm - low) / ((high - low) or 1))

    return Shape("night-heart", "".join(polyline(inside, run, y) for run in runs(inside)),
                 f"Heart rate asleep: {round(min(inside.values()))}–{round(max(inside.values()))} bpm")


def hourly(values: dict[int, float]) -> list[float]:
    """Return the sum of each wall-clock hour's minutes (24 values)."""
    hours = [0.0] * 24
    for minute, value in values.items():
        hours[minute // 60] += value
    return hours


def steps_shape(steps: list[float]) -> tuple[Shape, int]:
    """Bars of steps per hour, from the lane's bottom."""
    top, height = STEPS
    peak = int(nice_ceiling(max(steps))) if any(steps) else 0
    bottom = top + height
    parts = [f"M{hour * 60 + 4} {bottom}V{bottom - value / peak * height:.1f}h52V{bottom}Z"
             for hour, value in enumerate(steps) if value and peak]
    return Shape("bar-steps", "".join(parts)), peak


def workout_shape(workouts, day: date) -> Shape:
    """Each workout as a span in the top lane."""
    top, height = WORKOUTS
    parts = [rect(minute_of(w.start, day), max(minute_of(w.start + timedelta(seconds=w.seconds), day),
                                               minute_of(w.start, day) + 2), top, height) for w in workouts]
    return Shape("workout", "".join(parts))


def exists(wall: datetime, zone) -> bool:
    """Tell whether a wall-clock time happened in a zone (not in the hour clocks skipped)."""
    there = wall.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)
    return there.replace(tzinfo=None) == wall


def skipped_minutes(day: date, zone) -> list[tuple[int, int]]:
    """Return the wall-clock spans of the day that did not exist (clocks went forward)."""
    midnight = datetime.combine(day, datetime.min.time())
    return [(hour * 60, hour * 60 + 60) for hour in range(24)
            if not exists(midnight + timedelta(hours=hour, minutes=30), zone)]


def build(data, zones: Zones, zone) -> Timeline:
    """Draw the day (data: a reading.DayData)."""
    timeline = Timeline()
    timeline.skipped = skipped_minutes(data.day, zone)
    for start, end in timeline.skipped:
        timeline.shapes.append(Shape("skipped", rect(start, end, 0, HEIGHT), "This hour did not exist: clocks went forward"))
    grid = "".join(f"M{hour * 60} 0V{HEIGHT}" for hour in range(3, 24, 3))
    timeline.shapes.append(Shape("grid", grid))
    timeline.shapes.append(workout_shape(data.workouts, data.day))
    timeline.shapes += sleep_shapes(data.sleep, data.day)
    heart = data.values("heart_rate")
    timeline.shapes.append(night_heart(heart, data.sleep, data.day))
    shapes, (low, high) = heart_shapes(heart, zones)
    timeline.shapes += shapes
    timeline.heart_labels = (f"{high}", f"{low}")
    steps, timeline.steps_top = steps_shape(hourly(data.values("steps")))
    timeline.shapes.append(steps)
    return timeline


@dataclass(frozen=True)
class Night:
    """One sleep session drawn whole, from its start (perhaps the evening before) to its end."""

    width: float
    shapes: list[Shape]
    heart: str  # what the heart rate did, in words ("" when none was recorded)


def night_chart(session, today: dict[int, float], before: dict[int, float], day: date) -> Night:
    """Draw a session's stages on four rows, 100 high and a unit per minute, with its heart rate over them."""
    start = session.start
    width = max(1.0, (session.end - start).total_seconds() / 60)
    by_level: dict[str, list[str]] = {}
    for stage in stages(session):
        x0 = (stage.start - start).total_seconds() / 60
        y = LEVEL_ROWS.get(stage.level, 2) * 25
        by_level.setdefault(stage.level, []).append(rect(x0, x0 + stage.seconds / 60, y, 25))
    shapes = [Shape(f"stage stage-{level}", "".join(parts)) for level, parts in by_level.items()]
    # Walk the night minute by minute in whole wall-clock minutes counted from the midnight before `day`.
    eve = datetime.combine(day - timedelta(days=1), datetime.min.time())
    offset = (start - eve).total_seconds() / 60
    first, stop = math.ceil(offset), math.floor((session.end - eve).total_seconds() / 60)
    grid = [f"M{m - offset:.1f} 0V100" for m in range(first, stop + 1) if m % 60 == 0]
    beats: dict[int, float] = {}
    for m in range(max(first, 0), min(stop, 2 * 1440 - 1) + 1):
        bpm = (before if m < 1440 else today).get(m % 1440)
        if bpm is not None:
            beats[round(m - offset)] = bpm
    shapes.insert(0, Shape("grid", "".join(grid)))
    if not beats:
        return Night(width, shapes, "")
    low, high = min(beats.values()) - 3, max(beats.values()) + 3

    def y(bpm: float) -> float:
        return 2 + 96 * (1 - (bpm - low) / ((high - low) or 1))

    shapes.append(Shape("night-heart", "".join(polyline(beats, run, y) for run in runs(beats))))
    mean = sum(beats.values()) / len(beats)
    return Night(width, shapes, f"Heart rate through this sleep: lowest {round(min(beats.values()))}, "
                                f"average {round(mean)}, highest {round(max(beats.values()))} bpm.")
