"""Follow list pages until Google gives no nextPageToken, without losing records where pages meet.

Pages are followed whatever their size: Google caps list pages near 5,000
points whatever pageSize asks (fitbit-grafana), so a short page is not the last.

Records that share a timestamp with the last record of a page have been seen
dropped from the next page (kkdev92's measured notes). For weight and resting
heart rate, fitlink therefore asks for the next page itself: the same filter
with its upper bound moved to one second after the page's last record (one day
for daily records), so the pages overlap by that second and the records seen
twice are dropped by their content. When that makes no progress (more records
in one second than a page holds) it follows Google's token instead. Sleep keeps
Google's tokens: its pages hold 25 nights, so an overlap would cost a call in
25, and two sessions starting at the same moment are copies of one night
(a mirror), which fitlink counts once anyway (points.py).
"""

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta

from ..sources import BadPayload
from . import payloads

MAX_PAGES = 400  # bounded work: 10,000 nights of sleep, far beyond any range fitlink asks for


def weight_seam(point: dict) -> str:
    """Return the upper bound that overlaps a weigh-in by one second (local time)."""
    moment = payloads.civil_moment(point["weight"]["sampleTime"], "civilTime", "physicalTime", "utcOffset")
    return (moment + timedelta(seconds=1)).isoformat(timespec="seconds")


def date_seam(point: dict) -> str:
    """Return the upper bound that overlaps a daily record by its day."""
    return daily_seam("dailyRestingHeartRate")(point)


def daily_seam(field: str) -> Callable[[dict], str]:
    """Return the seam of a daily type whose DataPoint field is `field`: overlap by the record's day."""
    def seam(point: dict) -> str:
        return (payloads.civil_date(point[field]["date"]) + timedelta(days=1)).isoformat()
    return seam


def sample_seam(field: str) -> Callable[[dict], str]:
    """Return the seam of a sample type whose DataPoint field is `field`: overlap by one second."""
    def seam(point: dict) -> str:
        moment = payloads.civil_moment(point[field]["sampleTime"], "civilTime", "physicalTime", "utcOffset")
        return (moment + timedelta(seconds=1)).isoformat(timespec="seconds")
    return seam


def list_all(get: Callable[[dict], dict], field: str, start: date, end: date, page_size: int,
             seam: Callable[[dict], str] | None = None) -> list:
    """Return every data point of a closed-open local date range [start, end + 1 day), newest first."""
    upper = (end + timedelta(days=1)).isoformat()
    points: list = []
    seen: set[str] = set()
    token = None
    for _ in range(MAX_PAGES):
        params = {"filter": f'{field} >= "{start.isoformat()}" AND {field} < "{upper}"', "pageSize": page_size}
        body = get({**params, "pageToken": token} if token else params)
        page = body.get("dataPoints", [])
        if not isinstance(page, list):
            raise BadPayload("dataPoints is not a list")
        fresh = 0
        for point in page:
            key = json.dumps(point, sort_keys=True)
            if key not in seen:
                seen.add(key)
                points.append(point)
                fresh += 1
        next_token = body.get("nextPageToken")
        if not next_token:
            return points
        bound = _bound(seam, page[-1]) if seam and page and fresh else None
        if bound is not None and _before(bound, upper):
            upper, token = bound, None
        else:
            token = next_token
    raise BadPayload(f"more than {MAX_PAGES} pages of dataPoints")


def _bound(seam: Callable[[dict], str], point: dict) -> str | None:
    try:
        return seam(point)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # an unreadable last point: Google's token goes on from it


def _before(bound: str, upper: str) -> bool:
    return datetime.fromisoformat(bound) < datetime.fromisoformat(upper)
