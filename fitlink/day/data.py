"""The day as data: what /day/YYYY-MM-DD.json answers.

Times are local wall-clock times without a zone (as Fitbit's sleep logs write them), in
the IANA zone `timezone` names. A series point is [minute, value] where minute is the
wall-clock minute of the local day, hour * 60 + minute, 0..1439: on the day clocks go
forward the skipped hour's minutes never appear (a full day has 1,380 points, none from
120 to 179 when the change is at 02:00), and on the day they go back the repeated hour's
two readings of a minute are merged into one point. A heart-rate point is the mean of
every sample in that minute; steps and kcal are the minute's count. Minutes without data
are left out. Sleep stages are levels.data with the short wakes (levels.shortData) laid
over them, as Fitbit's app draws them and its summary counts them.
"""

from ..sources import SERIES, UNITS
from .reading import DayData, local_datetime
from .sleep import stages


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def day_json(data: DayData) -> dict:
    """Return the day in the documented shape."""
    return {
        "date": data.day.isoformat(),
        "timezone": data.profile.timezone,
        "daily": {row.metric: {"value": _number(row.value), "unit": UNITS.get(row.metric, ""), "source": row.source}
                  for row in data.daily},
        "series": {metric: {"unit": UNITS[metric], "interval_s": 60, "points": points(metric, data.values(metric))}
                   for metric in SERIES},
        "sleep": [{"start": local_datetime(row.start), "end": local_datetime(row.end), "main": row.main,
                   "type": row.kind, "minutes_asleep": row.minutes_asleep,
                   "stages": [{"start": local_datetime(stage.start), "seconds": stage.seconds, "level": stage.level}
                              for stage in stages(row)]}
                  for row in data.sleep],
        "exercises": [{"start": local_datetime(row.start), "seconds": row.seconds, "type": row.type,
                       "calories": _maybe(row.calories), "distance_km": _maybe(row.distance_km),
                       "average_heart_rate": _maybe(row.average_heart_rate), "steps": row.steps}
                      for row in data.workouts],
    }


def points(metric: str, values: dict[int, float]) -> list[tuple]:
    """Return (minute, value) pairs in minute order, JSON arrays once encoded; kcal to two decimals."""
    # Unpacked heart rate and steps are whole already (fitlink/minutes.py): only kcal need rounding.
    if metric == "calories":
        return [(minute, round(value, 2)) for minute, value in sorted(values.items())]
    return sorted(values.items())


def _maybe(value: float | None) -> float | int | None:
    return None if value is None else _number(value)
