"""An archive's minute series per local day, kept compact while the archive is read.

Ten years of three series are 10,950 days of 1,440 minutes: as dicts they would
take gigabytes. Each day is two flat arrays instead (a float32 sum and a 16-bit
count per minute, 8.6 KB), turned into a MinuteSeries only when it is saved, a
batch of days at a time.
"""

from array import array
from collections.abc import Iterator
from datetime import date

from ..sources import MinuteSeries
from .zones import MINUTES_PER_DAY

_ZERO_SUMS = array("f", bytes(4 * MINUTES_PER_DAY))
_ZERO_COUNTS = array("H", bytes(2 * MINUTES_PER_DAY))
# A minute's count saturates here (a 1-s heart rate gives 60 a minute, 120 in a repeated DST hour).
MAX_COUNT = 65535


class DayMinutes:
    """One metric's minutes per local day: the sum of what was read in each minute, and how many readings.

    `mean` series (heart rate) are the mean of a minute's readings; the others (steps,
    calories) their sum. A minute with no reading is absent; one read as 0 is a 0.
    """

    def __init__(self, metric: str, mean: bool = False):
        self.metric = metric
        self.mean = mean
        self.sums: dict[date, array] = {}
        self.counts: dict[date, array] = {}

    def __len__(self) -> int:
        return len(self.sums)

    def __contains__(self, day: date) -> bool:
        return day in self.sums

    def arrays(self, day: date) -> tuple[array, array]:
        """Return the day's sums and counts, created empty the first time."""
        sums = self.sums.get(day)
        if sums is None:
            sums = self.sums[day] = array("f", _ZERO_SUMS)
            self.counts[day] = array("H", _ZERO_COUNTS)
        return sums, self.counts[day]

    def add(self, day: date, minute: int, value: float, count: int = 1) -> None:
        """Add a minute's reading(s): value is their sum, count how many."""
        sums, counts = self.arrays(day)
        sums[minute] += value
        counts[minute] = min(counts[minute] + count, MAX_COUNT)

    def values(self, day: date) -> dict[int, float]:
        """Return the day's {minute: value}, minutes without a reading left out."""
        sums, counts = self.sums[day], self.counts[day]
        if self.mean:
            return {minute: total / count for minute, (total, count) in enumerate(zip(sums, counts)) if count}
        return {minute: total for minute, (total, count) in enumerate(zip(sums, counts)) if count}

    def total(self, day: date) -> float:
        return sum(self.sums[day])

    def merge_missing(self, other: "DayMinutes") -> None:
        """Take other's days that this series has none of (a fallback family fills gaps, never adds)."""
        for day in other.sums.keys() - self.sums.keys():
            self.sums[day], self.counts[day] = other.sums[day], other.counts[day]

    def keep(self, wanted) -> None:
        """Drop the days for which wanted(day) is false."""
        for day in [day for day in self.sums if not wanted(day)]:
            del self.sums[day], self.counts[day]

    def series(self) -> Iterator[MinuteSeries]:
        """Yield each day's MinuteSeries, oldest first, dropping each day's arrays once yielded."""
        for day in sorted(self.sums):
            values = self.values(day)
            del self.sums[day], self.counts[day]
            if values:
                yield MinuteSeries(self.metric, day, values)
