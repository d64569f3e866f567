"""What an archive's files prove about each local day's UTC offset, read cheaply (no JSON parsing).

fitbit-archive.md, "What real exports show": per-day `heart_rate-*.json`
files run from the local day's midnight to its end, stamped in UTC
(`heart_rate-2016-01-01.json` runs from `12/31/15 13:00:00` to `01/01/16
12:59:50` at UTC+11), and monthly minute files begin at the local midnight of
the date in their name, stamped in UTC. So the first stamp of a day's
heart-rate file bounds the offset from below and its last stamp from above.
Several public parsers read all of these as local time; the measured samples
say UTC, and fitlink follows the samples.
"""

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta


HEAD_BYTES = 4096
CHUNK = 1024 * 1024
# Offsets run from UTC-12 to UTC+14 and are whole quarter hours.
MIN_OFFSET, MAX_OFFSET, GRID = -12 * 60, 14 * 60, 15
_STAMP = re.compile(rb'"dateTime"\s*:\s*"(\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)"')
_NAME_DATE = re.compile(r"-(\d{4}-\d{2}-\d{2})\.json$")


@dataclass(frozen=True)
class Observation:
    """What one file proves about the offset (minutes east of UTC) of the local day `day`.

    lo <= offset at the day's start <= hi_start; offset at the next day's start <= hi_end.
    """

    day: date
    lo: int
    hi_start: int = MAX_OFFSET
    hi_end: int = MAX_OFFSET
    source: str = "heart-rate"


def name_date(filename: str) -> date | None:
    """Return the date in a dated file name ("heart_rate-2016-01-01.json")."""
    found = _NAME_DATE.search(filename)
    try:
        day = date.fromisoformat(found.group(1)) if found else None
    except ValueError:
        return None
    # Stamps have two-digit years (20YY): a name outside those years is no evidence (and no overflow).
    return day if day and 2000 < day.year < 2099 else None


def stamp_of(match: re.Match) -> datetime:
    month, day, year, hour, minute, second = (int(part) for part in match.groups())
    return datetime(2000 + year, month, day, hour, minute, second)


def minutes_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def ceil_grid(minutes: float) -> int:
    return -int(-minutes // GRID) * GRID


def floor_grid(minutes: float) -> int:
    return int(minutes // GRID) * GRID


def heart_rate_observation(archive: zipfile.ZipFile, info: zipfile.ZipInfo, reference_offset) -> Observation | None:
    """Bound the offset of one heart-rate file's local day from its first (and, when needed, last) stamp.

    The first stamp is at or after local midnight. When it lies within a quarter
    hour of the reference zone's midnight, that lower bound is all that is kept
    (the file agrees with the zone); otherwise the whole file is inflated, never
    parsed, for its last stamp, which is before the next local midnight.
    """
    day = name_date(info.filename)
    if day is None:
        return None
    midnight = datetime(day.year, day.month, day.day)
    with archive.open(info) as stream:
        head = stream.read(HEAD_BYTES)
        first = _STAMP.search(head)
        if first is None:
            return None
        lo = ceil_grid(minutes_between(midnight, stamp_of(first)))
        if not MIN_OFFSET <= lo <= MAX_OFFSET:
            return None
        if lo == reference_offset(day):
            return Observation(day, lo)
        tail = head
        while chunk := stream.read(CHUNK):
            tail = tail[-HEAD_BYTES:] + chunk
    last = list(_STAMP.finditer(tail[-HEAD_BYTES * 2:]))
    if not last:
        return None
    # The last sample is before the next local midnight: the offset then is at most this.
    hi = floor_grid(minutes_between(midnight + timedelta(days=1), stamp_of(last[-1])) - 1 / 60)
    return Observation(day, lo, hi_end=hi) if hi >= MIN_OFFSET else None


def minute_file_observation(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Observation | None:
    """Read the offset of a monthly steps or distance file's first day from its first stamp (UTC).

    Kept only when the stamp is a whole quarter hour from the named date's
    midnight, as a file that begins at local midnight is; a file that begins at
    the first step of a morning rarely is.
    """
    day = name_date(info.filename)
    if day is None:
        return None
    with archive.open(info) as stream:
        first = _STAMP.search(stream.read(HEAD_BYTES))
    if first is None:
        return None
    offset = minutes_between(datetime(day.year, day.month, day.day), stamp_of(first))
    if offset % GRID or not MIN_OFFSET <= offset <= MAX_OFFSET:
        return None
    return Observation(day, int(offset), int(offset), source="minute")
