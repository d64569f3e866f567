"""The whole day's endpoints, on the data blueprint (so signed, counted and rate limited alike).

Range limits, as Fitbit documents them: intraday one day per call; HRV, breathing rate, skin
temperature and cardio fitness 30 days; Active Zone Minutes and the body time series 1095; the
body fat log 31 (as the weight log); SpO2 documents no maximum, so the service caps it at 1095.
The activity log list pages by `limit` (at most 100) and hands out `pagination.next`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from flask import g, request, url_for

from ..common import whole_day
from . import day_shapes
from .activity import served_values
from .api import add_range_and_day, bp, request_units, served_days
from .ranges import ValidationFailure, parse_range

INTRADAY_LEVELS = ("1min", "5min", "15min")
LIST_LIMIT = 100
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?)?")


def _one_day(day: str) -> tuple[date, dict | None]:
    start, _end = parse_range(day, "1d", g.today, 1)
    served = served_values(g.account, start, start, g.today)
    return start, served[0][1] if served else None


@bp.get("/1/user/-/activities/<any(steps, calories, heart):resource>/date/<day>/1d/<level>.json")
def intraday(resource: str, day: str, level: str):
    """Return one day's steps, calories or heart rate minute by minute (or per 5 or 15 minutes)."""
    if level not in INTRADAY_LEVELS:
        raise ValidationFailure("detail-level", f"Invalid detail level: {level}. "
                                f"Use one of {', '.join(INTRADAY_LEVELS)}.")
    start, values = _one_day(day)
    return day_shapes.intraday(resource, start, values, g.account, day_shapes.INTERVALS[level])


def _moment(text: str, field: str) -> datetime:
    if MOMENT.fullmatch(text):
        try:
            return datetime.fromisoformat(text) if "T" in text else datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            pass
    raise ValidationFailure(field, f"Invalid date: {text}. Use yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss.")


