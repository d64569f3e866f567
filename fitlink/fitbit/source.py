"""The Fitbit Web API as a fitlink data source: endpoints, range limits and payload shapes."""

from datetime import date, timedelta
from urllib.parse import urlsplit

from ..sources import BadPayload, Budget, Profile, Record
from . import payloads
from .client import FitbitClient

# name -> (path template, longest range per call in days): Fitbit's reference pages
# (HRV, breathing rate, skin temperature, cardio fitness: 30 days; Active Zone Minutes and
# the activity and body time series: 1095; intraday: one day per call). SpO2 by interval
# documents no maximum: fitlink asks at most 1095 days, as for the longest series.
_SERIES = "/1/user/-/activities/{resource}/date/{{start}}/{{end}}.json"
_INTRADAY = "/1/user/-/activities/{resource}/date/{{start}}/1d/1min.json"
LIST_PATH = "/1/user/-/activities/list.json"
LIST_LIMIT = 100  # the most one page of the activity log list holds
ENDPOINTS = {
    "steps": (_SERIES.format(resource="steps"), 1095),
    "distance": (_SERIES.format(resource="distance"), 1095),
    "calories": (_SERIES.format(resource="calories"), 1095),
    "floors": (_SERIES.format(resource="floors"), 1095),
    "very_active_minutes": (_SERIES.format(resource="minutesVeryActive"), 1095),
    "fairly_active_minutes": (_SERIES.format(resource="minutesFairlyActive"), 1095),
    "resting_heart_rate": ("/1/user/-/activities/heart/date/{start}/{end}.json", 365),
    "sleep": ("/1.2/user/-/sleep/date/{start}/{end}.json", 100),
    "weight": ("/1/user/-/body/weight/date/{start}/{end}.json", 1095),
    "hrv": ("/1/user/-/hrv/date/{start}/{end}.json", 30),
    "spo2": ("/1/user/-/spo2/date/{start}/{end}.json", 1095),
    "breathing_rate": ("/1/user/-/br/date/{start}/{end}.json", 30),
    "skin_temperature": ("/1/user/-/temp/skin/date/{start}/{end}.json", 30),
    "vo2max": ("/1/user/-/cardioscore/date/{start}/{end}.json", 30),
    "active_zone_minutes": ("/1/user/-/activities/active-zone-minutes/date/{start}/{end}.json", 1095),
    "lightly_active_minutes": (_SERIES.format(resource="minutesLightlyActive"), 1095),
    "sedentary_minutes": (_SERIES.format(resource="minutesSedentary"), 1095),
    "body_fat": ("/1/user/-/body/fat/date/{start}/{end}.json", 1095),
    "steps_minutes": (_INTRADAY.format(resource="steps"), 1),
    "heart_rate_minutes": (_INTRADAY.format(resource="heart"), 1),
    "calories_minutes": (_INTRADAY.format(resource="calories"), 1),
    # Newest first: the entries before the day after the range, paged by pagination.next. The
    # list has no range limit; 100 days keep a range to one page of 100 for anyone logging
    # fewer than one workout a day, so a rate limit never strikes between its pages.
    "exercises": (LIST_PATH + f"?beforeDate={{before}}&sort=desc&offset=0&limit={LIST_LIMIT}", 100),
}
# Pages of the activity log one fetch reads at most (bounded work: 100 entries a page).
MAX_LIST_PAGES = 50


