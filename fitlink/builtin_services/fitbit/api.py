"""Data endpoints: OAuth-protected, rate limited, shaped like the Fitbit Web API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..common.accounts import get_account, local_today

from . import day_shapes, shapes
from .activity import served_values
from .ranges import ValidationFailure, parse_range
from .state import ApiCall, demo_state

bp = Blueprint("api", __name__)
RESOURCES = ("steps", "distance", "calories", "floors", "elevation", "minutesSedentary",
             "minutesLightlyActive", "minutesFairlyActive", "minutesVeryActive",
             "activityCalories")
COLLECTIONS = "any(activities, body, foods, sleep)"


def fitbit_error(status: int, error_type: str, message: str, field: str = "n/a") -> Response:
    """Return a Fitbit-style error document."""
    response = jsonify({"errors": [{"errorType": error_type, "fieldName": field,
                                    "message": message}], "success": False})
    response.status_code = status
    return response


def request_units() -> str:
    language = request.headers.get("Accept-Language", "").replace("-", "_")
    return "en_US" if language.startswith("en_US") else "METRIC"


@bp.before_request
def authenticate():
    """Check the OAuth signature and token, log the call and count it."""
    state = demo_state(current_app)
    try:
        valid, signed = state.oauth.validate_protected_resource_request(
            request.url, request.method, request.get_data(as_text=True), dict(request.headers))
    except ValueError:  # an Authorization header that is not OAuth at all
        valid, signed = False, None
    token = signed.oauth_params.get("oauth_token", "") if signed else ""
    state.calls.append(ApiCall(request.path, token))
    if not valid:
        return fitbit_error(401, "invalid_token", "Access token invalid or revoked: "
                            "connect again to get a new one.")
    now = state.now()
    g.account = get_account(signed.demo_account, now)
    g.today = local_today(g.account, now)
    g.rate = state.limiter.hit(token, now)
    if not g.rate.allowed:
        response = fitbit_error(429, "system", "Too Many Requests")
        response.headers["Retry-After"] = str(g.rate.reset)
        return response
    return None


@bp.after_request
def add_rate_headers(response: Response) -> Response:
    """Tell the client how much of its hourly budget is left."""
    rate = g.get("rate")
    if rate is not None:
        response.headers["Fitbit-Rate-Limit-Limit"] = str(rate.limit)
        response.headers["Fitbit-Rate-Limit-Remaining"] = str(rate.remaining)
        response.headers["Fitbit-Rate-Limit-Reset"] = str(rate.reset)
    return response


@bp.errorhandler(ValidationFailure)
def validation_failed(error: ValidationFailure) -> Response:
    """Answer a malformed or too long request with a 400 validation error."""
    return fitbit_error(400, "validation", error.message, error.field)


def served_days(first: str, second: str, max_days: int) -> list[tuple[date, dict]]:
    start, end = parse_range(first, second, g.today, max_days)
    units = request_units()
    return [(day, shapes.convert(values, units))
            for day, values in served_values(g.account, start, end, g.today)]


@bp.get("/1/user/-/profile.json")
def profile():
    """Return the account's profile."""
    avatar = url_for("pages.avatar", encoded_id=g.account.encoded_id, _external=True)
    return shapes.profile(g.account, demo_state(current_app).now(), avatar)


@bp.get("/1/user/-/activities/date/<day>.json")
def daily_summary(day: str):
    """Return one day's activity summary (zeros outside the account's history)."""
    days = served_days(day, "1d", 1)
    return shapes.summary(days[0][1] if days else shapes.ZERO_DAY)


@bp.get(f"/1/user/-/activities/<any({', '.join(RESOURCES)}):resource>/date/<first>/<second>.json")
def activity_series(resource: str, first: str, second: str):
    """Return one activity resource per day."""
    return shapes.series(resource, served_days(first, second, 30 if resource == "activityCalories"
                                         else 1095))


@bp.get("/1/user/-/activities/heart/date/<first>/<second>.json")
def heart_series(first: str, second: str):
    """Return heart rate zones and resting heart rate per day."""
    return shapes.heart(served_days(first, second, 365))


def add_range_and_day(path: str, name: str, answer: Callable[[list[tuple[date, dict]]], object],
                      max_days: int) -> None:
    """Serve answer(served days) for a range, `{path}/date/<first>/<second>.json` (at most max_days),
    and for one day, `{path}/date/<day>.json`: endpoints `{name}_range` and `{name}_day`."""

    def over_range(first: str, second: str):
        return answer(served_days(first, second, max_days))

    def on_day(day: str):
        return answer(served_days(day, "1d", 1))

    bp.add_url_rule(f"{path}/date/<first>/<second>.json", f"{name}_range", over_range)
    bp.add_url_rule(f"{path}/date/<day>.json", f"{name}_day", on_day)


# The sleep logs and the weighings, of a range or of one date.
add_range_and_day("/1.2/user/-/sleep", "sleep", lambda days: day_shapes.sleep_logs(days, g.account), 100)
add_range_and_day("/1/user/-/body/log/weight", "weight_log", lambda days: shapes.weight_logs(days, g.account), 31)


@bp.get("/1/user/-/body/weight/date/<first>/<second>.json")
def weight_series(first: str, second: str):
    """Return the body-weight series (only days with a weighing)."""
    return shapes.weight_series(served_days(first, second, 1095))


@bp.post("/1/user/-/apiSubscriptions/<subscription_id>.json")
@bp.post(f"/1/user/-/<{COLLECTIONS}:collection>/apiSubscriptions/<subscription_id>.json")
def subscribe(subscription_id: str, collection: str = "user"):
    """Acknowledge a subscription to the account's changes."""
    state = demo_state(current_app)
    return {"collectionType": collection, "ownerId": g.account.encoded_id, "ownerType": "user",
            "subscriberId": state.subscriber_id, "subscriptionId": subscription_id}, 201


@bp.delete("/1/user/-/apiSubscriptions/<subscription_id>.json")
@bp.delete(f"/1/user/-/<{COLLECTIONS}:collection>/apiSubscriptions/<subscription_id>.json")
def unsubscribe(subscription_id: str, collection: str = "user"):
    """Acknowledge the end of a subscription."""
    return "", 204


def register_errors(app: Flask) -> None:
    """Answer unknown paths and other HTTP errors with Fitbit-style JSON."""

    def http_error(error: HTTPException) -> Response:
        kind = "not_found" if error.code == 404 else "request"
        return fitbit_error(error.code or 500, kind, error.description or error.name)

    app.register_error_handler(HTTPException, http_error)
