"""The oauthlib OAuth 2.0 server, set up with Google's rules."""

from __future__ import annotations

import secrets

from oauthlib.oauth2 import WebApplicationServer
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError
from sqlalchemy import select

from .models import Grant, RefreshToken, health_db
from .state import HealthState
from .validator import HealthValidator


def access_token(request) -> str:
    """Return a new access token, shaped like Google's ("ya29." + opaque text)."""
    return "ya29." + secrets.token_urlsafe(48)


def refresh_token(request) -> str:
    """Return a new refresh token, shaped like Google's ("1//" + opaque text)."""
    return "1//" + secrets.token_urlsafe(48)


def require_s256(request) -> dict:
    """Refuse PKCE's "plain" method: fitlink must send S256 (Google also takes plain)."""
    if request.code_challenge is not None and request.code_challenge_method != "S256":
        raise InvalidRequestError(request=request,
                                  description="code_challenge_method must be S256.")
    return {}


def has_live_refresh(client_id: str, account: str, since: float) -> bool:
    """Say whether this account gave this client a refresh token that still works."""
    return health_db.session.scalar(
        select(RefreshToken.token).join(Grant, Grant.id == RefreshToken.grant_id)
        .where(Grant.client_id == client_id, Grant.account == account,
               Grant.consented_at > since, Grant.revoked.is_(False),
               Grant.refresh_expired.is_(False)).limit(1)) is not None


def offline_only(state: HealthState):
    """Return a token modifier that keeps the refresh token only as Google gives one.

    It needs access_type=offline, and comes with the first exchange after consent;
    later consents give a new one only with prompt=consent.
    """
    def modify(token: dict, token_handler, request) -> dict:
        row = request.code_row
        since = state.now().timestamp() - state.refresh_days * 86400
        if not (row.offline and (row.force_consent or not has_live_refresh(
                request.client_id, request.user, since))):
            token.pop("refresh_token", None)
        return token

    return modify


def build_server(state: HealthState) -> WebApplicationServer:
    """Return the OAuth 2.0 server of a demo app."""
    server = WebApplicationServer(
        HealthValidator(state), token_expires_in=state.access_seconds,
        token_generator=access_token, refresh_token_generator=refresh_token)
    server.auth_grant.custom_validators.pre_auth.append(require_s256)
    server.auth_grant.register_token_modifier(offline_only(state))
    return server
