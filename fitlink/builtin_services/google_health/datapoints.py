"""dataPoints.list and :reconcile: filter, order newest first, page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice

from flask import current_app, g, request

from .catalog import DataType
from .days import served_days
from .errors import invalid_argument
from .filters import Comparison, Junction, day_bounds, parse_filter
from .paging import decode, encode, page_size
from .points import Point, day_points
from .rollup import FAMILIES
from .state import health_state


def _family(kind: DataType, reconciled: bool) -> str | None:
    family = request.args.get("dataSourceFamily") or None
    if family is not None and family not in FAMILIES:
        raise invalid_argument(f"Unsupported dataSourceFamily: {family!r}.")
    if family is not None and kind.id == "sleep" and not reconciled:
        raise invalid_argument("dataSourceFamily cannot be set for sleep; use "
                               "dataPoints:reconcile instead.")
    return family


def _reconciled(body: dict) -> dict:
    """Turn a DataPoint into a ReconciledDataPoint: no data source, name as dataPointName."""
    point = {key: value for key, value in body.items() if key not in ("name", "dataSource")}
    if "name" in body:
        point["dataPointName"] = body["name"]
    return point


def _newest_first(kind: DataType, days: list[tuple[date, dict]],
                  expression: Comparison | Junction | None,
                  before: datetime | None) -> Iterator[Point]:
    """Yield matching points newest first, day by day (a day's points stay in its day)."""
    behaviours = health_state(current_app).behaviours
    for day, values in reversed(days):
        for point in sorted(day_points(kind, g.account, day, values, behaviours, g.today),
                            key=lambda point: point.start, reverse=True):
            if before is not None and point.start >= before:
                continue
            if expression is None or expression.holds(point.keys):
                yield point


def answer(kind: DataType, reconciled: bool) -> dict:
    """Return one page of a data type's points matching the request's filter.

    The page token holds the start of the last point served, and the next page starts
    before it: a point sharing that start (a mirror) is lost at the seam, as has been seen
    of Google. A page holds at most the behaviours' page cap.
    """
    if not kind.listable:
        raise invalid_argument(f"{kind.id} data points cannot be listed; use dailyRollUp.",
                               "INVALID_PARENT_DATA_TYPE_COLLECTION")
    text = request.args.get("filter")
    expression = parse_filter(text, kind)
    g.call.filter = text
    family = _family(kind, reconciled)
    size = page_size(request.args.get("pageSize"), kind.page_default, kind.page_max)
    cap = health_state(current_app).behaviours.page_cap
    size = min(size, cap) if cap else size
    bound = {"type": kind.id, "filter": text or "", "family": family, "size": size,
             "reconciled": reconciled}
    cursor = decode(request.args.get("pageToken"), str, bound, current_app.secret_key)
    before = datetime.fromisoformat(cursor) if cursor else None
    first, last = day_bounds(expression)
    last = min(last or g.today, before.date() + timedelta(days=1) if before else g.today)
    days = served_days(g.account, first or g.account.member_since, last, g.today)
    found = list(islice(_newest_first(kind, days, expression, before), size + 1))
    page = found[:size]
    bodies = [_reconciled(point.body) if reconciled else point.body for point in page]
    result: dict = {"dataPoints": bodies}
    if len(found) > size:
        result["nextPageToken"] = encode(page[-1].start.isoformat(), bound,
                                         current_app.secret_key)
    return result
