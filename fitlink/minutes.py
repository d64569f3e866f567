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

import zlib
from collections.abc import Mapping

MINUTES_PER_DAY = 1440
SCALES = {"heart_rate": 1, "calories": 10, "steps": 1}
FORMAT = 1  # the first byte of every packed series: how the rest is coded


def pack(metric: str, values: Mapping[int, float]) -> bytes:
    """Return the packed form of a day's {minute: value} (minutes outside 0..1439 are dropped)."""
    scale = SCALES.get(metric, 1)
    out = bytearray()
    previous = 0
    for minute in range(MINUTES_PER_DAY):
        value = values.get(minute)
        if value is None:
            out.append(0)
            continue
        number = round(value * scale)
        delta = number - previous
        previous = number
        token = ((delta << 1) ^ (delta >> 63)) + 1  # zigzag: small differences, small tokens
        while token >= 0x80:
            out.append((token & 0x7F) | 0x80)
            token >>= 7
        out.append(token)
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
