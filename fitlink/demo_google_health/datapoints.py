"""dataPoints.list and :reconcile: filter, order newest first, page."""

from __future__ import annotations

from flask import current_app, g, request

from .catalog import DataType
from .days import served_days
from .errors import invalid_argument
from .filters import day_bounds, parse_filter
from .paging import page_size, take_page
from .points import day_points
from .rollup import FAMILIES


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


def answer(kind: DataType, reconciled: bool) -> dict:
    """Return one page of a data type's points matching the request's filter."""
    if not kind.listable:
        raise invalid_argument(f"{kind.id} data points cannot be listed; use dailyRollUp.",
                               "INVALID_PARENT_DATA_TYPE_COLLECTION")
    text = request.args.get("filter")
    expression = parse_filter(text, kind)
    g.call.filter = text
    family = _family(kind, reconciled)
    size = page_size(request.args.get("pageSize"), kind.page_default, kind.page_max)
    first, last = day_bounds(expression)
    days = served_days(g.account, first or g.account.member_since, last or g.today, g.today)
    points = [point for day, values in days
              for point in day_points(kind, g.account, day, values)
              if expression is None or expression.holds(point.keys)]
    points.sort(key=lambda point: point.start, reverse=True)
    bound = {"type": kind.id, "filter": text or "", "family": family, "size": size,
             "reconciled": reconciled}
    page, next_token = take_page(points, size, request.args.get("pageToken"), bound,
                                 current_app.secret_key)
    bodies = [_reconciled(point.body) if reconciled else point.body for point in page]
    result: dict = {"dataPoints": bodies}
    if next_token:
        result["nextPageToken"] = next_token
    return result
