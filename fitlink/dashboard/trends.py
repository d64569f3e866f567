"""The five trend charts (steps, active minutes, resting heart rate, sleep, weight) from bucket sums."""

import math

from ..formatting import decimal, duration, thousands, weight_in, weight_unit
from .readings import STAGES, Reading, Stat
from .charts import SLOT, Bucket, Chart, Scale, Series, bucket_values, line, stacked_bars
from .charts import tight_scale, weekly, zero_scale

Stats = dict[str, dict[int, Stat]]
STAGE_NAMES = {"deep": "Deep", "light": "Light", "rem": "REM", "wake": "Awake"}


def table(groups: list[Bucket], columns: list[list[float | None]], fmt) -> list[tuple[str, ...]]:
    """Return table rows, newest first, with a dash where nothing was recorded."""
    rows = []
    for index in range(len(groups) - 1, -1, -1):
        cells = [fmt(col[index]) if col[index] is not None else "–" for col in columns]
        rows.append((groups[index].label, *cells))
    return rows


def frame(key: str, title: str, groups: list[Bucket], columns: tuple[str, ...]) -> dict:
    """Return the fields every chart shares."""
    long = weekly(groups)
    first, last = groups[0].start, groups[-1].end
    return {
        "key": key,
        "title": title + (", weekly averages" if long else ""),
        "columns": ("Week" if long else "Date", *columns),
        "width": len(groups) * SLOT,
        "x_labels": (f"{first.day} {first:%b %Y}", f"{last.day} {last:%b %Y}"),
    }


def overall(stats: dict[int, Stat]) -> tuple[int, float]:
    """Return the number of days with a value and their average."""
    count = sum(s.count for s in stats.values())
    return count, sum(s.total for s in stats.values()) / count


