"""Fit time zones to what an archive's files prove: one zone per stretch of days, and words for it.

Profile.csv names only the person's current zone (fitbit-archive.md); the
files prove each day's offset (evidence.py). So the days the evidence covers
take a zone that fits every observation of their stretch (the profile's when
it fits, then the chosen one, then the one whose midnights sit closest to the
files' first stamps), and a new stretch starts where no zone fits any more (a
move). Days no evidence covers take Profile.csv's zone, or without it the zone
the person chose. The work is bounded: at most MAX_CHECKS zone tests.
"""

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from .evidence import Observation

# How far past its first and last observation a stretch reaches when Profile.csv names a zone.
REACH = timedelta(days=31)
MAX_CHECKS = 2_000_000
TIGHTNESS_SAMPLE = 60
SOURCE_WORDS = {"heart-rate": "your heart-rate files", "minute": "when your minute files begin",
                "calories": "how your calories follow your steps"}


@dataclass
class Segment:
    """Days first..last take zone; seen_first..seen_last are the days the files speak for."""

    first: date
    last: date
    zone: ZoneInfo
    source: str
    seen_first: date
    seen_last: date


@dataclass
class Plan:
    """The zone of every local day: a segment's, else the default (the profile's or the chosen one)."""

    default: ZoneInfo
    default_source: str  # "profile" or "chosen"
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._starts = [segment.first for segment in self.segments]

    def zone_for(self, day: date) -> ZoneInfo:
        index = bisect_right(self._starts, day) - 1
        if index >= 0 and day <= self.segments[index].last:
            return self.segments[index].zone
        return self.default

    def zones(self) -> list[ZoneInfo]:
        """Every zone in use, earliest stretch first and the default last (the order instants are tried in)."""
        ordered = []
        for zone in [segment.zone for segment in self.segments] + [self.default]:
            if zone not in ordered:
                ordered.append(zone)
        return ordered

    def describe(self) -> str:
        """Say which zones the days were counted in and where each came from."""
        if self.default_source == "profile" and all(segment.zone == self.default for segment in self.segments):
            confirmed = {SOURCE_WORDS.get(segment.source, "your files") for segment in self.segments}
            said = f", which {' and '.join(sorted(confirmed))} confirm" if confirmed else ""
            return f"Times as recorded: your profile's zone, {self.default.key}{said}."
        parts = [describe_segment(segment, self) for segment in self.segments]
        covered = self.segments and self.segments[0].first == date.min and self.segments[-1].last == date.max
        if not covered:
            own = (f"your profile's zone, {self.default.key}" if self.default_source == "profile"
                   else f"the zone you chose, {self.default.key} (nothing in the archive shows its offsets)")
            parts.append(own + (" for the other days" if parts else ""))
        return "Times as recorded: " + "; ".join(parts) + "."


def offset_at(zone: ZoneInfo, day: date) -> int:
    """Return the zone's offset in minutes east of UTC at the local midnight that starts day."""
    return int(zone.utcoffset(datetime(day.year, day.month, day.day)).total_seconds()) // 60


def fits(zone: ZoneInfo, seen: Observation) -> bool:
    start = offset_at(zone, seen.day)
    if not seen.lo <= start <= seen.hi_start:
        return False
    return seen.hi_end >= 14 * 60 or offset_at(zone, seen.day + timedelta(days=1)) <= seen.hi_end


@cache
def candidates() -> tuple[ZoneInfo, ...]:
    """Every IANA zone, the fixed "Etc/GMT" ones first (they read as plain offsets)."""
    names = sorted(available_timezones(), key=lambda name: (not name.startswith("Etc/GMT"), name))
    return tuple(ZoneInfo(name) for name in names)


