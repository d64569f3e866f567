"""Chart geometry for server-side SVG: buckets of days, scales, and path data for bars and lines.

A chart is drawn in a viewBox 10 units wide per bucket and 100 high, stretched to
the page's width (preserveAspectRatio="none"); text lives in HTML beside it, so it
stays crisp and readable on a phone.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from .readings import Stat

HEIGHT = 100
SLOT = 10

# Longer ranges are shown week by week: 365 bars are neither readable nor fast.
WEEKLY_FROM_DAYS = 120


@dataclass(frozen=True)
class Bucket:
    """The days one bar or point of a chart stands for; index 0 is the bucket ending on the last day."""

    start: date
    end: date
    index: int
    label: str


def bucket_label(start: date, end: date) -> str:
    """Write a bucket like Fri 27 Nov, or 21–27 Nov for a week."""
    if start == end:
        return f"{end:%a} {end.day} {end:%b}"
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b}"
    return f"{start.day} {start:%b} – {end.day} {end:%b}"


@dataclass(frozen=True)
class Series:
    """One drawn layer: a CSS class, a kind (bar, line, dots) and SVG path data."""

    name: str
    css: str
    kind: str
    d: str


@dataclass(frozen=True)
class Chart:
    """Everything a chart macro needs: the drawing, its axis labels and its data table."""

    key: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    width: int = 0
    series: list[Series] = field(default_factory=list)
    y_labels: tuple[str, str, str] = ("", "", "")
    x_labels: tuple[str, str] = ("", "")
    goal_y: float | None = None
    goal_label: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: str | None = None


def bucket_size(start: date, end: date) -> int:
    """Return 7 (weeks) for long periods, else 1 (days)."""
    return 7 if (end - start).days + 1 >= WEEKLY_FROM_DAYS else 1


def buckets(start: date, end: date) -> list[Bucket]:
    """Split a period into days or weeks, counted back from `end` (the first may be shorter)."""
    size = bucket_size(start, end)
    out, stop, index = [], end, 0
    while stop >= start:
        first = max(start, stop - timedelta(days=size - 1))
        out.append(Bucket(first, stop, index, bucket_label(first, stop)))
        stop, index = first - timedelta(days=1), index + 1
    out.reverse()
    return out


def weekly(groups: list[Bucket]) -> bool:
    """Tell whether the buckets are weeks."""
    return any(b.start != b.end for b in groups)


def bucket_values(stats: dict[int, Stat], groups: list[Bucket], pick=Stat.mean.fget) -> list[float | None]:
    """Return pick(stat) for each bucket in order, None where nothing was recorded."""
    return [pick(stats[b.index]) if b.index in stats else None for b in groups]


def nice_ceiling(value: float) -> float:
    """Round up to 1, 2, 2.5 or 5 times a power of ten, for a tidy axis top."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


@dataclass(frozen=True)
class Scale:
    """Maps values from low..high onto the chart's height (top is 0)."""

    low: float
    high: float

    def y(self, value: float) -> float:
        """Return the y coordinate of a value, clamped to the chart."""
        share = (value - self.low) / ((self.high - self.low) or 1)
        return round(HEIGHT - max(0.0, min(1.0, share)) * HEIGHT, 2)

    @property
    def middle(self) -> float:
        """Return the value halfway up."""
        return (self.low + self.high) / 2


def zero_scale(values: list[float | None], floor_top: float = 0) -> Scale:
    """A scale from zero to a tidy top above every value (and above floor_top)."""
    top = max([v for v in values if v is not None] + [floor_top, 1])
    return Scale(0, nice_ceiling(top))


def tight_scale(values: list[float | None], pad: float) -> Scale:
    """A scale hugging the values with some room, for heart rate and weight."""
    present = [v for v in values if v is not None] or [0]
    return Scale(math.floor(min(present) - pad), math.ceil(max(present) + pad))


def stacked_bars(layers: list[list[float | None]], scale: Scale) -> list[str]:
    """Return path data for bars stacked layer on layer, one path per layer."""
    # Scale.y inlined: this loop runs for every bar of every chart on every page view.
    low, per_unit = scale.low, HEIGHT / ((scale.high - scale.low) or 1)
    base = [0.0] * len(layers[0])
    paths = []
    for layer in layers:
        parts = []
        for index, value in enumerate(layer):
            if value:
                below = base[index]
                base[index] = top = below + value
                bottom = HEIGHT - min(HEIGHT, max(0.0, (below - low) * per_unit))
                peak = HEIGHT - min(HEIGHT, max(0.0, (top - low) * per_unit))
                parts.append(f"M{index * SLOT + 1.5} {bottom:.2f}V{peak:.2f}h7V{bottom:.2f}Z")
        paths.append("".join(parts))
    return paths


def line(values: list[float | None], scale: Scale) -> tuple[str, str]:
    """Return path data for a line broken where values are missing, and for a dot at each value."""
    segments, dots, pen_down = [], [], False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x, y = index * SLOT + 5, scale.y(value)
        segments.append(f"{'L' if pen_down else 'M'}{x} {y}")
        dots.append(f"M{x} {y}h0")
        pen_down = True
    return "".join(segments), "".join(dots)
