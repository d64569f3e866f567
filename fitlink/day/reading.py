"""Read one person's local day: a fixed number of queries whatever the day holds.

One query each for the person's connections (whose time zone and units the day
is drawn in), the day's shown daily values, every source's minute series of the
day, its sleep sessions and its workouts. Which source's detail is shown is
decided here, per series, for the sleep and for the workouts: the best-ranked
source (`sources.rank`, lower wins) that has any that day, as for daily values.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from .. import minutes, sources
from ..detail import best_source
from ..extensions import db
from ..models import DailyMetric, MinuteSeriesRow, Connection, SleepRow, WorkoutRow


@dataclass(frozen=True)
class Profile:
    """Whose zone and units the day is drawn in: the best-ranked connection's, as on the dashboard."""

    timezone: str = "UTC"
    distance_unit: str = "METRIC"
    weight_unit: str = "METRIC"


@dataclass(frozen=True)
class Series:
    """One metric's shown minute series: its source and {wall-clock minute: value}."""

    metric: str
    source: str
    values: dict[int, float]


@dataclass
class DayData:
    """Everything stored for one person's local day, one source per kind of detail."""

    day: date
    profile: Profile
    daily: list[DailyMetric] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)
    sleep: list[SleepRow] = field(default_factory=list)
    workouts: list[WorkoutRow] = field(default_factory=list)
    heart_before_packed: bytes | None = None  # the day before's shown heart rate, unpacked when a night needs it

    def heart_before(self) -> dict[int, float]:
        """Return the shown minute heart rate of the day before ({} when it has none)."""
        return minutes.unpack("heart_rate", self.heart_before_packed) if self.heart_before_packed else {}

    def values(self, metric: str) -> dict[int, float]:
        """Return the shown minute values of a series ({} when the day has none)."""
        one = self.series.get(metric)
        return one.values if one else {}

    def daily_value(self, metric: str) -> DailyMetric | None:
        """Return the shown daily value of a metric, if the day has one."""
        return next((row for row in self.daily if row.metric == metric), None)


def load_profile(user_id: int) -> Profile:
    """Return the zone and units of the person's best-ranked known connection (UTC when none)."""
    rows = db.session.execute(
        select(Connection.provider, Connection.timezone, Connection.distance_unit, Connection.weight_unit)
        .where(Connection.user_id == user_id)
    ).all()
    known = [row for row in rows if sources.get(row.provider) is not None]
    if not known:
        return Profile()
    best = min(known, key=lambda row: sources.rank(row.provider))
    return Profile(best.timezone or "UTC", best.distance_unit or "METRIC", best.weight_unit or "METRIC")


def load_day(user_id: int, day: date, profile: Profile) -> DayData:
    """Read the person's day (four queries, whatever it holds); only user_id's rows are ever read."""
    data = DayData(day, profile)
    data.daily = list(db.session.execute(
        select(DailyMetric).where(DailyMetric.user_id == user_id, DailyMetric.day == day)
    ).scalars())
    # The day's series, and the heart rate of the evening before, for a night that began then.
    series_rows = db.session.execute(
        select(MinuteSeriesRow.day, MinuteSeriesRow.metric, MinuteSeriesRow.source, MinuteSeriesRow.data)
        .where(MinuteSeriesRow.user_id == user_id, MinuteSeriesRow.day.in_((day - timedelta(days=1), day)),
               or_(MinuteSeriesRow.day == day, MinuteSeriesRow.metric == "heart_rate"))
    ).all()
    for metric in sources.SERIES:
        mine = [row for row in series_rows if row.metric == metric and row.day == day]
        shown = best_source(mine)
        if shown is not None:
            packed = next(row.data for row in mine if row.source == shown)
            data.series[metric] = Series(metric, shown, minutes.unpack(metric, packed))
    before = [row for row in series_rows if row.day != day]
    shown = best_source(before)
    data.heart_before_packed = next((row.data for row in before if row.source == shown), None)
    sleep = list(db.session.execute(
        select(SleepRow).where(SleepRow.user_id == user_id, SleepRow.day == day)
    ).scalars())
    shown = best_source(sleep)
    data.sleep = sorted((row for row in sleep if row.source == shown), key=lambda row: row.start)
    workouts = list(db.session.execute(
        select(WorkoutRow).where(WorkoutRow.user_id == user_id, WorkoutRow.day == day)
    ).scalars())
    shown = best_source(workouts)
    data.workouts = sorted((row for row in workouts if row.source == shown), key=lambda row: row.start)
    return data


def local_datetime(moment: datetime) -> str:
    """Write a naive local time as the JSON does: 2026-11-19T23:10:00."""
    return moment.replace(microsecond=0).isoformat()
