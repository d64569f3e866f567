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
# Past two years, months: ten years of history is 120 points, as fast to read and draw as a year of weeks.
MONTHLY_FROM_DAYS = 731


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
    band: str = ""  # path data of the person's normal range, drawn behind the values
    band_label: str = ""


def grouping(start: date, end: date) -> str:
    """Return how a period is drawn: "day" up to 119 days, "week" up to two years, else "month"."""
    days = (end - start).days + 1
    if days < WEEKLY_FROM_DAYS:
        return "day"
    return "week" if days <= MONTHLY_FROM_DAYS else "month"


def bucket_size(start: date, end: date) -> int:
    """Return 7 (weeks) for long periods, else 1 (days)."""
    return 7 if (end - start).days + 1 >= WEEKLY_FROM_DAYS else 1


def month_number(day: date) -> int:
    """Return a running number of the day's calendar month (year * 12 + month - 1)."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """Return the first day of a running month number."""
    return date(number // 12, number % 12 + 1, 1)


def month_buckets(start: date, end: date) -> list[Bucket]:
    """Split a period into calendar months (the first and last clipped to it), oldest first."""
    last = month_number(end)
    out = []
    for number in range(month_number(start), last + 1):
        first = month_start(number)
        following = month_start(number + 1) - timedelta(days=1)
        out.append(Bucket(max(first, start), min(following, end), last - number, f"{first:%b %Y}"))
    return out


def buckets(start: date, end: date) -> list[Bucket]:
    """Split a period into days, weeks counted back from `end` (the first may be shorter) or months."""
    if grouping(start, end) == "month":
        return month_buckets(start, end)
    size = bucket_size(start, end)
    out, stop, index = [], end, 0
    while stop >= start:
        first = max(start, stop - timedelta(days=size - 1))
        out.append(Bucket(first, stop, index, bucket_label(first, stop)))
        stop, index = first - timedelta(days=1), index + 1
    out.reverse()
    return out


@dataclass(frozen=True)
class Layout:
    """How a period is cut into buckets, and how far before it to read for the normal band.

    The band at a bucket is the person's normal range over about the 30 days before it:
    the 30 days before a day, the 4 weeks before a week, the month before a month.
    """

    unit: str  # "day", "week" or "month"
    groups: list[Bucket]  # oldest first; index 0 ends on the period's last day
    read_from: date  # the first day read: the band's days before the first bucket
    band_buckets: int  # how many buckets before a bucket make its normal range

    @property
    def size(self) -> int:
        return 7 if self.unit == "week" else 1


BAND_BUCKETS = {"day": 30, "week": 4, "month": 1}


def layout(start: date, end: date) -> Layout:
    """Return the buckets a period is drawn in, and the first day to read for their normal band."""
    unit = grouping(start, end)
    groups = buckets(start, end)
    if unit == "month":
        read_from = month_start(month_number(start) - 1)
    else:
        read_from = groups[0].start - timedelta(days=BAND_BUCKETS[unit] * (7 if unit == "week" else 1))
    return Layout(unit, groups, read_from, BAND_BUCKETS[unit])


def weekly(groups: list[Bucket]) -> bool:
    """Tell whether the buckets are longer than a day."""
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


def band_path(bands: list[tuple[float, float] | None], scale: Scale) -> str:
    """Return path data for a band from low to high across each bucket's slot, broken where there is none."""
    parts, run = [], []
    for index, band in enumerate(bands + [None]):
        if band is not None:
            run.append((index, scale.y(band[1]), scale.y(band[0])))
            continue
        if run:
            top = "".join(f"H{i * SLOT}V{high}H{(i + 1) * SLOT}" for i, high, _ in run)
            bottom = "".join(f"V{low}H{i * SLOT}" for i, _, low in reversed(run))
            parts.append(f"M{run[0][0] * SLOT} {run[0][1]}{top}{bottom}Z")
            run = []
    return "".join(parts)


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
