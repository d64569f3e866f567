"""A night's stages as the day page and its JSON give them: levels.data with the short wakes laid over.

Fitbit lists a stages night twice: `levels.data`, long stretches of deep/light/rem/wake,
and `levels.shortData`, the wakes of up to three minutes inside them. Its app draws the
short wakes over the stretches, and its summary counts them as wake: so does fitlink,
cutting each stretch around the short wakes that fall in it. Stage totals then equal
the log's own summary.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import SleepRow

# Top to bottom of a hypnogram; classic nights (asleep/restless/awake) share the rows.
LEVEL_ROWS = {"wake": 0, "awake": 0, "rem": 1, "restless": 1, "light": 2, "asleep": 2, "deep": 3}
LEVEL_NAMES = {"wake": "Awake", "awake": "Awake", "rem": "REM", "restless": "Restless", "light": "Light",
               "asleep": "Asleep", "deep": "Deep"}
STAGE_ORDER = ("deep", "light", "rem", "wake")
CLASSIC_ORDER = ("asleep", "restless", "awake")


@dataclass(frozen=True)
class Stage:
    """One stretch of one level, local wall-clock start."""

    start: datetime
    seconds: int
    level: str

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


def _cut(offset: int, seconds: int, level: str, wakes: list) -> list[tuple[int, int, str]]:
    """Return the parts of one stretch outside the short wakes (sorted by offset)."""
    parts, at, stop = [], offset, offset + seconds
    for wake_at, wake_seconds, _ in wakes:
        wake_end = wake_at + wake_seconds
        if wake_end <= at or wake_at >= stop:
            continue
        if wake_at > at:
            parts.append((at, wake_at - at, level))
        at = max(at, wake_end)
    if at < stop:
        parts.append((at, stop - at, level))
    return parts


def stages(row: SleepRow) -> list[Stage]:
    """Return the session's stages, short wakes laid over the long stretches, in time order."""
    wakes = sorted(tuple(w) for w in row.short_wakes or ())
    pieces = [part for offset, seconds, level in sorted(tuple(s) for s in row.stages or ())
              for part in _cut(offset, seconds, level, wakes)]
    pieces += wakes
    pieces.sort()
    return [Stage(row.start + timedelta(seconds=offset), seconds, level) for offset, seconds, level in pieces]


def level_minutes(laid: list[Stage]) -> dict[str, float]:
    """Return the minutes spent in each level."""
    totals: dict[str, float] = {}
    for stage in laid:
        totals[stage.level] = totals.get(stage.level, 0) + stage.seconds / 60
    return totals


def levels_of(row: SleepRow) -> tuple[str, ...]:
    """Return the levels a session's kind uses, deepest first."""
    return CLASSIC_ORDER if row.kind == "classic" else STAGE_ORDER
