"""Recorded activity on top of the generated data, and token revocation."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import delete, select

from ..common import recorded
from ..common.accounts import Account, daily_values, get_account, local_today, with_recorded

from .models import AccessToken, RecordedActivity, demo_db
from .notify import notification_body, post_notification
from .state import demo_state


def recorded_steps(account_name: str, start: date, end: date) -> dict[date, int]:
    """Return the steps recorded through the service per day in [start, end]."""
    return recorded.recorded_steps(demo_db, RecordedActivity, account_name, start, end)


def served_values(account: Account, start: date, end: date,
                  today: date) -> list[tuple[date, dict]]:
    """Return (day, values) for the days the service has data for in [start, end]."""
    first, last = max(start, account.member_since), min(end, today)
    if first > last:
        return []
    extra = recorded_steps(account.name, first, last)
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return [(day, with_recorded(daily_values(account.name, day), extra.get(day, 0)))
            for day in days]


def store_activity(app: Flask, account_name: str, steps: int,
                   day: date | None = None) -> tuple[Account, date, list[str]]:
    """Add steps to an account's day (default: its today); return who must be told."""
    state = demo_state(app)
    with state.db_lock, app.app_context():
        account, day = recorded.add_steps(demo_db, RecordedActivity, account_name, steps, day, state.now)
        clients = demo_db.session.scalars(
            select(AccessToken.client_key).where(AccessToken.account == account.name)
            .distinct()).all()
    return account, day, sorted(clients)


def notify_clients(app: Flask, account: Account, day: date,
                   clients: list[str], collection: str = "activities") -> list[int | None]:
    """POST one signed notification of collection per client; return the statuses."""
    state = demo_state(app)
    if not state.subscriber_url:
        return []
    body = notification_body(collection, day, account.encoded_id, state.subscriber_id)
    return [post_notification(state.subscriber_url, body, state.clients[key])
            for key in clients if key in state.clients]


def record_activity(app: Flask, account_name: str, steps: int,
                    day: date | None = None) -> list[int | None]:
    """Add steps to an account's day and notify subscribers; return their statuses."""
    return notify_clients(app, *store_activity(app, account_name, steps, day))


def revoke_tokens(app: Flask, account_name: str) -> int:
    """Delete every access token of an account, as the person revoking access does; return how many.

    Like Fitbit, tell each client that held one with a "userRevokedAccess" notification
    dated the account's local today.
    """
    state = demo_state(app)
    with state.db_lock, app.app_context():
        account = get_account(account_name, state.now())
        clients = demo_db.session.scalars(
            select(AccessToken.client_key).where(AccessToken.account == account.name).distinct()).all()
        result = demo_db.session.execute(delete(AccessToken).where(AccessToken.account == account.name))
        demo_db.session.commit()
    notify_clients(app, account, local_today(account, state.now()), sorted(clients), "userRevokedAccess")
    return result.rowcount
