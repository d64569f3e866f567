"""Scopes and the data types the demo serves, with each type's rules."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "https://www.googleapis.com/auth/googlehealth."
ACTIVITY = PREFIX + "activity_and_fitness.readonly"
METRICS = PREFIX + "health_metrics_and_measurements.readonly"
SLEEP = PREFIX + "sleep.readonly"
SETTINGS = PREFIX + "settings.readonly"
PROFILE = PREFIX + "profile.readonly"

# Every scope of the discovery document; a request for anything else is invalid_scope.
KNOWN_SCOPES = frozenset(PREFIX + name for name in (
    "activity_and_fitness.readonly", "activity_and_fitness.writeonly", "ecg.readonly",
    "health_metrics_and_measurements.readonly", "health_metrics_and_measurements.writeonly",
    "irn.readonly", "location.readonly", "logged_symptoms.readonly", "logged_symptoms.writeonly",
    "mindfulness.readonly", "mindfulness.writeonly", "nutrition.writeonly", "profile.readonly",
    "profile.writeonly", "reproductive_health.readonly", "reproductive_health.writeonly",
    "settings.readonly", "settings.writeonly", "sleep.readonly", "sleep.writeonly"))
# users.getIdentity accepts any of these (discovery document).
IDENTITY_SCOPES = frozenset(PREFIX + name for name in (
    "activity_and_fitness.readonly", "ecg.readonly", "health_metrics_and_measurements.readonly",
    "irn.readonly", "logged_symptoms.readonly", "mindfulness.readonly", "profile.readonly",
    "reproductive_health.readonly", "settings.readonly", "sleep.readonly"))
SCOPE_LABELS = {
    ACTIVITY: "See your activity and fitness data (steps, distance, floors, active minutes, "
              "calories, exercises, zone minutes, cardio fitness)",
    METRICS: "See your health metrics and measurements (weight, body fat, heart rate, HRV, "
             "SpO2, breathing rate, skin temperature)",
    SLEEP: "See your sleep data",
    SETTINGS: "See your settings (time zone, units)",
    PROFILE: "See your profile (age, member since)",
}

# The list filter's literal formats, by field kind (discovery: dataPoints.list filter).
PHYSICAL, CIVIL, DATE = "physical", "civil", "date"


@dataclass(frozen=True)
class DataType:
    """One data type: its URL id, filter name, scope, record kind and limits."""

    id: str
    filter_name: str
    scope: str
    record: str  # "interval", "sample", "daily" or "session"
    listable: bool = True
    rollup: bool = True
    rollup_max_days: int = 90
    page_default: int = 1440
    page_max: int = 10000
    physical_rollup: bool = False  # rollUp over physical time windows (dataPoints:rollUp)

    def filter_fields(self) -> dict[str, str]:
        """Return the filterable fields of this type and the kind of literal each takes."""
        name = self.filter_name
        if self.record == "interval":
            return {f"{name}.interval.start_time": PHYSICAL,
                    f"{name}.interval.civil_start_time": CIVIL}
        if self.record == "sample":
            return {f"{name}.sample_time.physical_time": PHYSICAL,
                    f"{name}.sample_time.civil_time": CIVIL}
        if self.record == "daily":
            return {f"{name}.date": DATE}
        if self.id != "sleep":
            # Sessions other than sleep filter by their civil start (discovery: list filter).
            return {f"{name}.interval.civil_start_time": CIVIL}
        return {f"{name}.interval.end_time": PHYSICAL, f"{name}.interval.civil_end_time": CIVIL}


# total-calories has no DataPoint field, so it can only be rolled up; sleep and exercise have
# no rollup field. Scopes and operations per type follow a public design note's table of
# every data type (record type, operations, scope; the /health/data-types page could not be
# read here): heart measurements and body fat under health metrics, daily VO2 max, exercise,
# zone minutes and sedentary periods under activity.
# dailyRollUp of the daily types answers personal ranges, not the day's value: the demo
# refuses it for them, so a client must list them.
DATA_TYPES = {dt.id: dt for dt in (
    DataType("steps", "steps", ACTIVITY, "interval", physical_rollup=True),
    DataType("distance", "distance", ACTIVITY, "interval", physical_rollup=True),
    DataType("floors", "floors", ACTIVITY, "interval"),
    DataType("total-calories", "total_calories", ACTIVITY, "interval", listable=False,
             rollup_max_days=14, physical_rollup=True),
    DataType("active-minutes", "active_minutes", ACTIVITY, "interval", rollup_max_days=14),
    DataType("daily-resting-heart-rate", "daily_resting_heart_rate", METRICS, "daily"),
    DataType("sleep", "sleep", SLEEP, "session", rollup=False, page_default=25, page_max=25),
    DataType("weight", "weight", METRICS, "sample"),
    DataType("heart-rate", "heart_rate", METRICS, "sample", rollup=False, rollup_max_days=14,
             physical_rollup=True),
    DataType("exercise", "exercise", ACTIVITY, "session", rollup=False, page_default=25,
             page_max=25),
    DataType("daily-heart-rate-variability", "daily_heart_rate_variability", METRICS, "daily",
             rollup=False),
    DataType("daily-oxygen-saturation", "daily_oxygen_saturation", METRICS, "daily", rollup=False),
    DataType("daily-respiratory-rate", "daily_respiratory_rate", METRICS, "daily", rollup=False),
    DataType("daily-sleep-temperature-derivations", "daily_sleep_temperature_derivations", METRICS,
             "daily", rollup=False),
    DataType("daily-vo2-max", "daily_vo2_max", ACTIVITY, "daily", rollup=False),
    DataType("active-zone-minutes", "active_zone_minutes", ACTIVITY, "interval"),
    DataType("time-in-heart-rate-zone", "time_in_heart_rate_zone", ACTIVITY, "interval"),
    DataType("body-fat", "body_fat", METRICS, "sample"),
    # The demo serves only the sedentary periods' daily rollup (durationSum), not their list.
    DataType("sedentary-period", "sedentary_period", ACTIVITY, "interval", listable=False),
)}