def _positive(name: str, default: str | None, low: int, high: int) -> int:
    text = request.args.get(name, default)
    if text is None or not text.isdigit() or not low <= int(text) <= high:
        raise ValidationFailure(name, f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def _workouts(newest_first: bool, bound: datetime) -> Iterator[dict]:
    """Yield the account's workouts before (newest first) or after (oldest first) bound, as log entries."""
    account, units = g.account, request_units()
    step = timedelta(days=-30 if newest_first else 30)
    first = min(bound.date(), g.today) if newest_first else max(bound.date(), account.member_since)
    while account.member_since <= first <= g.today:
        last = first + step + (timedelta(days=1) if newest_first else timedelta(days=-1))
        low, high = min(first, last), max(first, last)
        days = served_values(account, low, high, g.today)
        for day, values in (reversed(days) if newest_first else days):
            for workout in sorted(whole_day.workouts(account, day, values), key=lambda one: one.start,
                                  reverse=newest_first):
                if (workout.start < bound) if newest_first else (workout.start > bound):
                    yield day_shapes.activity_log(account, day, values, workout, units)
        first = last + (timedelta(days=-1) if newest_first else timedelta(days=1))


@bp.get("/1/user/-/activities/list.json")
def activity_list():
    """Return a page of the activity log: before a date newest first, or after one oldest first."""
    before, after = request.args.get("beforeDate"), request.args.get("afterDate")
    if (before is None) == (after is None):
        raise ValidationFailure("beforeDate", "Give either beforeDate or afterDate.")
    sort = "desc" if before else "asc"
    if request.args.get("sort") != sort:
        raise ValidationFailure("sort", "Sort desc with beforeDate, asc with afterDate.")
    limit = _positive("limit", None, 1, LIST_LIMIT)
    offset = _positive("offset", "0", 0, 10**6)
    field = "beforeDate" if before else "afterDate"
    bound = _moment(before or after, field)
    entries = []
    for entry in _workouts(bool(before), bound):
        entries.append(entry)
        if len(entries) > offset + limit:
            break
    page = entries[offset:offset + limit]

    def link(at: int) -> str:
        return url_for(".activity_list", **{field: before or after}, sort=sort, limit=limit, offset=at,
                       _external=True)

    return {"activities": page, "pagination": {
        field: before or after, "limit": limit, "offset": offset, "sort": sort,
        "next": link(offset + limit) if len(entries) > offset + limit else "",
        "previous": link(max(0, offset - limit)) if offset else ""}}


def _health(key: str, first: str, second: str, max_days: int) -> list[dict]:
    return day_shapes.health_items(key, served_days(first, second, max_days), g.account)


def _nightly(key: str, answer: str) -> Callable[[list[tuple[date, dict]]], dict]:
    return lambda days: {answer: day_shapes.health_items(key, days, g.account)}


# HRV (dailyRmssd, deepRmssd), breathing rate and skin temperature (relative to the baseline):
# each night of a range (at most 30 days), or one night.
add_range_and_day("/1/user/-/hrv", "hrv", _nightly("hrv", "hrv"), 30)
add_range_and_day("/1/user/-/br", "breathing", _nightly("br", "br"), 30)
add_range_and_day("/1/user/-/temp/skin", "skin", _nightly("temp", "tempSkin"), 30)


@bp.get("/1/user/-/spo2/date/<first>/<second>.json")
def spo2_range(first: str, second: str):
    """Return each day's SpO2 as a bare list; a day without a reading has its dateTime alone."""
    days = served_days(first, second, 1095)
    found = {item["dateTime"]: item for item in day_shapes.health_items("spo2", days, g.account)}
    return [found.get(day.isoformat(), {"dateTime": day.isoformat()}) for day, _values in days]


@bp.get("/1/user/-/spo2/date/<day>.json")
def spo2_day(day: str):
    """Return one day's SpO2 (an object, not a list)."""
    start, _end = parse_range(day, "1d", g.today, 1)
    items = _health("spo2", day, "1d", 1)
    return items[0] if items else {"dateTime": start.isoformat()}


@bp.get("/1/user/-/cardioscore/date/<first>/<second>.json")
def cardio_range(first: str, second: str):
    """Return each day's cardio fitness score, at most 30 days."""
    return {"cardioScore": [{"dateTime": day.isoformat(), "value": {"vo2Max": whole_day.cardio_fitness(g.account, day)}}
                            for day, _values in served_days(first, second, 30)]}


@bp.get("/1/user/-/activities/active-zone-minutes/date/<first>/<second>.json")
def azm_range(first: str, second: str):
    """Return each day's Active Zone Minutes (days without any are left out), at most 1095 days."""
    items = [{"dateTime": day.isoformat(), "value": day_shapes.azm(values)}
             for day, values in served_days(first, second, 1095)]
    return {"activities-active-zone-minutes": [item for item in items if item["value"]["activeZoneMinutes"]]}


def _weighed_fat(first: str, second: str, max_days: int) -> Iterator[tuple[date, dict, float]]:
    """Yield (day, values, body fat) for the days of a range that have a weighing."""
    for day, values in served_days(first, second, max_days):
        fat = whole_day.body_fat(g.account, values)
        if fat is not None:
            yield day, values, fat


@bp.get("/1/user/-/body/fat/date/<first>/<second>.json")
def fat_series(first: str, second: str):
    """Return the body-fat series (only days with a weighing); values are strings."""
    return {"body-fat": [{"dateTime": day.isoformat(), "value": str(fat)}
                         for day, _values, fat in _weighed_fat(first, second, 1095)]}


@bp.get("/1/user/-/body/log/fat/date/<first>/<second>.json")
def fat_log(first: str, second: str):
    """Return the body-fat log entries of a date range, at most 31 days."""
    return {"fat": [{"date": day.isoformat(), "fat": fat, "time": values["weight"]["time"],
                     "logId": int(g.account.encoded_id, 36) * 100000 + day.toordinal() % 100000,
                     "source": "Aria"}
                    for day, values, fat in _weighed_fat(first, second, 31)]}
