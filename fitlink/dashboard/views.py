"""Home page, dashboard and exports: parse the request, call one function, render."""

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from werkzeug.routing import BuildError
from flask_login import current_user, login_required

from ..dates import local_today
from . import exports
from .page import build_dashboard, load_status
from .periods import export_period

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    """Show what fitlink is, with Sign up and Log in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render_template("home.html")


@bp.app_template_global()
def day_prefix() -> str:
    """Return the day page's address without its date, for links built once per page and not per row."""
    try:
        return url_for("day.show", day="2000-01-01").removesuffix("2000-01-01")
    except (BuildError, ValueError):
        # The day page (fitlink/day/) may not be registered in this build: its documented address.
        return "/day/"


@bp.get("/favicon.ico")
def favicon():
    """Answer browsers that ask for /favicon.ico on pages without an icon link."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/dashboard")
@login_required
def index():
    """Show today's numbers and the trends for ?range= (7, 30, 90, 365 days or all) or ?from=&to= dates."""
    status = load_status(current_user.id)
    if status.profile is None:
        return render_template("dashboard/connect.html", status=status)
    return render_template("dashboard/index.html", dash=build_dashboard(status, request.args))


@bp.get("/dashboard/live")
@login_required
def live():
    """The part of the dashboard that changes while data arrives, for the page to swap in.

    Answers 204 (nothing rendered) while the status the page shows, ?seen=, is still current.
    """
    status = load_status(current_user.id)
    if status.profile is None:
        return "", 204
    if request.args.get("seen") == status.stamp:
        return "", 204
    dash = build_dashboard(status, request.args)
    return render_template("dashboard/_live.html", dash=dash)


@bp.get("/dashboard/export.<any(csv, json):kind>")
@login_required
def export(kind: str):
    """Download the person's shown values for ?range= or ?start=&end=, with their sources, as CSV or JSON.

    The JSON file holds the day detail too; as CSV, ?table=minutes, sleep or exercises gives it.
    """
    status = load_status(current_user.id)
    today = local_today(status.profile.timezone if status.profile else None)
    period = export_period(request.args, today)
    table = request.args.get("table", "daily")
    if table not in exports.TABLES:
        return Response(f"table must be one of {', '.join(exports.TABLES)}\n", 400, mimetype="text/plain")
    if kind == "csv":
        body, mimetype = exports.csv_lines(current_user.id, period, table), "text/csv"
    else:
        body, mimetype = exports.json_chunks(current_user.id, period, today), "application/json"
        table = "daily"
    disposition = f'attachment; filename="{exports.filename(period, kind, table)}"'
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})
