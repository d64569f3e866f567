"""Heart-rate samples per minute: heart_rate-*.json (most of an archive's bytes) and the Google-era CSVs."""

import io
import itertools
import operator
from collections import Counter
from collections.abc import Iterable

import ijson
import msgspec

from .families import PLACEHOLDER, csv_value


# gc=False: tens of thousands of structs a file, none referring back; the cyclic collector walking
# them (and the import's whole heap) on every allocation burst cost ten times the decoding itself.
class _Bpm(msgspec.Struct, gc=False):
    bpm: float  # whole numbers in every export read; any `confidence` counts (it is ignored here)


class _Sample(msgspec.Struct, gc=False):
    dateTime: str
    value: _Bpm


_HEART_RATE = msgspec.json.Decoder(list[_Sample])
_STAMP, _BPM = operator.attrgetter("dateTime"), operator.attrgetter("value.bpm")


def heart_rate_minutes(data: bytes | io.BufferedIOBase) -> list[tuple[str, float, int]]:
    """Return a heart_rate-*.json file's samples per UTC minute: ("MM/DD/YY HH:MM", sum of bpm, samples).

    `{"dateTime":"01/25/23 13:00:07","value":{"bpm":54,"confidence":2}}` every few seconds
    (fitbit-archive.md): a day holds 10,000 to 40,000. They are decoded by msgspec into slim
    structs and summed per minute without a Python step per sample where the file is in time
    order (as every export read is): a count per minute and running sums.
    """
    if not isinstance(data, bytes):
        return minute_sums((record["dateTime"][:14], float(record["value"]["bpm"]))
                           for record in ijson.items(data, "item", use_float=True))
    if data.strip() == PLACEHOLDER:
        return []
    samples = _HEART_RATE.decode(data)
    keys = [stamp[:14] for stamp in map(_STAMP, samples)]
    counts = Counter(keys)
    runs = 1 + sum(map(operator.ne, keys, itertools.islice(keys, 1, None))) if keys else 0
    if runs != len(counts):
        return minute_sums(zip(keys, map(_BPM, samples)))
    running = list(itertools.accumulate(map(_BPM, samples), initial=0.0))
    minutes, index = [], 0
    for key, count in counts.items():
        minutes.append((key, running[index + count] - running[index], count))
        index += count
    return minutes


def minute_sums(pairs: Iterable[tuple[str, float]]) -> list[tuple[str, float, int]]:
    """Sum (minute key, value) pairs per minute, in any order."""
    sums: dict[str, list] = {}
    for key, value in pairs:
        found = sums.get(key)
        if found is None:
            sums[key] = [value, 1]
        else:
            found[0] += value
            found[1] += 1
    return [(key, total, count) for key, (total, count) in sums.items()]


def utc_minute_key(text: str) -> str:
    """Turn a CSV's ISO UTC timestamp ("2024-10-27T00:00:04Z") into a minute key "MM/DD/YY HH:MM"."""
    text = text.strip()
    if len(text) < 17 or text[10] != "T" or not text.endswith("Z"):
        raise ValueError(f"not a UTC timestamp: {text!r}")
    return f"{text[5:7]}/{text[8:10]}/{text[2:4]} {text[11:16]}"


def csv_heart_rate_minutes(rows: Iterable[dict[str, str]]) -> list[tuple[str, float, int]]:
    """Return `Physical Activity_GoogleData/Heart Rate/heart_rate_*.csv` rows per UTC minute.

    Columns `timestamp,beats per minute,data source`, UTC with "Z", a sample every few
    seconds (kev-m/FitOut fitout/importers/heart_rate.py; blakster/air-health docs/takeout-format.md).
    """
    return minute_sums((utc_minute_key(row["timestamp"]), csv_value(row, "beats per minute")) for row in rows)
