"""The Google Health API v4 as a fitlink data source: the fewest calls its documented limits allow.

Daily totals come from dailyRollUp, one call per range of up to 90 days (14
for active-minutes and total-calories), one window per day. Resting heart
rate, weight and sleep come from list, whose limit is the page (10,000 points;
25 for sleep) rather than the range, so one fetch covers up to three years.
Weight: a year of daily weigh-ins is one list page, against five rollups.
List pages are followed to the end, overlapping where they meet (paging.py).
Least calls for 365 days: 5 per 90-day rollup, 27 for calories, 27 for the three
active-minute metrics together, 1 each for resting heart rate and weight, and
one page per 25 nights of sleep (15).

The day's detail (issue 15):
- the daily HRV, SpO2, respiratory rate, sleep temperature and VO2 max are daily
  types that only list gives (their dailyRollUp answers personal ranges), one page
  for up to three years each; body fat is a sample type read like weight;
- sedentary_minutes: dailyRollUp of sedentary-period (durationSum), 90 days a call;
  lightly_active_minutes: the LIGHT level of the active-minutes rollup already read;
- active_zone_minutes: dailyRollUp of active-zone-minutes (the day's AZM by zone) and
  of time-in-heart-rate-zone (minutes per heart-rate zone, kept as the value's details
  under "heart_rate_zones"), 90 days a call each;
- the "sleep" fetch also returns each session with its stages (no call of its own);
- "exercises": the exercise list, 25 sessions a page;
- minute series: rollUp in 60-second windows, 10,000 minutes a call (intraday.py says
  why rollUp); a fetch of minute detail may span 90 days, which is 13 calls per series.
  rollUp windows are physical time, so the person's time zone is needed: it is the one
  given to the source, else users.getSettings is read once per source (one call a sync).
"""

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..sources import DETAILS, METRICS, BadPayload, DayValue, Profile, Record
from . import intraday, paging, payloads
from .client import GoogleHealthClient

log = logging.getLogger(__name__)

USER = "/v4/users/me"
ROLLUP_DAYS = 90
SHORT_ROLLUP_DAYS = 14  # active-minutes, total-calories (and heart-rate) per dailyRollUp call
LIST_DAYS = 1095

# metric -> (dataType, longest range per call); the three active-minute metrics share one rollup.
ROLLUPS = {
    "steps": ("steps", ROLLUP_DAYS),
    "distance": ("distance", ROLLUP_DAYS),
    "floors": ("floors", ROLLUP_DAYS),
    "calories": ("total-calories", SHORT_ROLLUP_DAYS),
    "very_active_minutes": ("active-minutes", SHORT_ROLLUP_DAYS),
    "fairly_active_minutes": ("active-minutes", SHORT_ROLLUP_DAYS),
    "lightly_active_minutes": ("active-minutes", SHORT_ROLLUP_DAYS),
    "sedentary_minutes": ("sedentary-period", ROLLUP_DAYS),
}
ACTIVE_MINUTES = tuple(payloads.ACTIVITY_LEVELS)
# metric -> (dataType, filter field, page size, reader, where pages meet); the page sizes are
# the API's maxima.
LISTS = {
    "resting_heart_rate": ("daily-resting-heart-rate", "daily_resting_heart_rate.date", 10_000,
                           payloads.resting_heart_rate_days, paging.date_seam),
    "weight": ("weight", "weight.sample_time.civil_time", 10_000, payloads.weight_days, paging.weight_seam),
    "sleep": ("sleep", "sleep.interval.civil_end_time", 25, payloads.sleep_records, None),
    "body_fat": ("body-fat", "body_fat.sample_time.civil_time", 10_000, payloads.body_fat_days,
                 paging.sample_seam("bodyFat")),
    "exercises": ("exercise", "exercise.interval.civil_start_time", 25, payloads.workouts, None),
    **{metric: (data_type, f"{data_type.replace('-', '_')}.date", 10_000,
                lambda points, metric=metric: payloads.daily_days(metric, points), paging.daily_seam(field))
       for metric, (data_type, field) in {
           "hrv": ("daily-heart-rate-variability", "dailyHeartRateVariability"),
           "spo2": ("daily-oxygen-saturation", "dailyOxygenSaturation"),
           "breathing_rate": ("daily-respiratory-rate", "dailyRespiratoryRate"),
           "skin_temperature": ("daily-sleep-temperature-derivations", "dailySleepTemperatureDerivations"),
           "vo2max": ("daily-vo2-max", "dailyVo2Max")}.items()},
}
# Active Zone Minutes and the minutes per heart-rate zone: two daily rollups, 90 days a call.
ZONE_ROLLUPS = ("active-zone-minutes", "time-in-heart-rate-zone")
# A minute detail's fetch: as long as the longest rollUp range; its calls are 10,000 minutes each.
MINUTE_DAYS = ROLLUP_DAYS
MAX_PAGES = paging.MAX_PAGES

