"""Database models of the demo service (its own metadata, never fitlink's)."""

from __future__ import annotations

from datetime import datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fitlink import clock

from ..common.recorded import RecordedStepsColumns


class DemoBase(DeclarativeBase):
    """Declarative base holding only the demo service's tables."""


demo_db = SQLAlchemy(model_class=DemoBase)


def now_utc() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return clock.now()


class RequestToken(demo_db.Model):
    """Temporary credentials, authorized once and then exchanged or dropped."""

    __tablename__ = "demo_request_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(128))
    callback: Mapped[str] = mapped_column(String(2000))
    account: Mapped[str | None] = mapped_column(String(30))
    verifier: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(default=now_utc)


class AccessToken(demo_db.Model):
    """Token credentials a consumer uses to read one account's data."""

    __tablename__ = "demo_access_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(128))
    account: Mapped[str] = mapped_column(String(30), index=True)
    created: Mapped[datetime] = mapped_column(default=now_utc)


class UsedNonce(demo_db.Model):
    """A (client, timestamp, nonce, token) combination already seen."""

    __tablename__ = "demo_used_nonce"
    __table_args__ = (UniqueConstraint("client_key", "timestamp", "nonce", "token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(128))
    timestamp: Mapped[int] = mapped_column(index=True)
    nonce: Mapped[str] = mapped_column(String(128))
    token: Mapped[str] = mapped_column(String(64), default="")


class RecordedActivity(RecordedStepsColumns, demo_db.Model):
    """Steps recorded through the service on top of the generated day."""

    __tablename__ = "demo_recorded_activity"

    created: Mapped[datetime] = mapped_column(default=now_utc, sort_order=1)  # after the shared columns
