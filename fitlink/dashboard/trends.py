"""The five trend charts (steps, active minutes, resting heart rate, sleep, weight) from bucket sums."""

import math

from ..formatting import decimal, duration, thousands, weight_in, weight_unit
from .charts import Chart, Layout, Scale, Series, band_path, bucket_values, line, stacked_bars
from .charts import tight_scale, zero_scale
from .readings import STAGES, Reading, Stat, pool
from .tables import Column, Stats, band_edges, band_label, bands, counted, frame, mean, table, total

STAGE_NAMES = {"deep": "Deep", "light": "Light", "rem": "REM", "wake": "Awake"}


def overall(stats: dict[int, Stat]) -> tuple[int, float]:
    """Return the number of days with a value and their average."""
    count = sum(s.count for s in stats.values())
    return count, sum(s.total for s in stats.values()) / count


def steps_chart(stats: Stats, history: Stats, plan: Layout, goal: int) -> Chart:
    """Steps as bars, with the daily goal as a line and the person's normal range behind."""
    groups = plan.groups
    columns = counted("Steps", stats["steps"], thousands, plan)
    base = frame("steps", "Steps", plan, tuple(c.name for c in columns))
    if not stats["steps"]:
        return Chart(**base, summary="", rows=[], empty="No steps recorded in this range.")
    values = bucket_values(stats["steps"], groups)
    normal = bands(history["steps"], plan)
    scale = zero_scale(values + band_edges(normal), goal)
    days, average = overall(stats["steps"])
    reached = sum(s.reached for s in stats["steps"].values())
    summary = (f"Average {thousands(average)} steps a day over {days} days with data; "
               f"the goal of {thousands(goal)} was reached on {reached} of them.")
    return Chart(**base, summary=summary, rows=table(plan, columns),
                 series=[Series("Steps", "bar-steps", "bar", stacked_bars([values], scale)[0])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 goal_y=scale.y(goal), goal_label=f"Goal {thousands(goal)}",
                 band=band_path(normal, scale), band_label=band_label(plan))


def active_chart(stats: Stats, history: Stats, plan: Layout) -> Chart:
    """Very and fairly active minutes, stacked (the normal range is of the two together)."""
    groups = plan.groups
    very, fairly = stats["very_active_minutes"], stats["fairly_active_minutes"]
    both = {i: pool(s[i] for s in (very, fairly) if i in s) for i in set(very) | set(fairly)}
    columns = [Column("Very active", very, mean, thousands), Column("Fairly active", fairly, mean, thousands)]
    if plan.unit != "day":
        columns.append(Column("Total", both, total, thousands))
    base = frame("active", "Active minutes", plan, tuple(c.name for c in columns))
    if not very and not fairly:
        return Chart(**base, summary="", rows=[], empty="No active minutes recorded in this range.")
    layers = [bucket_values(very, groups), bucket_values(fairly, groups)]
    scale = zero_scale([(a or 0) + (b or 0) for a, b in zip(*layers)])
    days = max(sum(s.count for s in very.values()), sum(s.count for s in fairly.values()))
    average = sum(s.total for s in (*very.values(), *fairly.values())) / days
    paths = stacked_bars(layers, scale)
    return Chart(**base, summary=f"Average {thousands(average)} active minutes a day over {days} days.",
                 rows=table(plan, columns),
                 series=[Series("Very active", "bar-very", "bar", paths[0]),
                         Series("Fairly active", "bar-fairly", "bar", paths[1])],
                 y_labels=(thousands(scale.high), thousands(scale.middle), "0"),
                 legend=[("Very active", "bar-very"), ("Fairly active", "bar-fairly")])


def line_chart(base: dict, plan: Layout, columns: list[Column], values: list[float | None],
               normal: list, fmt, pad: float, summary: str) -> Chart:
    """A line with gaps where nothing was recorded, a dot on every value, the normal range behind."""
    scale: Scale = tight_scale(values + band_edges(normal), pad)
    path, dots = line(values, scale)
    return Chart(**base, summary=summary, rows=table(plan, columns),
                 series=[Series(base["key"], "line", "line", path), Series(base["key"], "dots", "dots", dots)],
                 y_labels=(fmt(scale.high), fmt(scale.middle), fmt(scale.low)),
                 band=band_path(normal, scale), band_label=band_label(plan))


def heart_chart(stats: Stats, history: Stats, plan: Layout) -> Chart:
    """Resting heart rate as a line."""
    heart = stats["resting_heart_rate"]
    columns = [Column("bpm", heart, mean, thousands)]
    base = frame("heart", "Resting heart rate", plan, ("bpm",))
    if not heart:
        return Chart(**base, summary="", rows=[], empty="No resting heart rate recorded in this range.")
    _, average = overall(heart)
    low, high = min(s.low for s in heart.values()), max(s.high for s in heart.values())
    summary = (f"Resting heart rate between {thousands(low)} and {thousands(high)} bpm, "
               f"average {thousands(average)} bpm.")
    return line_chart(base, plan, columns, bucket_values(heart, plan.groups),
                      bands(history["resting_heart_rate"], plan), thousands, 2, summary)


def weight_chart(stats: Stats, history: Stats, plan: Layout, units: str, last: Reading | None) -> Chart:
    """Weight as a line in the profile's unit, with gaps between weigh-ins."""
    unit = weight_unit(units)
    weight = stats["weight"]
    base = frame("weight", "Weight", plan, (unit,))
    if not weight:
        empty = "No weight logged in this range." if last else "No weight logged yet."
        return Chart(**base, summary="", rows=[], empty=empty)
    count = sum(s.count for s in weight.values())
    low = weight_in(min(s.low for s in weight.values()), units)
    high = weight_in(max(s.high for s in weight.values()), units)
    summary = f"{count} weigh-ins from {decimal(low)} to {decimal(high)} {unit}"
    if last is not None and last.day >= plan.groups[0].start:
        summary += f"; latest {decimal(weight_in(last.value, units))} {unit} on {last.day.day} {last.day:%b}"
    in_unit = lambda s: weight_in(s.mean, units)  # noqa: E731
    values = bucket_values(weight, plan.groups, in_unit)
    normal = bands(history["weight"], plan, lambda kg: weight_in(kg, units))
    return line_chart(base, plan, [Column(unit, weight, in_unit, decimal)], values, normal, decimal, 1,
                      summary + ".")


def sleep_chart(stats: Stats, history: Stats, plan: Layout) -> Chart:
    """Sleep per night, stacked by stage (nights logged without stages as plain "asleep")."""
    groups = plan.groups
    sleep = stats["sleep"]
    base = frame("sleep", "Sleep by stage", plan, ("Asleep",) + tuple(STAGE_NAMES.values()))
    if not sleep:
        return Chart(**base, summary="", rows=[], empty="No sleep logged in this range.")
    used = [(key, STAGE_NAMES[key]) for key in STAGES if any(key in s.stages for s in sleep.values())]
    if any(s.unstaged for s in sleep.values()):
        used.append(("asleep", "Asleep, no stages"))

    def per_night(key: str):
        return lambda s: (s.unstaged if key == "asleep" else s.stages.get(key, 0)) / s.count

    def stage_column(key: str):
        return lambda s: s.stages[key] / s.count if key in s.stages else None

    layers = [bucket_values(sleep, groups, per_night(key)) for key, _ in used]
    totals = [sum(layer[i] or 0 for layer in layers) for i in range(len(groups))]
    top_hours = max(2, math.ceil(max(totals) / 120) * 2)
    paths = stacked_bars(layers, Scale(0, top_hours * 60))
    columns = [Column("Asleep", sleep, mean, duration)]
    columns += [Column(name, sleep, stage_column(key), duration) for key, name in STAGE_NAMES.items()]
    nights, average = overall(sleep)
    return Chart(**base, summary=f"Average {duration(average)} asleep a night over {nights} nights.",
                 rows=table(plan, columns),
                 series=[Series(name, f"bar-{key}", "bar", path) for (key, name), path in zip(used, paths)],
                 y_labels=(f"{top_hours} h", f"{top_hours / 2:g} h", "0"),
                 legend=[(name, f"bar-{key}") for key, name in used])