class FitbitSource:
    """Fetch a user's Fitbit data through a FitbitClient, one call per allowed range."""

    def __init__(self, client: FitbitClient):
        self.client = client

    @property
    def budget(self) -> Budget:
        """What Fitbit's rate-limit headers said last."""
        return self.client.budget

    def metrics(self) -> tuple[str, ...]:
        return tuple(ENDPOINTS)

    def close(self) -> None:
        self.client.close()

    def profile(self) -> Profile:
        body = self.client.get("/1/user/-/profile.json")
        try:
            user = body["user"]
            return Profile(
                user_id=str(user["encodedId"]),
                display_name=user.get("displayName") or user.get("fullName"),
                timezone=user.get("timezone") or "UTC",
                member_since=_date(user["memberSince"]) if user.get("memberSince") else None,
                distance_unit=user.get("distanceUnit") or "METRIC",
                weight_unit=user.get("weightUnit") or "METRIC",
            )
        except (KeyError, TypeError, ValueError) as err:
            raise BadPayload(f"profile: {err!r}") from err

    def goals(self, today: date) -> dict:
        """Return the daily goals (steps, distance, calories, active minutes, floors)."""
        body = self.client.get(f"/1/user/-/activities/date/{today.isoformat()}.json")
        goals = body.get("goals")
        if not isinstance(goals, dict):
            raise BadPayload("daily summary without goals")
        return {key: value for key, value in goals.items() if isinstance(value, (int, float))}

    def max_days(self, metric: str) -> int:
        return ENDPOINTS[metric][1]

    def fetch(self, metric: str, start: date, end: date) -> list[Record]:
        path, longest = ENDPOINTS[metric]
        if (end - start).days + 1 > longest:
            raise ValueError(f"{metric}: {start}..{end} is longer than {longest} days")
        if metric == "exercises":
            return self._exercises(start, end)
        body = self.client.get(path.format(start=start.isoformat(), end=end.isoformat()), array=metric == "spo2")
        try:
            return PARSERS[metric](body, start)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BadPayload(f"{metric}: {err!r}") from err

    def _exercises(self, start: date, end: date) -> list[Record]:
        """Read the activity log list newest first, page by page, until it reaches start."""
        path = ENDPOINTS["exercises"][0].format(before=(end + timedelta(days=1)).isoformat())
        workouts = []
        for _page in range(MAX_LIST_PAGES):
            body = self.client.get(path)
            try:
                page = [payloads.workout(item) for item in body["activities"]]
                following = (body.get("pagination") or {}).get("next") or ""
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise BadPayload(f"exercises: {err!r}") from err
            workouts += [one for one in page if start <= one.day <= end]
            if not following or not page or min(one.day for one in page) < start:
                break
            path = _next_page(following)
        return workouts


def _next_page(url: str) -> str:
    """Return the API path of pagination.next, never another host's: only its query is taken."""
    parts = urlsplit(url)
    if not parts.path.endswith(LIST_PATH) or not parts.query:
        raise BadPayload(f"exercises: pagination.next {url[:200]!r} is not the activity log list")
    return f"{LIST_PATH}?{parts.query}"


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _series_key(metric: str) -> str:
    # "/1/user/-/activities/steps/..." answers {"activities-steps": [...]},
    # "/1/user/-/body/weight/..." answers {"body-weight": [...]}.
    collection, resource = ENDPOINTS[metric][0].split("/")[4:6]
    return f"{collection}-{resource}"


def _series(metric: str):
    return lambda body, _start: payloads.series(_series_key(metric), body)


def _intraday(resource: str, series_name: str):
    return lambda body, start: payloads.intraday(resource, series_name, start, body)


def _nightly(key: str, field: str):
    return lambda body, _start: payloads.nightly(key, field, body)


PARSERS = {
    **{metric: _series(metric) for metric in (
        "steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes", "weight",
        "lightly_active_minutes", "sedentary_minutes", "body_fat")},
    "resting_heart_rate": lambda body, _start: payloads.resting_heart_rate(body),
    "sleep": lambda body, _start: payloads.sleep(body),
    "hrv": _nightly("hrv", "dailyRmssd"),
    "spo2": _nightly("spo2", "avg"),
    "breathing_rate": _nightly("br", "breathingRate"),
    "skin_temperature": _nightly("tempSkin", "nightlyRelative"),
    "vo2max": lambda body, _start: payloads.vo2max(body),
    "active_zone_minutes": lambda body, _start: payloads.active_zone_minutes(body),
    "steps_minutes": _intraday("steps", "steps"),
    "heart_rate_minutes": _intraday("heart", "heart_rate"),
    "calories_minutes": _intraday("calories", "calories"),
}
