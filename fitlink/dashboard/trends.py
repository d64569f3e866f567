"""The five trend charts (steps, active minutes, resting heart rate, sleep, weight) from stored readings."""

import math
from datetime import date
from statistics import fmean

from ..formatting import decimal, duration, thousands, weight_in, weight_unit
from ..readings import Reading
from .charts import Bucket, Chart, Scale, Series, bucket_values, line, stacked_bars
from .charts import SLOT, tight_scale, weekly, zero_scale

Data = dict[str, dict[date, Reading]]
SLEEP_LAYERS = (("deep", "Deep"), ("light", "Light"), ("rem", "REM"), ("wake", "Awake"),
                ("asleep", "Asleep, no stages"))


def bucket_label(bucket: Bucket) -> str:
    """Write a bucket like Fri 27 Nov, or 21–27 Nov for a week."""
    if bucket.start == bucket.end:
        return f"{bucket.end:%a} {bucket.end.day} {bucket.end:%b}"
    if bucket.start.month == bucket.end.month:
        return f"{bucket.start.day}–{bucket.end.day} {bucket.end:%b}"
    return f"{bucket.start.day} {bucket.start:%b} – {bucket.end.day} {bucket.end:%b}"


def axis_dates(groups: list[Bucket]) -> tuple[str, str]:
    """Label the first and last day a chart covers."""
    first, last = groups[0].start, groups[-1].end
    return f"{first.day} {first:%b %Y}", f"{last.day} {last:%b %Y}"


def table(groups: list[Bucket], columns: list[list[float | None]], fmt) -> list[tuple[str, ...]]:
    """Return table rows, newest first, with a dash where nothing was recorded."""
    rows = []
    for index in range(len(groups) - 1, -1, -1):
        cells = [fmt(col[index]) if col[index] is not None else "–" for col in columns]
        rows.append((bucket_label(groups[index]), *cells))
    return rows


def frame(key: str, title: str, groups: list[Bucket], columns: tuple[str, ...]) -> dict:
    """Return the fields every chart shares."""
    long = weekly(groups)
    return {
        "key": key,
        "title": title + (", weekly averages" if long else ""),
        "columns": ("Week" if long else "Date", *columns),
        "width": len(groups) * SLOT,
        "x_labels": axis_dates(groups),
    }


