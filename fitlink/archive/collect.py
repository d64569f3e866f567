"""Merge every file's values into one value per metric and local day, without ever adding copies."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..clock import now as clock_now
from ..sources import DayValue, SleepSession, Workout
from . import families, health, heart
from .evidence import Observation
from .layout import Entry
from .series import MAX_COUNT, DayMinutes
from .spans import Spans
from .weights import Units
from .workouts import place_workouts
from .zonefit import Plan, fit, offset_at
from .zones import MINUTES_PER_DAY, UTC, Clock, parse_stamp, resolve_zone

KM_PER_CM = 1e-5
# The first Fitbit tracker shipped in 2009 and fitbit.com opened in 2007: no real day is older.
FIRST_DAY = date(2007, 1, 1)
ACTIVITY = ("very_active_minutes", "moderately_active_minutes", "lightly_active_minutes", "sedentary_minutes")
# Metric name -> archive family, for the families that are one value per day already.
DAILY_METRICS = {"very_active_minutes": "very_active_minutes", "fairly_active_minutes": "moderately_active_minutes",
                 "lightly_active_minutes": "lightly_active_minutes", "sedentary_minutes": "sedentary_minutes",
                 "resting_heart_rate": "resting_heart_rate", "vo2max": "demographic_vo2_max"}
# CSV family -> the metric it falls back for, its value column and the factor to metric units.
CSV_FALLBACKS = {"steps": ("steps", "steps", 1.0), "distance": ("distance", "distance", 0.001),
                 "weight": ("weight", "weight grams", 0.001),
                 "daily_resting_heart_rate": ("resting_heart_rate", "beats per minute", 1.0),
                 # `timestamp,heart rate zone,total minutes,data source`, UTC, per minute and device
                 # (blakster/air-health docs/takeout-format.md): the legacy local CSV comes first.
                 "active_zone_minutes": ("active_zone_minutes", "total minutes", 1.0)}
# Google-era daily summaries (Takeout 2026): `timestamp` ("2026-10-05T00:00:00") labels the local date;
# columns as public importers of those exports read them (PDP-Connect-style fixtures "real shape";
# blakster/air-health): they repeat the legacy daily CSVs, so they only fill the days those lack.
GOOGLE_DAILY = {
    "daily_heart_rate_variability": ("hrv", lambda rows: health.daily_column(
        rows, "average heart rate variability milliseconds")),
    "daily_oxygen_saturation": ("spo2", lambda rows: health.daily_column(rows, "average percentage")),
    "daily_respiratory_rate": ("breathing_rate", lambda rows: health.daily_column(rows, "breaths per minute")),
    "daily_sleep_temperature_derivations": ("skin_temperature", health.temperature_derivations),
}
# Daily CSV family -> its metric and how a file's rows become values per date (columns: families.py).
DAILY_CSVS = {
    "hrv_summary": ("hrv", lambda rows: health.daily_column(rows, "rmssd")),
    "daily_spo2": ("spo2", lambda rows: health.daily_column(rows, "average_value")),
    "respiratory_rate_summary": ("breathing_rate", lambda rows: health.daily_column(rows, "daily_respiratory_rate")),
    "computed_temperature": ("skin_temperature", health.computed_temperature),
    "zone_minutes_local": ("active_zone_minutes", health.local_zone_minutes),
}
# The minute series each minute family also gives, besides its daily total.
SERIES_OF = {"steps": "steps", "calories": "calories"}


@dataclass
class ArchiveProfile:
    """What Profile.csv says (all optional: an archive may lack it)."""

    display_name: str | None = None
    timezone: str = "UTC"
    weight_unit: str = "METRIC"
    distance_unit: str = "METRIC"
    member_since: date | None = None
    height_m: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class MinuteSum:
    """Per-minute values summed per local day; files claim the span they cover, so a copy counts once."""

    scale: float
    utc: bool
    days: dict[date, float] = field(default_factory=lambda: defaultdict(float))
    claims: Spans = field(default_factory=Spans)

    def add(self, buckets: dict[str, float], clock: Clock, series: DayMinutes | None = None) -> None:
        """Add one file's per-minute sums ("MM/DD/YY HH:MM" -> value), leaving out the buckets another file
        already covered; with series, its minutes too.

        A file claims (and is checked against) whole buckets of clock.key_length (hours, or minutes
        in zones with offsets with minutes; local hours for calories), so the minutes kept are
        exactly those the day's total counts.
        """
        if not buckets:
            return
        length = clock.key_length if self.utc else 11
        # The span a file covers is that of its non-zero values: zeros add nothing, and exports
        # pad past their last day with zero minutes, which must not hide a later export's data.
        moving = {key[:length] for key, value in buckets.items() if value} or {key[:length] for key in buckets}
        # "MM/DD/YY HH" as "YYMMDD HH": compares in time order, cheaper than a datetime per bucket.
        spans = [bucket_start(key) for key in moving]
        first, last = min(spans), max(spans)
        overlapping = self.claims.overlaps(first, last)
        days, scale, covers = self.days, self.scale, self.claims.covers
        current = day = sums = counts = None
        skip, base, total = False, 0, 0.0
        for key, value in buckets.items():
            bucket = key[:length]
            if bucket != current:
                if current is not None and not skip:
                    days[day] += total * scale
                current, total = bucket, 0.0
                skip = overlapping and covers(bucket_start(bucket))
                if skip:
                    continue
                # Records come in time order: the bucket's day and first minute are worked out once.
                day, base = clock.local_minute(bucket + ":00") if self.utc else local_minute(bucket + ":00")
                if series is not None:
                    sums, counts = series.arrays(day)
            if skip:
                continue
            total += value
            if series is not None:
                minute = base + int(key[12:14]) if length == 11 else base
                if minute >= MINUTES_PER_DAY:  # an hour running past local midnight (offsets with minutes)
                    other, minute = clock.local_minute(key)
                    series.add(other, minute, value * scale)
                    days[other] += value * scale
                    total -= value
                    continue
                sums[minute] += value * scale
                counts[minute] += 1
        if current is not None and not skip:
            days[day] += total * scale
        self.claims.add(first, last)


def bucket_start(key: str) -> str:
    """Return a bucket key "MM/DD/YY HH[:MM]" written to sort in time order ("YYMMDD HH[:MM]")."""
    return key[6:8] + key[0:2] + key[3:5] + key[8:]


def local_minute(key: str) -> tuple[date, int]:
    """Return the date and minute of the day of a local minute key "MM/DD/YY HH:MM"."""
    return families.stamp_date(key[:8]), int(key[9:11]) * 60 + int(key[12:14])


class Collector:
    """Everything read so far, per family; `finish` turns it into rows per metric."""

    def __init__(self, chosen_zone: ZoneInfo = UTC):
        self.profile = ArchiveProfile(timezone=chosen_zone.key)
        self.reference, self.reference_source = chosen_zone, "chosen"
        self.observations: list[Observation] = []
        self.plan = Plan(chosen_zone, "chosen")
        self.clock = Clock(self.plan)
        self.heights: dict[str, float] = {}
        self.units = Units()
        self.minutes = {"steps": MinuteSum(1.0, utc=True), "distance": MinuteSum(KM_PER_CM, utc=True),
                        "calories": MinuteSum(1.0, utc=False)}
        self.series = {"steps": DayMinutes("steps"), "calories": DayMinutes("calories"),
                       "heart_rate": DayMinutes("heart_rate", mean=True)}
        # Google-era heart-rate CSVs: only for days without a heart_rate-*.json (they repeat it).
        self.csv_heart_rate = DayMinutes("heart_rate", mean=True)
        self.daily: dict[str, dict[date, float]] = defaultdict(dict)
        self.zone_minutes: dict[date, dict[str, float]] = {}
        self.sleep: dict[int, tuple[bool, DayValue, SleepSession | None]] = {}
        self.weight: dict[int, tuple[str, DayValue, float | None]] = {}
        self.exercises: dict[int, health.ExerciseLog] = {}
        self.csv: dict[str, dict[date, float]] = defaultdict(dict)
        self.daily_csv: dict[str, dict[date, float]] = defaultdict(dict)
        self.saw_profile = False
        self.detail = Detail()

    def add(self, entry: Entry, data) -> None:
        """Parse one member's content (bytes, or a stream for a big JSON file) and keep its values."""
        if entry.kind == "profile":
            self.read_profile(data)
        elif entry.kind == "evidence":
            self.add_heart_rate(self.series["heart_rate"], heart.heart_rate_minutes(data))
        elif entry.kind == "csv":
            self.add_csv(entry.family, families.csv_rows(data))
        elif entry.family in self.minutes:
            self.add_json(entry.family, families.minute_records(data))
        else:
            self.add_json(entry.family, families.json_records(data))

    def read_profile(self, data: bytes) -> None:
        rows = families.csv_rows(data)
        if not rows or self.saw_profile:
            return
        self.saw_profile = True
        row = rows[0]
        zone, note = resolve_zone(row.get("timezone"), self.reference)
        if note is None:
            self.reference, self.reference_source = zone, "profile"
        since = (row.get("member_since") or "").strip()
        self.profile = ArchiveProfile(
            display_name=(row.get("display_name") or row.get("full_name") or "").strip() or None,
            timezone=zone.key, weight_unit=(row.get("weight_unit") or "").strip() or "METRIC",
            distance_unit=(row.get("distance_unit") or "").strip() or "METRIC",
            member_since=date.fromisoformat(since[:10]) if since[:10].count("-") == 2 else None,
            height_m=families.height_metres(row.get("height"), 100),
            notes=[note] if note else [])

    def add_observation(self, seen: Observation | None) -> None:
        if seen is not None:
            self.observations.append(seen)

    def reference_offset(self, day: date) -> int:
        """Return the profile's (or chosen) zone's offset at the start of day, in minutes."""
        return offset_at(self.reference, day)

    def plan_days(self) -> Plan:
        """Fit the zones of the days to the evidence read so far; call before any minute file is added.

        Heart-rate files prove each day's offset; when there are none, the starts of
        the monthly minute files stand in."""
        strong = [seen for seen in self.observations if seen.source == "heart-rate"]
        self.plan = fit(strong or self.observations, self.reference, self.reference_source)
        self.clock = Clock(self.plan)
        self.profile.notes += self.plan.notes
        return self.plan

    def add_heart_rate(self, series: DayMinutes, minutes: list[tuple[str, float, int]]) -> None:
        """Add one file's heart rate per UTC minute to the local minutes; the whole file or nothing."""
        clock, length = self.clock, self.clock.key_length
        placed, current, day, base = [], None, None, 0
        for key, total, count in minutes:
            bucket = key[:length]
            if bucket != current:  # samples come in time order: one conversion per hour
                current = bucket
                day, base = clock.local_minute(bucket + ":00")
            minute = base + int(key[12:14]) if length == 11 else base
            placed.append((day, minute, total, count) if minute < MINUTES_PER_DAY else (*clock.local_minute(key),
                                                                                       total, count))
        current = sums = counts = None
        for day, minute, total, count in placed:
            if day != current:
                current = day
                sums, counts = series.arrays(day)
            sums[minute] += total
            counts[minute] = min(counts[minute] + count, MAX_COUNT)

    def add_json(self, family: str, records) -> None:
        if family in self.minutes:
            total = self.minutes[family]
            series = self.series.get(SERIES_OF.get(family))
            # Per minute: UTC families go to local days by hour (or minute, in zones with half-hour
            # offsets); calories are stamped in local time, by hour: the hour's date is the local day.
            total.add(families.minute_values(records), self.clock, series)
        elif family == "resting_heart_rate":
            self.daily[family].update(families.resting_values(records))
        elif family in ACTIVITY:
            # A later copy of a day replaces the earlier one: daily values are never added.
            self.daily[family].update(families.daily_values(records))
        elif family == "sleep":
            self.sleep.update(families.sleep_logs(records))
        elif family == "weight":
            self.weight.update(families.weight_logs(records))
        elif family == "height":
            self.heights.update(families.height_values(records))
        elif family == "demographic_vo2_max":
            self.daily[family].update(health.vo2max_values(records))
        elif family == "time_in_heart_rate_zones":
            self.zone_minutes.update(health.heart_rate_zones(records))
        elif family == "exercise":
            self.exercises.update(health.exercise_logs(records))

    def height_m(self) -> float | None:
        """Return the person's height: the latest height-*.json value (mm), else Profile.csv's (cm)."""
        if self.heights:
            return self.heights[max(self.heights, key=parse_stamp)]
        return self.profile.height_m

    def add_csv(self, family: str, rows: list[dict[str, str]]) -> None:
        if family == "heart_rate":
            self.add_heart_rate(self.csv_heart_rate, heart.csv_heart_rate_minutes(rows))
            return
        if family in DAILY_CSVS:
            metric, read = DAILY_CSVS[family]
            self.daily_csv[metric].update(read(rows))
            return
        if family in GOOGLE_DAILY:
            metric, read = GOOGLE_DAILY[family]
            self.csv[metric].update(read(rows))
            return
        metric, column, factor = CSV_FALLBACKS[family]
        local = self.local_day_of_instant
        if family == "daily_resting_heart_rate":
            values = families.labelled_days(rows, column)
        elif family == "weight":
            values = {day: value for day, (_, value) in families.latest_per_day(rows, column, local).items()}
        else:
            values = families.per_device_days(rows, column, local)
        target = self.csv[metric]
        for day, value in values.items():
            target[day] = value * factor

    def days_so_far(self) -> int:
        """Return a cheap estimate of the days found so far, for progress."""
        return max(len(total.days) for total in self.minutes.values())

    def local_day_of_instant(self, moment: datetime) -> date:
        return self.clock.local_day_of(moment)

    def finish(self) -> tuple[dict[str, list[DayValue]], int]:
        """Return rows per metric with the padding past the last real day dropped, and how many days that dropped.

        Days outside what a Fitbit can have recorded (before FIRST_DAY, after tomorrow where the
        person chose) are dropped first: a file dated 0001-01-01 or 9999-12-31 is not a day.
        """
        latest = clock_now().astimezone(self.plan.default).date() + timedelta(days=1)
        metrics = {metric: {day: value for day, value in values.items() if FIRST_DAY <= day <= latest}
                   for metric, values in self.metric_days().items()}
        last = last_real_day(metrics, self.daily)
        self.detail = self.day_detail(lambda day: FIRST_DAY <= day <= latest and (last is None or day <= last))
        padding: set[date] = set()
        rows: dict[str, list[DayValue]] = {}
        for metric, values in metrics.items():
            kept = []
            for day in sorted(values):
                if last is None or day > last:
                    padding.add(day)
                else:
                    kept.append(values[day])
            if kept:
                rows[metric] = kept
        return rows, len(padding - {row.day for values in rows.values() for row in values})

    def metric_days(self) -> dict[str, dict[date, DayValue]]:
        digits = {"steps": 0, "distance": 5, "calories": 2}
        metrics: dict[str, dict[date, DayValue]] = {
            name: {day: DayValue(day, round(value, digits[name])) for day, value in total.days.items()}
            for name, total in self.minutes.items()}
        for metric, family in DAILY_METRICS.items():
            metrics[metric] = {day: DayValue(day, value) for day, value in self.daily[family].items()}
        # Minutes in each heart-rate zone ride on the day's resting heart rate, as Fitbit's Web API
        # gives them together (activities/heart): the day page reads details["heart_rate_zones"].
        for day, zones in self.zone_minutes.items():
            if day in metrics["resting_heart_rate"]:
                metrics["resting_heart_rate"][day] = DayValue(day, metrics["resting_heart_rate"][day].value,
                                                              {"heart_rate_zones": zones})
        metrics["sleep"] = pick_sleep((main, row) for main, row, _ in self.sleep.values())
        metrics["weight"], metrics["body_fat"] = {}, {}
        height = self.height_m()
        # The day's last weigh-in counts; each in the unit its BMI and the height tell (weights.py).
        for _, row, bmi in sorted(self.weight.values(), key=lambda item: item[0]):
            kg = self.units.to_kg(row.value, bmi, height)
            metrics["weight"][row.day] = DayValue(row.day, round(kg, 3), row.details)
            if row.details and row.details.get("fat"):
                # Scales that measure body fat write it on the weigh-in ("fat": 24.0, in %).
                metrics["body_fat"][row.day] = DayValue(row.day, row.details["fat"])
        for metric, values in self.daily_csv.items():
            metrics[metric] = {day: DayValue(day, round(value, 3)) for day, value in values.items()}
        # The newer CSVs only fill days Global Export Data does not have: they repeat it.
        for metric, values in self.csv.items():
            shown = metrics.setdefault(metric, {})
            for day, value in values.items():
                if day not in shown:
                    shown[day] = DayValue(day, round(value, 5))
        return metrics


    def day_detail(self, wanted) -> "Detail":
        """Return the minute series, sleep sessions and workouts of the wanted days (padding and
        impossible days left out); the minute arrays are handed over, not copied."""
        heart = self.series["heart_rate"]
        heart.merge_missing(self.csv_heart_rate)
        self.csv_heart_rate = DayMinutes("heart_rate", mean=True)
        workouts, note = place_workouts(list(self.exercises.values()), self.clock, self.series["steps"],
                                        self.profile.distance_unit)
        if note:
            self.profile.notes.append(note)
        for series in self.series.values():
            series.keep(wanted)
        sessions = [session for _, _, session in self.sleep.values() if session and wanted(session.day)]
        return Detail(list(self.series.values()), sorted(sessions, key=lambda one: one.start),
                      sorted((one for one in workouts if wanted(one.day)), key=lambda one: one.start))


