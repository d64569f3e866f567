"""Minute series from the Google Health API: rollUp in 60-second windows, at most 10,000 a call.

Why rollUp and not list (the discovery document, and what clients of the live API report):

- heart-rate is a sample type: list returns every sample, one every few seconds
  (thousands a day), pages of at most 10,000 points, capped near 5,000 in practice
  (fitbit-grafana), each point once per data source. Ninety days would take several
  hundred list calls. rollUp answers one window per minute with `beatsPerMinuteAvg`,
  the mean of the minute's samples: exactly the minute value fitlink keeps.
- steps are stored at one-minute resolution, so list could bring a minute per point,
  but twice when a phone mirrors the tracker (one point per data source); rollUp merges
  the sources (RollupDataPoint: "reconciled data points from all data sources") and
  costs no more: one window per minute either way.
- total-calories cannot be listed at all (UNSUPPORTED_DATA_TYPE_ACTION): rollUp only.

The limits: a rollUp range may span 14 days for heart-rate and total-calories, 90 for
steps; a call answers at most 10,000 windows (pageSize at most 10,000, and live clients
report that a pageSize below the number of windows is refused), so one call covers
10,000 minutes, 6 days 22 h 40 min. The fewest calls for N local days are therefore
ceil(minutes / 10,000) per series, whatever the range limit: fitlink splits a fetch's
physical time into that many equal ranges, each starting on a whole minute. 90 days:
13 calls per series.

rollUp windows are physical time (startTime/endTime in UTC, no civil times), so the
person's time zone places each window on its local wall-clock minute. On the night
clocks go back, the repeated hour's two windows of one local minute are merged: steps
and calories added, the two heart-rate means averaged (the sample counts are not given).
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from math import ceil
from statistics import fmean
from zoneinfo import ZoneInfo

from ..sources import MinuteSeries

WINDOWS_PER_CALL = 10_000
WINDOW = timedelta(minutes=1)
# detail -> (dataType, RollupDataPoint field, value field, how a local minute's windows merge)
MINUTE_TYPES = {
    "steps_minutes": ("steps", "steps", "countSum", sum),
    "heart_rate_minutes": ("heart-rate", "heartRate", "beatsPerMinuteAvg", fmean),
    "calories_minutes": ("total-calories", "totalCalories", "kcalSum", sum),
}
# A missing value field in a present value object is proto3's zero; a heart rate has no zero.
ZERO_MEANS_NOTHING = ("heart_rate_minutes",)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a local day starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def ranges(start: date, end: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Split local days start..end into the fewest physical ranges of at most 10,000 whole minutes."""
    first, last = local_midnight(start, zone), local_midnight(end + timedelta(days=1), zone)
    minutes = (last - first) // WINDOW
    calls = max(1, ceil(minutes / WINDOWS_PER_CALL))
    size = ceil(minutes / calls) * WINDOW
    return [(first + n * size, min(first + (n + 1) * size, last)) for n in range(calls)]


def request(first: datetime, last: datetime) -> dict:
    """A RollUpDataPointsRequest for one range in 60-second windows, all of them on one page."""
    return {"range": {"startTime": _rfc3339(first), "endTime": _rfc3339(last)}, "windowSize": "60s",
            "pageSize": (last - first) // WINDOW}


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def series(detail: str, points: list, zone: ZoneInfo, start: date, end: date) -> list[MinuteSeries]:
    """Read rollUp windows into one MinuteSeries per local day from start to end.

    A window without its value field held no data and is left out.
    """
    data_type, field, key, merge = MINUTE_TYPES[detail]
    metric = {"steps_minutes": "steps", "heart_rate_minutes": "heart_rate", "calories_minutes": "calories"}[detail]
    days: dict[date, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for point in points:
        value = point.get(field)
        if not isinstance(value, dict) or (key not in value and detail in ZERO_MEANS_NOTHING):
            continue
        moment = datetime.fromisoformat(point["startTime"].replace("Z", "+00:00")).astimezone(zone)
        if start <= moment.date() <= end:
            days[moment.date()][moment.hour * 60 + moment.minute].append(float(value.get(key, 0)))
    return [MinuteSeries(metric, day, {minute: merge(values) for minute, values in sorted(minutes.items())})
            for day, minutes in sorted(days.items())]
