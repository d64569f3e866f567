"""The Health API under /v4/users/{user}: OAuth-protected, per-user quota, Status errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, request

from ..common.accounts import get_account, local_today

from . import datapoints, people, rollup
from .catalog import DATA_TYPES, IDENTITY_SCOPES, PROFILE, SETTINGS, DataType
from .days import served_days
from .errors import ApiError, invalid_argument
from .faults import bearer_token
from .paging import take_page
from .provider import UNLINKED, insecure_transport
from .state import ApiCall, health_state

bp = Blueprint("api", __name__, url_prefix="/v4/users/<user>")


def _refuse_credentials(oauth_request) -> ApiError:
    if not g.call.token:
        return ApiError(401, reason="CREDENTIALS_MISSING")
    if getattr(oauth_request, "expired", False):
        return ApiError(401, "Request had invalid authentication credentials. "
                        "INVALID_AUTHENTICATOR: Token expired.", "ACCESS_TOKEN_EXPIRED")
    return ApiError(401, reason="ACCESS_TOKEN_TYPE_UNSUPPORTED")


@bp.before_request
def authenticate():
    """Log the call, check the token, the user, the account's link and the quota."""
    if insecure_transport() is not None:
        raise ApiError(403, "HTTPS is required.", "SSL_REQUIRED")
    state = health_state(current_app)
    args = request.view_args or {}
    g.call = ApiCall(request.method, request.path, args.get("data_type"),
                     token=bearer_token(request.headers.get("Authorization"))
                     or request.args.get("access_token", ""), at=state.now())
    state.calls.append(g.call)
    # oauthlib needs only the token; filters hold characters its query parser refuses.
    uri = request.base_url
    if "access_token" in request.args:
        uri += "?" + urlencode({"access_token": request.args["access_token"]})
    valid, oauth_request = state.oauth.verify_request(
        uri, request.method, None, dict(request.headers), scopes=[])
    if not valid:
        raise _refuse_credentials(oauth_request)
    now = state.now()
    g.account, g.granted = get_account(oauth_request.account, now), oauth_request.granted
    g.today = local_today(g.account, now)
    if args.get("user") not in ("me", people.health_user_id(g.account.name)):
        raise ApiError(403, "The caller does not have permission to access this user.",
                       "USER_NOT_ACCESSIBLE")
    if not state.quota.hit(g.account.name, now):
        raise ApiError(429, reason="RATE_LIMIT_EXCEEDED", headers=state.rate_limited_headers())
    if g.account.name == UNLINKED:
        raise ApiError(400, "The user has not linked a Google Health profile to this account.",
                       "ACCOUNT_NOT_LINKED", status="FAILED_PRECONDITION")


def require_scope(*scopes: str) -> None:
    """Refuse the call unless the token carries one of these scopes."""
    if not g.granted & set(scopes):
        raise ApiError(403, reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT")


def data_type_of(type_id: str) -> DataType:
    """Return a served data type and check the token's scope for it."""
    data_type = DATA_TYPES.get(type_id)
    if data_type is None:
        raise invalid_argument(f"Unsupported data type: {type_id}.",
                               "INVALID_PARENT_DATA_TYPE_COLLECTION")
    require_scope(data_type.scope)
    return data_type


@bp.get("/identity")
def identity(user: str):
    """Return the user's Identity."""
    require_scope(*IDENTITY_SCOPES)
    return people.identity(g.account)


@bp.get("/settings")
def settings(user: str):
    """Return the user's Settings."""
    require_scope(SETTINGS)
    return people.settings(g.account, health_state(current_app).now())


@bp.get("/profile")
def profile(user: str):
    """Return the user's Profile."""
    require_scope(PROFILE)
    return people.profile(g.account, g.granted)


def _rollup_fields(kind: DataType, supported: bool, method: str, parse: Callable[[object, DataType], dict]) -> dict:
    """Return the checked fields of a rollup request's JSON body (parse checks them); log its range."""
    if not supported:
        raise invalid_argument(f"{method} does not support {kind.id}.", "INVALID_PARENT_DATA_TYPE_COLLECTION")
    body = request.get_json(silent=True)
    if body is None:
        raise invalid_argument("Invalid JSON payload received.")
    fields = parse(body, kind)
    g.call.range = (fields["start"], fields["end"])
    return fields


def _rollup_page(points: list[dict], fields: dict, bound: dict) -> dict:
    """Answer one page of rollup points; the page token is bound to the request's other fields."""
    page, next_token = take_page(points, fields["size"], fields["token"], bound, current_app.secret_key)
    answer: dict = {"rollupDataPoints": page}
    if next_token:
        answer["nextPageToken"] = next_token
    return answer


@bp.post("/dataTypes/<data_type>/dataPoints:dailyRollUp")
def daily_roll_up(user: str, data_type: str):
    """Roll up the days of a civil date range, one point per window."""
    kind = data_type_of(data_type)
    fields = _rollup_fields(kind, kind.rollup, "dailyRollUp", rollup.parse_request)
    days = served_days(g.account, fields["start"], fields["end"], g.today)
    points = rollup.windows(kind, fields["start"], fields["end"], fields["window"], days, g.account.name)
    bound = {key: fields[key] for key in ("start", "end", "window", "family", "size")}
    return _rollup_page(points, fields, bound | {"type": kind.id})


@bp.post("/dataTypes/<data_type>/dataPoints:rollUp")
def roll_up(user: str, data_type: str):
    """Roll up a physical time range in windows of any size (such as "60s"), one point per window."""
    kind = data_type_of(data_type)
    fields = _rollup_fields(kind, kind.physical_rollup, "rollUp", rollup.parse_physical)
    zone = ZoneInfo(g.account.timezone)
    days = served_days(g.account, fields["start"].astimezone(zone).date(),
                       (fields["end"] - timedelta(microseconds=1)).astimezone(zone).date(), g.today)
    points = rollup.physical_windows(kind, g.account.name, fields["start"], fields["end"], fields["window"], days)
    bound = {key: str(fields[key]) for key in ("start", "end", "window", "family", "size")}
    return _rollup_page(points, fields, bound | {"type": kind.id, "physical": True})


@bp.get("/dataTypes/<data_type>/dataPoints")
def list_points(user: str, data_type: str):
    """List a data type's points, newest first."""
    return datapoints.answer(data_type_of(data_type), reconciled=False)


@bp.get("/dataTypes/<data_type>/dataPoints:reconcile")
def reconcile(user: str, data_type: str):
    """List a data type's points merged over all sources, newest first."""
    return datapoints.answer(data_type_of(data_type), reconciled=True)
