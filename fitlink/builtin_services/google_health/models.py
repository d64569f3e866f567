"""Database models of the demo Google Health service (its own metadata, never fitlink's).

Times are stored as POSIX seconds from the service clock, so a frozen or moved test clock
decides every expiry.
"""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..common.recorded import RecordedStepsColumns


class DemoHealthBase(DeclarativeBase):
    """Declarative base holding only the demo Google Health service's tables."""


health_db = SQLAlchemy(model_class=DemoHealthBase)


class AuthorizationCode(health_db.Model):
    """A code issued on consent: single use, short-lived, bound to client, URI and PKCE."""

    __tablename__ = "demo_gh_code"

    code: Mapped[str] = mapped_column(String(128), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128))
    account: Mapped[str] = mapped_column(String(30))
    scopes: Mapped[str] = mapped_column(Text)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    challenge: Mapped[str] = mapped_column(String(128))
    challenge_method: Mapped[str] = mapped_column(String(10))
    offline: Mapped[bool]
    force_consent: Mapped[bool]
    expires_at: Mapped[float]
    # Set once exchanged: a second exchange then revokes the grant it produced.
    grant_id: Mapped[int | None]
    used: Mapped[bool] = mapped_column(default=False)


class Grant(health_db.Model):
    """One consent of an account to a client: the scopes and when it was given."""

    __tablename__ = "demo_gh_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), index=True)
    account: Mapped[str] = mapped_column(String(30), index=True)
    scopes: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[float]
    refresh_expired: Mapped[bool] = mapped_column(default=False)
    revoked: Mapped[bool] = mapped_column(default=False)

    def scope_list(self) -> list[str]:
        """Return the granted scopes."""
        return self.scopes.split()


class AccessToken(health_db.Model):
    """A short-lived bearer token of a grant."""

    __tablename__ = "demo_gh_access_token"

    token: Mapped[str] = mapped_column(String(200), primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("demo_gh_grant.id"), index=True)
    expires_at: Mapped[float]


class RefreshToken(health_db.Model):
    """The one live refresh token of a grant (each use replaces it)."""

    __tablename__ = "demo_gh_refresh_token"

    token: Mapped[str] = mapped_column(String(200), primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("demo_gh_grant.id"), index=True)


class RecordedSteps(RecordedStepsColumns, health_db.Model):
    """Steps recorded through the service on top of the generated day."""

    __tablename__ = "demo_gh_recorded_steps"
