"""Trend charts of the newer daily metrics (HRV, SpO2, breathing, skin temperature, cardio fitness,
zone and lightly active minutes, sedentary time, body fat): shown only where the person has data."""

from collections.abc import Callable
from dataclasses import dataclass

from ..formatting import decimal, signed, thousands
from .charts import Chart, Layout, Series, band_path, bucket_values, line, stacked_bars, tight_scale, zero_scale
from .readings import Stat
from .tables import Column, Stats, band_edges, band_label, bands, counted, frame, mean, table


@dataclass(frozen=True)
class Spec:
    """How one metric's trend is drawn: bars for counts of minutes, a line for measurements."""

    key: str
    title: str
    unit: str
    fmt: Callable[[float], str]
    bars: bool = False
    pad: float = 1


SPECS = (
    Spec("hrv", "Heart rate variability", "ms", thousands, pad=3),
    Spec("spo2", "Blood oxygen (SpO2)", "%", decimal),
    Spec("breathing_rate", "Breathing rate", "breaths/min", decimal),
    Spec("skin_temperature", "Skin temperature", "°C from baseline", signed, pad=0.5),
    Spec("vo2max", "Cardio fitness (VO2 max)", "mL/kg/min", decimal),
    Spec("active_zone_minutes", "Active Zone Minutes", "min", thousands, bars=True),
    Spec("lightly_active_minutes", "Lightly active minutes", "min", thousands, bars=True),
    Spec("sedentary_minutes", "Sedentary minutes", "min", thousands, bars=True),
    Spec("body_fat", "Body fat", "%", decimal),
)


def summary(spec: Spec, stats: dict[int, Stat]) -> str:
    """Say the average, the lowest and the highest day in words."""
    count = sum(s.count for s in stats.values())
    average = sum(s.total for s in stats.values()) / count
    low, high = min(s.low for s in stats.values()), max(s.high for s in stats.values())
    per = " a day" if spec.bars else ""
    return (f"Average {spec.fmt(average)} {spec.unit}{per} over {count} days with data; "
            f"from {spec.fmt(low)} to {spec.fmt(high)}.")


def health_chart(spec: Spec, stats: Stats, history: Stats, plan: Layout) -> Chart:
    """One newer metric's trend with the person's normal range behind it."""
    held = stats[spec.key]
    if spec.bars:
        columns = counted(spec.unit, held, spec.fmt, plan)
    else:
        columns = [Column(spec.unit, held, mean, spec.fmt)]
    base = frame(spec.key, spec.title, plan, tuple(c.name for c in columns))
    values = bucket_values(held, plan.groups)
    normal = bands(history[spec.key], plan)
    if spec.bars:
        scale = zero_scale(values + band_edges(normal))
        series = [Series(spec.title, "bar-health", "bar", stacked_bars([values], scale)[0])]
        low_label = "0"
    else:
        scale = tight_scale(values + band_edges(normal), spec.pad)
        path, dots = line(values, scale)
        series = [Series(spec.title, "line-health", "line", path), Series(spec.title, "dots-health", "dots", dots)]
        low_label = spec.fmt(scale.low)
    return Chart(**base, summary=summary(spec, held), rows=table(plan, columns), series=series,
                 y_labels=(spec.fmt(scale.high), spec.fmt(scale.middle), low_label),
                 band=band_path(normal, scale), band_label=band_label(plan))


def health_charts(stats: Stats, history: Stats, plan: Layout) -> list[Chart]:
    """Return a chart for each newer metric the person has in the range, none for the others."""
    return [health_chart(spec, stats, history, plan) for spec in SPECS if stats[spec.key]]
