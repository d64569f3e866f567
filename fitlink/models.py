"""Database models: accounts, connections, every source's data, the values shown, sync state."""

import secrets
from datetime import date, datetime

from flask_dance.consumer.storage.sqla import OAuthConsumerMixin
from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import clock
from .crypto import EncryptedJSON
from .extensions import db


def new_session_secret() -> str:
    """Return a fresh random secret that binds sessions to one account."""
    return secrets.token_urlsafe(24)


def now_utc() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return clock.now()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # Ids are never reused (AUTOINCREMENT on SQLite; sequences elsewhere), so nothing that
    # names an old id (a session, a queued job, a folder) can reach a later account.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    # Every session carries it (get_id); replaced when the password changes or is reset, so
    # sessions started before are logged out. Random per account, so an id alone proves nothing.
    session_secret: Mapped[str] = mapped_column(String(64), default=new_session_secret)
    # The last "Sync now" press that queued work: presses soon after it queue nothing (sync/pending.py).
    sync_pressed_at: Mapped[datetime | None]

    connections: Mapped[list["Connection"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session: the id and the account's session secret."""
        return f"{self.id}:{self.session_secret}"


class Connection(OAuthConsumerMixin, db.Model):
    """One connection of a person to one source: the token (Flask-Dance storage) and its profile.

    `provider` holds the source's name ("fitbit", "google_health",
    "fitbit_archive"; the column keeps Flask-Dance's name, which its storage
    queries by); a person has at most one connection per source.
    """

    __tablename__ = "oauth"
    __table_args__ = (
        UniqueConstraint("provider", "provider_user_id"),
        UniqueConstraint("provider", "user_id"),
        {"sqlite_autoincrement": True},  # queued jobs name connections by id
    )

    # The mixin's JSON column, encrypted at rest (fitlink/crypto.py).
    token: Mapped[dict] = mapped_column(MutableDict.as_mutable(EncryptedJSON))
    provider_user_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user: Mapped[User] = relationship(back_populates="connections")
    display_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    member_since: Mapped[date | None]
    distance_unit: Mapped[str] = mapped_column(String(16), default="METRIC")
    weight_unit: Mapped[str] = mapped_column(String(16), default="METRIC")
    goals: Mapped[dict | None] = mapped_column(JSON)  # daily goals, e.g. {"steps": 10000}
    broken_at: Mapped[datetime | None]
    # Held while a sync of this connection runs; it expires, so a killed worker cannot block syncs.
    sync_lease_until: Mapped[datetime | None]
    # Who holds the lease: only its owner renews or releases it.
    sync_lease_owner: Mapped[str | None] = mapped_column(String(32))


class SourceMetric(db.Model):
    """One source's value of one metric on one of the person's local dates."""

    __tablename__ = "source_metrics"
    __table_args__ = (UniqueConstraint("user_id", "source", "metric", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    value: Mapped[float]
    details: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class DailyMetric(db.Model):
    """The value shown for one metric on one local date: the best-ranked source's (see sync/store.py)."""

    __tablename__ = "daily_metrics"
    __table_args__ = (
        UniqueConstraint("user_id", "metric", "day"),
        # Dashboard ranges read (user, dates) -> metric, value from this index alone.
        Index("ix_daily_metrics_user_day", "user_id", "day", "metric", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    value: Mapped[float]
    details: Mapped[dict | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class MinuteSeriesRow(db.Model):
    """One source's minute series of one metric through one of the person's local days, packed
    (fitlink/minutes.py). Which source's series is shown is decided when read (sources.rank).

    The key is the primary key itself, with no surrogate id and, on SQLite, no rowid: the table
    is the one B-tree the day page reads (user, day) -> every metric and source from, and a
    person-day of three series stays under 2 KB with it (benchmarks/day_bench.py).
    """

    __tablename__ = "minute_series"
    __table_args__ = {"sqlite_with_rowid": False}

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class SleepRow(db.Model):
    """One sleep session a source recorded, on the local date it ended; stages as intervals.

    `stages` and `short_wakes` are lists of [seconds from `start`, seconds long, level].
    """

    __tablename__ = "sleep_sessions"
    __table_args__ = (Index("ix_sleep_sessions_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    start: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # local wall-clock time, no zone
    end: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    main: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(16))  # "stages" | "classic"
    minutes_asleep: Mapped[int]
    stages: Mapped[list] = mapped_column(JSON)
    short_wakes: Mapped[list | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class WorkoutRow(db.Model):
    """One exercise a source recorded, on the local date it started."""

    __tablename__ = "workouts"
    __table_args__ = (Index("ix_workouts_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    start: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # local wall-clock time, no zone
    seconds: Mapped[int]
    type: Mapped[str] = mapped_column(String(64))
    calories: Mapped[float | None]
    distance_km: Mapped[float | None]
    average_heart_rate: Mapped[float | None]
    steps: Mapped[int | None]
    heart_rate_zones: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class SyncState(db.Model):
    """How far one metric of one connection has been synced, and what went wrong last."""

    __tablename__ = "sync_states"
    __table_args__ = (UniqueConstraint("connection_id", "resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("oauth.id", ondelete="CASCADE"))
    resource: Mapped[str] = mapped_column(String(32))
    oldest_synced: Mapped[date | None]
    newest_synced: Mapped[date | None]
    backfill_done: Mapped[bool] = mapped_column(default=False)
    last_success: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt: Mapped[datetime | None]


class SyncRequest(db.Model):
    """The one sync of a connection that is queued and not yet started: what the requests since asked for.

    Requests merge into it (sync/pending.py); its job removes it as it starts.
    `metrics` is a bit set over fitlink.sources.SYNCED (bit i: SYNCED[i]).
    """

    __tablename__ = "sync_requests"

    connection_id: Mapped[int] = mapped_column(ForeignKey("oauth.id", ondelete="CASCADE"), primary_key=True)
    metrics: Mapped[int] = mapped_column(default=0)  # refresh these now, whether or not they are due
    everything: Mapped[bool] = mapped_column(default=False)  # and every other metric that is due
    manual: Mapped[bool] = mapped_column(default=False)
    full: Mapped[bool] = mapped_column(default=False)
    # The job that will start it, and when that job is due.
    token: Mapped[str] = mapped_column(String(32))
    run_at: Mapped[datetime]
