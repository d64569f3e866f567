"""What every trend chart shares: its frame, its table (days, weeks or months, with year rows), its normal band."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .charts import SLOT, Layout
from .readings import Stat, pool

Stats = dict[str, dict[int, Stat]]
# Fewer values than this in the days before a point draw no band there: a range needs a few days to be normal.
MIN_BAND_VALUES = 5
UNIT_WORDS = {"day": ("Date", ""), "week": ("Week", ", weekly averages"), "month": ("Month", ", monthly averages")}
BAND_WORDS = {"day": "the 30 days before each day", "week": "the 4 weeks before each week",
              "month": "the month before each month"}


class Row(NamedTuple):
    """One row of a chart's table: its label, the day it links to (a bucket's first), its cells.

    A tuple of strings and a date: the garbage collector stops tracking it, which keeps the
    collections a ten-year table would otherwise cause short.
    """

    label: str
    day: date
    cells: tuple[str, ...]
    css: str = ""  # "year" for a year's totals and averages above its months


@dataclass(frozen=True)
class Column:
    """One column of numbers: which stats, what to take of each bucket's, and how to write it."""

    name: str
    stats: dict[int, Stat]
    pick: Callable[[Stat], float | None]
    fmt: Callable[[float], str]

    def cell(self, stat: Stat | None) -> str:
        value = None if stat is None else self.pick(stat)
        return "–" if value is None else self.fmt(value)


def mean(stat: Stat) -> float:
    return stat.mean


def total(stat: Stat) -> float:
    return stat.total


def frame(key: str, title: str, plan: Layout, columns: tuple[str, ...]) -> dict:
    """Return the fields every chart shares."""
    first_column, suffix = UNIT_WORDS[plan.unit]
    first, last = plan.groups[0].start, plan.groups[-1].end
    return {
        "key": key,
        "title": title + suffix,
        "columns": (first_column, *columns),
        "width": len(plan.groups) * SLOT,
        "x_labels": (f"{first.day} {first:%b %Y}", f"{last.day} {last:%b %Y}"),
    }


def counted(name: str, stats: dict[int, Stat], fmt, plan: Layout) -> list[Column]:
    """Columns for a count: the value by day; the average a day and the total by week or month."""
    if plan.unit == "day":
        return [Column(name, stats, mean, fmt)]
    return [Column("Average a day", stats, mean, fmt), Column("Total", stats, total, fmt)]


def cells(column: Column, indexes: list[int]) -> list[str]:
    """Return one column's cells for the buckets of the given indexes."""
    stats, pick, fmt = column.stats, column.pick, column.fmt
    out = []
    for index in indexes:
        stat = stats.get(index)
        value = None if stat is None else pick(stat)
        out.append("–" if value is None else fmt(value))
    return out


def table(plan: Layout, columns: list[Column]) -> list[Row]:
    """Return table rows, newest first, with a dash where nothing was recorded.

    Months come under a row for their year, holding the year's averages and totals.
    """
    newest_first = plan.groups[::-1]
    by_column = list(zip(*(cells(column, [b.index for b in newest_first]) for column in columns)))
    if plan.unit != "month":
        return [Row(bucket.label, bucket.start, line) for bucket, line in zip(newest_first, by_column)]
    years: dict[int, list] = {}
    for bucket in plan.groups:
        years.setdefault(bucket.start.year, []).append(bucket)
    pooled: dict[tuple[int, int], Stat | None] = {}  # (id of a column's stats, year): columns share stats
    rows = []
    for bucket, line in zip(newest_first, by_column):
        months = years.pop(bucket.start.year, None)
        if months:
            year = []
            for column in columns:
                key = (id(column.stats), bucket.start.year)
                if key not in pooled:
                    pooled[key] = pool(column.stats[b.index] for b in months if b.index in column.stats)
                year.append(column.cell(pooled[key]))
            rows.append(Row(str(bucket.start.year), months[0].start, tuple(year), "year"))
        rows.append(Row(bucket.label, bucket.start, line))
    return rows


def bands(stats: dict[int, Stat], plan: Layout, convert=None) -> list[tuple[float, float] | None]:
    """Return each bucket's normal range, mean ± 1 SD of the values in about the 30 days before it.

    Those are the buckets just older than it (see Layout); None where they hold too few values.
    """
    width = plan.band_buckets
    reach = max((bucket.index for bucket in plan.groups), default=-1) + width + 1
    # Per bucket index, what it holds drawn and read only for the band (-1 - index) together; each
    # bucket's range sums a slice of these (in C), instead of looking each bucket up again per range.
    counts, totals, squares = [0] * reach, [0.0] * reach, [0.0] * reach
    for index in range(reach):
        for stat in (stats.get(index), stats.get(-1 - index)):
            if stat is not None:
                counts[index] += stat.count
                totals[index] += stat.total
                squares[index] += stat.squares
    out = []
    for bucket in plan.groups:
        window = slice(bucket.index + 1, bucket.index + 1 + width)
        count = sum(counts[window])
        if count < MIN_BAND_VALUES:
            out.append(None)
            continue
        total_ = sum(totals[window])
        middle = total_ / count
        spread = max(0.0, (sum(squares[window]) - total_ * middle) / (count - 1)) ** 0.5
        low, high = middle - spread, middle + spread
        out.append((convert(low), convert(high)) if convert else (low, high))
    return out


def band_edges(ranges: list[tuple[float, float] | None]) -> list[float]:
    """Return every low and high of the bands, for a scale to include them."""
    return [edge for band in ranges if band for edge in band]


def band_label(plan: Layout) -> str:
    """Say what the band shows."""
    return f"Your normal range (average ± 1 SD of {BAND_WORDS[plan.unit]})"


def in_range(stats: dict[int, Stat], plan: Layout) -> dict[int, Stat]:
    """Return only the buckets drawn (the older ones are read for the band)."""
    drawn = len(plan.groups)
    return {index: stat for index, stat in stats.items() if 0 <= index < drawn}
