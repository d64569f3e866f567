"""The Google Health API v4 as a fitlink data source: the fewest calls its documented limits allow.

Daily totals come from dailyRollUp, one call per range of up to 90 days (14
for active-minutes and total-calories), one window per day. Resting heart
rate, weight and sleep come from list, whose limit is the page (10,000 points;
25 for sleep) rather than the range, so one fetch covers up to three years.
Weight: a year of daily weigh-ins is one list page, against five rollups.
List pages are followed to the end, overlapping where they meet (paging.py).
Least calls for 365 days: 5 per 90-day rollup, 27 for calories, 27 for both
active-minute metrics together, 1 each for resting heart rate and weight, and
one page per 25 nights of sleep (15).
"""

import logging
from datetime import date, timedelta

from ..sources import METRICS, BadPayload, DayValue, Profile
from . import paging, payloads
from .client import GoogleHealthClient

log = logging.getLogger(__name__)

USER = "/v4/users/me"
ROLLUP_DAYS = 90
SHORT_ROLLUP_DAYS = 14  # active-minutes, total-calories (and heart-rate) per dailyRollUp call
LIST_DAYS = 1095

# metric -> (dataType, longest range per call); the two active-minute metrics share one rollup.
ROLLUPS = {
    "steps": ("steps", ROLLUP_DAYS),
    "distance": ("distance", ROLLUP_DAYS),
    "floors": ("floors", ROLLUP_DAYS),
    "calories": ("total-calories", SHORT_ROLLUP_DAYS),
    "very_active_minutes": ("active-minutes", SHORT_ROLLUP_DAYS),
    "fairly_active_minutes": ("active-minutes", SHORT_ROLLUP_DAYS),
}
# metric -> (dataType, filter field, page size, reader, where pages meet); the page sizes are
# the API's maxima.
LISTS = {
    "resting_heart_rate": ("daily-resting-heart-rate", "daily_resting_heart_rate.date", 10_000,
                           payloads.resting_heart_rate_days, paging.date_seam),
    "weight": ("weight", "weight.sample_time.civil_time", 10_000, payloads.weight_days, paging.weight_seam),
    "sleep": ("sleep", "sleep.interval.civil_end_time", 25, payloads.sleep_days, None),
}
MAX_PAGES = paging.MAX_PAGES

SCOPE = "https://www.googleapis.com/auth/googlehealth."
ACTIVITY, MEASUREMENTS, SLEEP = "activity_and_fitness.readonly", "health_metrics_and_measurements.readonly", \
    "sleep.readonly"
# Which granted scope lets fitlink read a metric (/health/data-types). Resting heart rate is
# taken to be a health measurement (unconfirmed): asking without its scope would answer 403,
# which pauses the whole connection, while leaving it out only costs that one metric.
METRIC_SCOPES = {
    **{metric: (ACTIVITY,) for metric in ROLLUPS},
    "resting_heart_rate": (MEASUREMENTS,),
    "weight": (MEASUREMENTS,),
    "sleep": (SLEEP,),
}
# Ranges whose other active-minute metric is still to be read: over four years of 14-day ranges.
ACTIVE_CACHE_SIZE = 128


class GoogleHealthSource:
    """Fetch one person's Google Health data through a GoogleHealthClient."""

    # Google sends no rate-limit headers; the client keeps under the per-user quota itself.
    budget = None

    def __init__(self, client: GoogleHealthClient):
        self.client = client
        # (start, end) -> the active-minutes rollup both metrics read, and who has read it.
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
        """Return the metrics the granted scopes let fitlink read (all when the token names none)."""
        granted = self.client.session.token.get("scope")
        offered = tuple(m for m in METRICS if m in METRIC_SCOPES)
        if not granted:
            return offered
        names = set(granted.split() if isinstance(granted, str) else granted)
        return tuple(m for m in offered if any(SCOPE + scope in names for scope in METRIC_SCOPES[m]))

    def max_days(self, metric: str) -> int:
        """Return the longest range one fetch may cover: the rollup's limit, or three years of list pages."""
        return ROLLUPS[metric][1] if metric in ROLLUPS else LIST_DAYS

    def fetch(self, metric: str, start: date, end: date) -> list[DayValue]:
        """Return the metric's values from start to end (local dates, inclusive)."""
        if metric not in METRICS:
            raise ValueError(f"{metric} is not a metric fitlink keeps")
        days = (end - start).days + 1
        if days < 1 or days > self.max_days(metric):
            raise ValueError(f"{metric}: {start}..{end} is outside 1..{self.max_days(metric)} days")
        try:
            if metric in ("very_active_minutes", "fairly_active_minutes"):
                return self._active_minutes(metric, start, end)
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

    def _active_minutes(self, metric: str, start: date, end: date) -> list[DayValue]:
        """Serve both active-minute metrics from one rollup per range: the second read costs no call."""
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
