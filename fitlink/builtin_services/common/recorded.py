"""Steps recorded through a built-in service on top of its generated days: the table's columns,
adding steps to a day and summing them per day. Each service keeps its own table in its own
database; these take its SQLAlchemy object and its model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .accounts import Account, get_account, local_today


class RecordedStepsColumns:
    """The columns of a service's recorded-steps table, mixed into its model."""

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(30), index=True)
    day: Mapped[date]
    steps: Mapped[int]


def add_steps(db: SQLAlchemy, model: type, account_name: str, steps: int, day: date | None,
              now: Callable[[], datetime]) -> tuple[Account, date]:
    """Store steps on an account's day (default: its today by the clock `now`); return the account and day."""
    account = get_account(account_name, now())
    day = day or local_today(account, now())
    db.session.add(model(account=account.name, day=day, steps=steps))
    db.session.commit()
    return account, day


def recorded_steps(db: SQLAlchemy, model: type, account_name: str, first: date, last: date) -> dict[date, int]:
    """Return the steps recorded per day in [first, last]."""
    rows = db.session.execute(
        select(model.day, func.sum(model.steps))
        .where(model.account == account_name, model.day.between(first, last))
        .group_by(model.day))
    return {day: int(total) for day, total in rows}
