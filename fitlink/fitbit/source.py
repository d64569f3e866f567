"""The Fitbit Web API as a fitlink data source: endpoints, range limits and payload shapes."""

from datetime import date

from ..sources import BadPayload, Budget, DayValue, Profile
from .client import FitbitClient

# metric -> (path template, longest range per call in days), from the Fitbit Web API reference.
_SERIES = "/1/user/-/activities/{resource}/date/{{start}}/{{end}}.json"
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
}


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

    def fetch(self, metric: str, start: date, end: date) -> list[DayValue]:
        path, longest = ENDPOINTS[metric]
        if (end - start).days + 1 > longest:
            raise ValueError(f"{metric}: {start}..{end} is longer than {longest} days")
        body = self.client.get(path.format(start=start.isoformat(), end=end.isoformat()))
        try:
            return PARSERS.get(metric, _series)(metric, body)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BadPayload(f"{metric}: {err!r}") from err


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _series(metric: str, body: dict) -> list[DayValue]:
    # "/1/user/-/activities/steps/..." answers {"activities-steps": [...]},
    # "/1/user/-/body/weight/..." answers {"body-weight": [...]}.
    collection, resource = ENDPOINTS[metric][0].split("/")[4:6]
    return [
        DayValue(_date(item["dateTime"]), float(item["value"]))
        for item in body[f"{collection}-{resource}"]
    ]


def _resting_heart_rate(metric: str, body: dict) -> list[DayValue]:
    rows = []
    for item in body["activities-heart"]:
        value = item["value"]
        if not isinstance(value, dict):
            raise TypeError("heart value is not an object")
        if value.get("restingHeartRate") is not None:
            rows.append(DayValue(_date(item["dateTime"]), float(value["restingHeartRate"])))
    return rows


def _sleep(metric: str, body: dict) -> list[DayValue]:
    nights: dict[date, DayValue] = {}
    for log in body["sleep"]:
        day = _date(log["dateOfSleep"])
        if not log.get("isMainSleep", True) and day in nights:
            continue
        summary = (log.get("levels") or {}).get("summary") or {}
        stages = {name: int(part.get("minutes", 0)) for name, part in summary.items()}
        nights[day] = DayValue(
            day,
            float(log["minutesAsleep"]),
            {
                "type": log.get("type"),
                "stages": stages,
                "minutes_awake": log.get("minutesAwake"),
                "time_in_bed": log.get("timeInBed"),
                "efficiency": log.get("efficiency"),
                "start": log.get("startTime"),
                "end": log.get("endTime"),
            },
        )
    return sorted(nights.values(), key=lambda row: row.day)


PARSERS = {
    "resting_heart_rate": _resting_heart_rate,
    "sleep": _sleep,
}
