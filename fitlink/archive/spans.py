"""Spans of time already counted, kept disjoint and sorted, so each check costs a binary search."""

from bisect import bisect_left, bisect_right


class Spans:
    """The union of closed spans [first, last] of comparable keys (stamps written to sort in time order).

    A file's minutes are counted unless an earlier file already covered them;
    comparing each file with every earlier one cost O(n^2) (16,000 one-record
    files took 16 s): here a file costs O(log n) plus the spans it merges.
    """

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.ends: list[str] = []  # sorted too: the spans are disjoint

    def __bool__(self) -> bool:
        return bool(self.starts)

    def overlaps(self, first: str, last: str) -> bool:
        """Tell whether any span meets [first, last]."""
        index = bisect_left(self.ends, first)
        return index < len(self.starts) and self.starts[index] <= last

    def covers(self, point: str) -> bool:
        """Tell whether point lies in a span."""
        index = bisect_right(self.starts, point) - 1
        return index >= 0 and point <= self.ends[index]

    def add(self, first: str, last: str) -> None:
        """Add [first, last], merging it with the spans it meets."""
        low = bisect_left(self.ends, first)
        high = bisect_right(self.starts, last)
        if low < high:
            first, last = min(first, self.starts[low]), max(last, self.ends[high - 1])
        self.starts[low:high] = [first]
        self.ends[low:high] = [last]