def fit(observations: list[Observation], reference: ZoneInfo, reference_source: str) -> Plan:
    """Return the zone of every day: reference is Profile.csv's zone, else the chosen one."""
    seen = sorted(observations, key=lambda item: item.day)
    plan = Plan(reference, reference_source)
    if not seen:
        return plan
    if all(fits(reference, item) for item in seen):
        # The common case, settled in one test per file: the files agree with the zone.
        whole = close(seen, [reference], reference)
        return Plan(reference, reference_source, stretch([whole], reference_source))
    budget = MAX_CHECKS
    segments: list[Segment] = []
    run: list[Observation] = []
    alive: list[ZoneInfo] = []
    for item in seen:
        pool = alive if run else [reference, *candidates()]
        budget -= len(pool)
        if budget < 0:
            plan.notes.append("The archive holds more time-zone evidence than fitlink weighs; "
                              "its latest days use the profile's (or your chosen) zone.")
            break
        still = [zone for zone in pool if fits(zone, item)]
        if still:
            alive, run = still, run + [item]
            continue
        if run:
            segments.append(close(run, alive, reference))
        budget -= len(candidates())
        alive = [zone for zone in (reference, *candidates()) if fits(zone, item)]
        run = [item] if alive else []
    if run:
        segments.append(close(run, alive, reference))
    if len(segments) > 1:
        # A monthly file that begins at the first minute of a morning (or of the padding after the
        # export) looks like a lone file at another offset: one file alone does not make a move.
        segments = [segment for segment in segments
                    if segment.source == "heart-rate" or segment.seen_first != segment.seen_last] or segments[:1]
    return Plan(reference, reference_source, stretch(merge(segments), reference_source), plan.notes)


def close(run: list[Observation], alive: list[ZoneInfo], reference: ZoneInfo) -> Segment:
    """Pick the zone of one stretch: the reference if it fits, else the one whose midnights sit closest
    to the files' first stamps (a band worn at midnight records its first sample right then)."""
    if reference in alive:
        zone = reference
    else:
        step = max(1, len(run) // TIGHTNESS_SAMPLE)
        sample = run[::step]
        zone = min(alive, key=lambda candidate: sum(offset_at(candidate, item.day) - item.lo for item in sample))
    source = Counter(item.source for item in run).most_common(1)[0][0]
    return Segment(run[0].day, run[-1].day, zone, source, run[0].day, run[-1].day)


def merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].zone == segment.zone:
            merged[-1].last = merged[-1].seen_last = segment.last
        else:
            merged.append(segment)
    return merged


def stretch(segments: list[Segment], reference_source: str) -> list[Segment]:
    """Let each stretch reach halfway to the next; the outer ones a month (or, with no profile, forever)."""
    for before, after in zip(segments, segments[1:]):
        middle = before.seen_last + (after.seen_first - before.seen_last) // 2
        before.last, after.first = middle, middle + timedelta(days=1)
    if segments:
        profile = reference_source == "profile"
        segments[0].first = segments[0].seen_first - REACH if profile else date.min
        segments[-1].last = segments[-1].seen_last + REACH if profile else date.max
    return segments


def offsets_text(zone: ZoneInfo, first: date, last: date) -> str:
    """Return the offsets a zone had over some days: "UTC+2", "UTC-5 and UTC-4"."""
    days = [first + timedelta(days=n) for n in range(0, (last - first).days + 1, 7)] + [last]
    return " and ".join(utc_text(offset) for offset in sorted({offset_at(zone, day) for day in days}))


def utc_text(offset: int) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "") if offset else "UTC"


def describe_segment(segment: Segment, plan: Plan) -> str:
    words = SOURCE_WORDS.get(segment.source, "your files")
    if segment.zone == plan.default and plan.default_source == "profile":
        text = f"your profile's zone, {segment.zone.key}, which {words} confirm"
    else:
        text = f"{offsets_text(segment.zone, segment.seen_first, segment.seen_last)} inferred from {words}"
    if len(plan.segments) > 1:
        text += f" ({segment.seen_first:%-d %B %Y} to {segment.seen_last:%-d %B %Y})"
    return text
