"""How one day's minute series is kept: 1,440 small integers, delta-coded and compressed.

A day of minute heart rate, steps and calories takes about 1,440 values each; stored as
one row per minute it would be the biggest table by far. Instead each (person, source,
metric, day) is one row holding a few hundred bytes:

- each value is scaled to an integer (SCALES): heart rate in whole bpm (the mean of a minute's
  samples, rounded as Fitbit's own minute series and app show it: tenths would double its
  bytes), calories in tenths of a kcal (a day's sum of them drifts by about a kcal; the
  day's own total is kept apart), steps as they are;
- each minute, 0 (no data) or the zigzag-coded difference from the previous value plus one,
  as a LEB128 varint, so a steady heart rate or a still hour is a run of one-byte tokens;
- the whole compressed with zlib, which folds those runs.

Minutes are wall-clock minutes of the local day (hour * 60 + minute), as MinuteSeries says.
"""

import operator
import zlib
from collections.abc import Mapping

MINUTES_PER_DAY = 1440
SCALES = {"heart_rate": 1, "calories": 10, "steps": 1}
FORMAT = 1  # the first byte of every packed series: how the rest is coded
_DAY = range(MINUTES_PER_DAY)


def pack(metric: str, values: Mapping[int, float]) -> bytes:
    """Return the packed form of a day's {minute: value} (minutes outside 0..1439 are dropped)."""
    scale = SCALES.get(metric, 1)
    minutes = sorted(int(minute) for minute in values if minute in _DAY)
    numbers = [round(values[minute] * scale) for minute in minutes]
    # zigzag: small differences (from the previous minute with a value), small tokens
    tokens = [((delta << 1) ^ (delta >> 63)) + 1 for delta in map(operator.sub, numbers, [0, *numbers[:-1]])]
    if len(minutes) == MINUTES_PER_DAY and max(tokens) < 0x80:
        out = bytes(tokens)  # every minute, one byte each: the common full day, without a step per minute
    else:
        out = bytearray()
        following = 0
        for minute, token in zip(minutes, tokens):
            out += bytes(minute - following)  # minutes without data: 0
            while token >= 0x80:
                out.append((token & 0x7F) | 0x80)
                token >>= 7
            out.append(token)
            following = minute + 1
        out += bytes(MINUTES_PER_DAY - following)
    return bytes([FORMAT]) + zlib.compress(bytes(out), 9)


def unpack(metric: str, data: bytes) -> dict[int, float]:
    """Return the {minute: value} a packed series holds (values back in their unit)."""
    if not data or data[0] != FORMAT:
        raise ValueError("not a packed minute series")
    scale = SCALES.get(metric, 1)
    raw = zlib.decompress(data[1:])
    values: dict[int, float] = {}
    previous = 0
    minute = 0
    token = shift = 0
    for byte in raw:
        token |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        if token:
            token -= 1
            previous += (token >> 1) ^ -(token & 1)
            values[minute] = previous / scale if scale != 1 else previous
        minute += 1
        token = shift = 0
    return values
