"""The day page and its data: parse the date, read the day, render it."""

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..dates import local_today
from .data import day_json
from .page import build_page
from .reading import load_day, load_profile

bp = Blueprint("day", __name__)

# No tracker data is older than this; anything earlier is a typing slip, not a day to draw.
FIRST_DAY = date(2000, 1, 1)


def parse_day(text: str | None, today: date) -> tuple[date | None, str]:
    """Return the date text names (YYYY-MM-DD, from FIRST_DAY to today), or None and why not."""
    try:
        day = date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return None, "That is not a date: days are written like 2026-11-20."
    if day < FIRST_DAY:
        return None, f"fitlink keeps no days before {FIRST_DAY.isoformat()}."
    if day > today:
        return None, f"{day.isoformat()} has not happened yet where you are (today is {today.isoformat()})."
    return day, ""


@bp.get("/day")
@login_required
def pick():
    """Go to the day the date picker names (?date=YYYY-MM-DD), or today."""
    today = local_today(load_profile(current_user.id).timezone)
    day, why = parse_day(request.args.get("date") or today.isoformat(), today)
    if day is None:
        abort(404, description=why)
    return redirect(url_for("day.page", day=day.isoformat()))


@bp.get("/day/<day>")
@login_required
def page(day: str):
    """Show one local day: timeline, numbers, sleep, heart-rate zones and workouts."""
    profile = load_profile(current_user.id)
    today = local_today(profile.timezone)
    shown, why = parse_day(day, today)
    if shown is None:
        abort(404, description=why)
    data = load_day(current_user.id, shown, profile)
    return render_template("day/index.html", page=build_page(data, today))


@bp.get("/day/<day>.json")
def data(day: str):
    """Answer one local day as data (shape in fitlink/day/data.py); 401 when logged out."""
    if not current_user.is_authenticated:
        return jsonify(error="Log in to see your days."), 401
    profile = load_profile(current_user.id)
    shown, why = parse_day(day, local_today(profile.timezone))
    if shown is None:
        return jsonify(error=why), 404
    # In the documented order (date, timezone, daily, ...), not sorted as jsonify would.
    body = current_app.json.dumps(day_json(load_day(current_user.id, shown, profile)), sort_keys=False)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response
