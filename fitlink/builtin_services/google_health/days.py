"""The days an account has data for, with steps recorded through the service on top."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from ..common import recorded
from ..common.accounts import Account, daily_values, with_recorded

from .models import RecordedSteps, health_db
from .state import health_state

ZERO_STEPS = {"steps": 0, "distance": 0.0, "floors": 0, "minutesLightlyActive": 0,
              "minutesFairlyActive": 0, "minutesVeryActive": 0}


def recorded_steps(name: str, first: date, last: date) -> dict[date, int]:
    """Return the steps recorded through the service per day in [first, last]."""
    return recorded.recorded_steps(health_db, RecordedSteps, name, first, last)


def served_days(account: Account, first: date, last: date,
                today: date) -> list[tuple[date, dict]]:
    """Return (day, values) for the days with data in [first, last], oldest first.

    The values are the shared accounts' (the built-in Fitbit service serves the same), so
    both services agree; on the behaviours' zero-step days no step was taken (no distance, no floors either).
    """
    first, last = max(first, account.member_since), min(last, today)
    if first > last:
        return []
    extra = recorded_steps(account.name, first, last)
    zero_days = health_state(current_app).behaviours.zero_step_days
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(day, _still(daily_values(account.name, day)) | ZERO_STEPS if day in zero_days
             else with_recorded(daily_values(account.name, day), extra.get(day, 0)))
            for day in days]


def _still(values: dict) -> dict:
    """A day without steps: the active minutes were sedentary."""
    moved = values["minutesLightlyActive"] + values["minutesFairlyActive"] + values["minutesVeryActive"]
    return values | {"minutesSedentary": values["minutesSedentary"] + moved}
