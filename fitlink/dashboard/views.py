"""Home page and dashboard, read from fitlink's database only."""

from datetime import timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from .fitbit.link import link_for
from .readings import days, readings
from .sync import progress_for
from .sync.engine import history_floor, local_today

bp = Blueprint("dashboard", __name__)

CHART_DAYS = 30


@bp.get("/")
def home():
    """Show what fitlink is, with Sign up and Log in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render_template("home.html")


@bp.get("/dashboard")
@login_required
def index():
    """Show the user's numbers for today and the last 30 days of steps."""
    link = link_for(current_user.id)
    if link is None:
        return render_template("dashboard/connect.html")
    today = local_today(link.timezone)
    start = today - timedelta(days=CHART_DAYS - 1)
    data = readings(current_user.id, start, today)
    today_values = {metric: values.get(today) for metric, values in data.items()}
    steps = [(day, data["steps"].get(day)) for day in days(start, today)]
    return render_template(
        "dashboard/index.html",
        link=link,
        today=today,
        now=today_values,
        steps=steps,
        progress=progress_for(link, today, history_floor(link, today)),
    )