SCOPE = "https://www.googleapis.com/auth/googlehealth."
ACTIVITY, MEASUREMENTS, SLEEP = "activity_and_fitness.readonly", "health_metrics_and_measurements.readonly", \
    "sleep.readonly"
SETTINGS = "settings.readonly"
# Which granted scope lets fitlink read a metric (/health/data-types). Resting heart rate is
# taken to be a health measurement (unconfirmed): asking without its scope would answer 403,
# which pauses the whole connection, while leaving it out only costs that one metric. The
# scopes of the day's detail follow a public design note's table of every data type (record
# type, operations, scope; /health/data-types itself could not be read): heart-rate, the daily HRV, SpO2, respiratory rate and sleep temperature and
# body fat are health measurements; exercise, daily VO2 max, zone minutes, steps and calories
# are activity.
METRIC_SCOPES = {
    **{metric: (ACTIVITY,) for metric in ROLLUPS},
    "resting_heart_rate": (MEASUREMENTS,),
    "weight": (MEASUREMENTS,),
    "sleep": (SLEEP,),
    **{metric: (MEASUREMENTS,) for metric in ("hrv", "spo2", "breathing_rate", "skin_temperature", "body_fat")},
    "vo2max": (ACTIVITY,),
    "active_zone_minutes": (ACTIVITY,),
    "steps_minutes": (ACTIVITY,),
    "calories_minutes": (ACTIVITY,),
    "heart_rate_minutes": (MEASUREMENTS,),
    "exercises": (ACTIVITY,),
}
# Ranges whose other active-minute metric is still to be read: over four years of 14-day ranges.
ACTIVE_CACHE_SIZE = 128