@dataclass
class Detail:
    """An archive's day detail: minute series per local day, sleep sessions (naps included), workouts."""

    series: list[DayMinutes] = field(default_factory=list)
    sleep: list[SleepSession] = field(default_factory=list)
    workouts: list[Workout] = field(default_factory=list)

    def span(self) -> tuple[date, date] | None:
        """Return the first and last day the detail covers, or None when it holds nothing."""
        days = [day for series in self.series for day in series.sums]
        days += [one.day for one in self.sleep] + [one.day for one in self.workouts]
        return (min(days), max(days)) if days else None


def pick_sleep(logs) -> dict[date, DayValue]:
    """Return one sleep per wake date: the main sleep, else the longest nap (as the Web API source does)."""
    nights: dict[date, tuple[bool, DayValue]] = {}
    for main, row in logs:
        known = nights.get(row.day)
        if known is None or (main, row.value) > (known[0], known[1].value):
            nights[row.day] = (main, row)
    return {day: row for day, (_, row) in nights.items()}


def last_real_day(metrics: dict[str, dict[date, DayValue]], daily: dict[str, dict[date, float]]) -> date | None:
    """Return the last day with real data: exports pad activity ~4 weeks past the export with
    sedentary 1440 and zeros, and resting heart rate a year with 0.0 (dropped when read)."""
    candidates = []
    for metric in ("steps", "distance"):
        candidates += [day for day, row in metrics.get(metric, {}).items() if row.value > 0]
    for metric in ("calories", "resting_heart_rate", "sleep", "weight"):
        candidates += list(metrics.get(metric, {}))
    activity_days = set().union(*(daily[family] for family in ACTIVITY))
    for day in activity_days:
        sedentary = daily["sedentary_minutes"].get(day, 0.0)
        moving = sum(daily[family].get(day, 0.0) for family in ACTIVITY[:3])
        if moving > 0 or 0 < sedentary < 1440:
            candidates.append(day)
    return max(candidates, default=None)