def steps_chart(stats: Stats, groups: list[Bucket], goal: int) -> Chart:
    """Steps as bars, with the daily goal as a line."""
    base = frame("steps", "Steps", groups, ("Steps",))
    if not stats["steps"]:
        return Chart(**base, summary="", rows=[], empty="No steps recorded in this range.")
    values = bucket_values(stats["steps"], groups)
    scale = zero_scale(values, goal)
    days, average = overall(stats["steps"])
    reached = sum(s.reached for s in stats["steps"].values())
    summary = (f"Average {thousands(average)} steps a day over {days} days with data; "
               f"the goal of {thousands(goal)} was reached on {reached} of them.")
    return Chart(**base, summary=summary, rows=table(groups, [values], thousands),
                 series=[Series("Steps", "bar-steps", "bar", stacked_bars([values], scale)[0])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 goal_y=scale.y(goal), goal_label=f"Goal {thousands(goal)}")


def active_chart(stats: Stats, groups: list[Bucket]) -> Chart:
    """Very and fairly active minutes, stacked."""
    very, fairly = stats["very_active_minutes"], stats["fairly_active_minutes"]
    base = frame("active", "Active minutes", groups, ("Very active", "Fairly active"))
    if not very and not fairly:
        return Chart(**base, summary="", rows=[], empty="No active minutes recorded in this range.")
    layers = [bucket_values(very, groups), bucket_values(fairly, groups)]
    scale = zero_scale([(a or 0) + (b or 0) for a, b in zip(*layers)])
    days = max(sum(s.count for s in very.values()), sum(s.count for s in fairly.values()))
    average = sum(s.total for s in (*very.values(), *fairly.values())) / days
    paths = stacked_bars(layers, scale)
    return Chart(**base, summary=f"Average {thousands(average)} active minutes a day over {days} days.",
                 rows=table(groups, layers, thousands),
                 series=[Series("Very active", "bar-very", "bar", paths[0]),
                         Series("Fairly active", "bar-fairly", "bar", paths[1])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 legend=[("Very active", "bar-very"), ("Fairly active", "bar-fairly")])


def line_chart(base: dict, groups: list[Bucket], values: list[float | None], fmt, pad: float,
               summary: str) -> Chart:
    """A line with gaps where nothing was recorded, and a dot on every value."""
    scale: Scale = tight_scale(values, pad)
    path, dots = line(values, scale)
    return Chart(**base, summary=summary, rows=table(groups, [values], fmt),
                 series=[Series(base["key"], "line", "line", path), Series(base["key"], "dots", "dots", dots)],
                 y_labels=(fmt(scale.high), fmt(scale.middle), fmt(scale.low)))


def heart_chart(stats: Stats, groups: list[Bucket]) -> Chart:
    """Resting heart rate as a line."""
    heart = stats["resting_heart_rate"]
    base = frame("heart", "Resting heart rate", groups, ("bpm",))
    if not heart:
        return Chart(**base, summary="", rows=[], empty="No resting heart rate recorded in this range.")
    _, average = overall(heart)
    low, high = min(s.low for s in heart.values()), max(s.high for s in heart.values())
    summary = (f"Resting heart rate between {thousands(low)} and {thousands(high)} bpm, "
               f"average {thousands(average)} bpm.")
    return line_chart(base, groups, bucket_values(heart, groups), thousands, 2, summary)


def weight_chart(stats: Stats, groups: list[Bucket], units: str, last: Reading | None) -> Chart:
    """Weight as a line in the profile's unit, with gaps between weigh-ins."""
    unit = weight_unit(units)
    weight = stats["weight"]
    base = frame("weight", "Weight", groups, (unit,))
    if not weight:
        empty = "No weight logged in this range." if last else "No weight logged yet."
        return Chart(**base, summary="", rows=[], empty=empty)
    count = sum(s.count for s in weight.values())
    low = weight_in(min(s.low for s in weight.values()), units)
    high = weight_in(max(s.high for s in weight.values()), units)
    summary = f"{count} weigh-ins from {decimal(low)} to {decimal(high)} {unit}"
    if last is not None and last.day >= groups[0].start:
        summary += f"; latest {decimal(weight_in(last.value, units))} {unit} on {last.day.day} {last.day:%b}"
    values = bucket_values(weight, groups, lambda s: weight_in(s.mean, units))
    return line_chart(base, groups, values, decimal, 1, summary + ".")


def sleep_chart(stats: Stats, groups: list[Bucket]) -> Chart:
    """Sleep per night, stacked by stage (nights logged without stages as plain "asleep")."""
    sleep = stats["sleep"]
    base = frame("sleep", "Sleep by stage", groups, ("Asleep",) + tuple(STAGE_NAMES.values()))
    if not sleep:
        return Chart(**base, summary="", rows=[], empty="No sleep logged in this range.")
    used = [(key, STAGE_NAMES[key]) for key in STAGES if any(key in s.stages for s in sleep.values())]
    if any(s.unstaged for s in sleep.values()):
        used.append(("asleep", "Asleep, no stages"))

    def per_night(key: str):
        return lambda s: (s.unstaged if key == "asleep" else s.stages.get(key, 0)) / s.count

    layers = [bucket_values(sleep, groups, per_night(key)) for key, _ in used]
    totals = [sum(layer[i] or 0 for layer in layers) for i in range(len(groups))]
    top_hours = max(2, math.ceil(max(totals) / 120) * 2)
    paths = stacked_bars(layers, Scale(0, top_hours * 60))
    by_key = dict(zip((key for key, _ in used), layers))
    columns = [bucket_values(sleep, groups)] + [by_key.get(key, [None] * len(groups)) for key in STAGES]
    nights, average = overall(sleep)
    return Chart(**base, summary=f"Average {duration(average)} asleep a night over {nights} nights.",
                 rows=table(groups, columns, duration),
                 series=[Series(name, f"bar-{key}", "bar", path) for (key, name), path in zip(used, paths)],
                 y_labels=(f"{top_hours} h", f"{top_hours / 2:g} h", "0"),
                 legend=[(name, f"bar-{key}") for key, name in used])