class GoogleHealthSource:
    """Fetch one person's Google Health data through a GoogleHealthClient."""

    # Google sends no rate-limit headers; the client keeps under the per-user quota itself.
    budget = None

    def __init__(self, client: GoogleHealthClient, timezone: str | None = None):
        self.client = client
        # The person's time zone, for rollUp's physical windows; read from the settings when not given.
        self._zone: ZoneInfo | None = _zone(timezone) if timezone else None
        # (start, end) -> the active-minutes rollup the three metrics read, and who has read it.
        self._active: dict[tuple[date, date], tuple[dict[str, list[DayValue]], set[str]]] = {}

    def profile(self) -> Profile:
        """Return who the grant belongs to, their time zone and units (three calls)."""
        answers = [self.client.get(f"{USER}/{name}") for name in ("identity", "settings", "profile")]
        try:
            return payloads.profile(*answers)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BadPayload(f"profile: {err!r}") from err

    def goals(self, today: date) -> dict:
        """Return {}: the Google Health API offers no daily goals."""
        return {}

    def metrics(self) -> tuple[str, ...]:
        """Return what the granted scopes let fitlink read (all when the token names none).

        Minute series also need the settings scope when no time zone was given (rollUp's
        windows are physical time).
        """
        granted = self.client.session.token.get("scope")
        offered = tuple(m for m in METRICS + DETAILS if m in METRIC_SCOPES)
        if not granted:
            return offered
        names = set(granted.split() if isinstance(granted, str) else granted)
        zoned = self._zone is not None or SCOPE + SETTINGS in names
        return tuple(m for m in offered if any(SCOPE + scope in names for scope in METRIC_SCOPES[m])
                     and (zoned or m not in intraday.MINUTE_TYPES))

    def max_days(self, metric: str) -> int:
        """Return the longest range one fetch may cover: the rollup's limit, or three years of list pages."""
        if metric in ROLLUPS:
            return ROLLUPS[metric][1]
        if metric in intraday.MINUTE_TYPES:
            return MINUTE_DAYS
        return ROLLUP_DAYS if metric == "active_zone_minutes" else LIST_DAYS

    def fetch(self, metric: str, start: date, end: date) -> list[Record]:
        """Return the metric's values (or detail's records) from start to end (local dates, inclusive)."""
        if metric not in METRIC_SCOPES:
            raise ValueError(f"{metric} is not something fitlink reads from Google Health")
        days = (end - start).days + 1
        if days < 1 or days > self.max_days(metric):
            raise ValueError(f"{metric}: {start}..{end} is outside 1..{self.max_days(metric)} days")
        try:
            if metric in ACTIVE_MINUTES:
                return self._active_minutes(metric, start, end)
            if metric in intraday.MINUTE_TYPES:
                return self._minutes(metric, start, end)
            if metric == "active_zone_minutes":
                return payloads.zone_minutes_days(*(self._rollup(data_type, start, end) for data_type in ZONE_ROLLUPS))
            if metric in ROLLUPS:
                return payloads.rollup_days(metric, self._rollup(ROLLUPS[metric][0], start, end))
            data_type, field, page_size, read, seam = LISTS[metric]
            return read(paging.list_all(
                lambda params: self.client.get(f"{USER}/dataTypes/{data_type}/dataPoints", params),
                field, start, end, page_size, seam))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BadPayload(f"{metric} {start}..{end}: {err!r}") from err

    def close(self) -> None:
        """Release the HTTP session."""
        self.client.close()

    def _minutes(self, detail: str, start: date, end: date) -> list[Record]:
        """rollUp a minute series in 60-second windows over the fewest 10,000-minute ranges."""
        data_type = intraday.MINUTE_TYPES[detail][0]
        zone = self.zone()
        points: list = []
        for first, last in intraday.ranges(start, end, zone):
            body = intraday.request(first, last)
            points += self._pages(lambda token, body=body: self.client.post(
                f"{USER}/dataTypes/{data_type}/dataPoints:rollUp",
                {**body, "pageToken": token} if token else body), "rollupDataPoints")
        return intraday.series(detail, points, zone, start, end)

    def zone(self) -> ZoneInfo:
        """The person's time zone: given, else their settings' (one call, then kept)."""
        if self._zone is None:
            settings = self.client.get(f"{USER}/settings")
            self._zone = _zone(settings.get("timeZone") if isinstance(settings, dict) else None)
        return self._zone

    def _active_minutes(self, metric: str, start: date, end: date) -> list[DayValue]:
        """Serve the three active-minute metrics from one rollup per range: the others' reads cost no call."""
        key = (start, end)
        if key in self._active and metric not in self._active[key][1]:
            by_metric, readers = self._active[key]
            readers.add(metric)
            if len(readers) == len(payloads.ACTIVITY_LEVELS):
                del self._active[key]
            return by_metric[metric]
        by_metric = payloads.active_minutes_days(self._rollup("active-minutes", start, end))
        if len(self._active) >= ACTIVE_CACHE_SIZE:
            del self._active[next(iter(self._active))]
        self._active[key] = (by_metric, {metric})
        return by_metric[metric]

    def _rollup(self, data_type: str, start: date, end: date) -> list:
        """POST dailyRollUp over [start, end + 1 day), one window per day, following pages."""
        body = {"range": {"start": payloads.civil_json(start), "end": payloads.civil_json(end + timedelta(days=1))},
                "windowSizeDays": 1}
        return self._pages(lambda token: self.client.post(
            f"{USER}/dataTypes/{data_type}/dataPoints:dailyRollUp",
            {**body, "pageToken": token} if token else body), "rollupDataPoints")

    def _pages(self, call, key: str) -> list:
        points: list = []
        token = None
        for _ in range(MAX_PAGES):
            body = call(token)
            page = body.get(key, [])
            if not isinstance(page, list):
                raise BadPayload(f"{key} is not a list")
            points += page
            token = body.get("nextPageToken")
            if not token:
                return points
        raise BadPayload(f"more than {MAX_PAGES} pages of {key}")


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("Google Health: unknown time zone %r; minute series are placed in UTC", name)
        return ZoneInfo("UTC")