def steps_chart(data: Data, groups: list[Bucket], goal: int) -> Chart:
    """Steps as bars, with the daily goal as a line."""
    daily = {day: r.value for day, r in data["steps"].items()}
    base = frame("steps", "Steps", groups, ("Steps",))
    if not daily:
        return Chart(**base, summary="", rows=[], empty="No steps recorded in this range.")
    values = bucket_values(daily, groups)
    scale = zero_scale(values, goal)
    met = sum(1 for v in daily.values() if v >= goal)
    summary = (f"Average {thousands(fmean(daily.values()))} steps a day over {len(daily)} days "
               f"with data; the goal of {thousands(goal)} was reached on {met} of them.")
    return Chart(**base, summary=summary, rows=table(groups, [values], thousands),
                 series=[Series("Steps", "bar-steps", "bar", stacked_bars([values], scale)[0])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 goal_y=scale.y(goal), goal_label=f"Goal {thousands(goal)}")


def active_chart(data: Data, groups: list[Bucket]) -> Chart:
    """Very and fairly active minutes, stacked."""
    very = {day: r.value for day, r in data["very_active_minutes"].items()}
    fairly = {day: r.value for day, r in data["fairly_active_minutes"].items()}
    base = frame("active", "Active minutes", groups, ("Very active", "Fairly active"))
    if not very and not fairly:
        return Chart(**base, summary="", rows=[], empty="No active minutes recorded in this range.")
    layers = [bucket_values(very, groups), bucket_values(fairly, groups)]
    totals = [(a or 0) + (b or 0) for a, b in zip(*layers)]
    scale = zero_scale(totals)
    days = set(very) | set(fairly)
    average = fmean(very.get(d, 0) + fairly.get(d, 0) for d in days)
    paths = stacked_bars(layers, scale)
    return Chart(**base, summary=f"Average {thousands(average)} active minutes a day over {len(days)} days.",
                 rows=table(groups, layers, thousands),
                 series=[Series("Very active", "bar-very", "bar", paths[0]),
                         Series("Fairly active", "bar-fairly", "bar", paths[1])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 legend=[("Very active", "bar-very"), ("Fairly active", "bar-fairly")])


def line_chart(key: str, title: str, column: str, daily: dict[date, float], groups: list[Bucket],
               fmt, pad: float, empty: str, summary) -> Chart:
    """A line with gaps where nothing was recorded, and a dot on every value."""
    base = frame(key, title, groups, (column,))
    if not daily:
        return Chart(**base, summary="", rows=[], empty=empty)
    values = bucket_values(daily, groups)
    scale: Scale = tight_scale(values, pad)
    path, dots = line(values, scale)
    return Chart(**base, summary=summary(daily), rows=table(groups, [values], fmt),
                 series=[Series(title, "line", "line", path), Series(title, "dots", "dots", dots)],
                 y_labels=(fmt(scale.high), fmt(scale.middle), fmt(scale.low)))


def heart_chart(data: Data, groups: list[Bucket]) -> Chart:
    """Resting heart rate as a line."""
    daily = {day: r.value for day, r in data["resting_heart_rate"].items()}

    def summary(values: dict[date, float]) -> str:
        low, high = min(values.values()), max(values.values())
        return (f"Resting heart rate between {thousands(low)} and {thousands(high)} bpm, "
                f"average {thousands(fmean(values.values()))} bpm.")

    return line_chart("heart", "Resting heart rate", "bpm", daily, groups, thousands, 2,
                      "No resting heart rate recorded in this range.", summary)


def weight_chart(data: Data, groups: list[Bucket], units: str, ever: bool) -> Chart:
    """Weight as a line in the profile's unit, with gaps between weigh-ins."""
    unit = weight_unit(units)
    daily = {day: weight_in(r.value, units) for day, r in data["weight"].items()}

    def summary(values: dict[date, float]) -> str:
        last = max(values)
        return (f"{len(values)} weigh-ins from {decimal(min(values.values()))} to "
                f"{decimal(max(values.values()))} {unit}; latest {decimal(values[last])} {unit} "
                f"on {last.day} {last:%b}.")

    empty = "No weight logged in this range." if ever else "No weight logged yet."
    return line_chart("weight", "Weight", unit, daily, groups, decimal, 1, empty, summary)


def sleep_stages(reading: Reading) -> dict[str, float]:
    """Return a night's minutes per stage; a night without stages is all "asleep"."""
    stages = (reading.details or {}).get("stages") or {}
    if not stages:
        return {"asleep": reading.value}
    return {key: stages.get(key) or 0 for key in ("deep", "light", "rem", "wake")}


def sleep_chart(data: Data, groups: list[Bucket]) -> Chart:
    """Sleep per night, stacked by stage."""
    nights = {day: sleep_stages(r) for day, r in data["sleep"].items()}
    asleep = {day: r.value for day, r in data["sleep"].items()}
    base = frame("sleep", "Sleep by stage", groups, ("Asleep",) + tuple(n for _, n in SLEEP_LAYERS[:4]))
    if not nights:
        return Chart(**base, summary="", rows=[], empty="No sleep logged in this range.")
    used = [(key, name) for key, name in SLEEP_LAYERS if any(key in n for n in nights.values())]
    layers = [bucket_values({d: n[key] for d, n in nights.items() if key in n}, groups) for key, _ in used]
    totals = [sum(layer[i] or 0 for layer in layers) for i in range(len(groups))]
    top_hours = max(2, math.ceil(max(totals) / 120) * 2)
    scale = Scale(0, top_hours * 60)
    paths = stacked_bars(layers, scale)
    by_key = {key: layer for (key, _), layer in zip(used, layers)}
    columns = [bucket_values(asleep, groups)] + [by_key.get(k, [None] * len(groups))
                                                 for k, _ in SLEEP_LAYERS[:4]]
    summary = f"Average {duration(fmean(asleep.values()))} asleep a night over {len(asleep)} nights."
    return Chart(**base, summary=summary, rows=table(groups, columns, duration),
                 series=[Series(name, f"bar-{key}", "bar", path) for (key, name), path in zip(used, paths)],
                 y_labels=(f"{top_hours} h", f"{top_hours / 2:g} h", "0"),
                 legend=[(name, f"bar-{key}") for key, name in used])
