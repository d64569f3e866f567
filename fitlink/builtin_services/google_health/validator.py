"""The oauthlib request validator: Google's authorization-code rules on the demo database."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from sqlalchemy import select

from .catalog import KNOWN_SCOPES
from .models import AccessToken, AuthorizationCode, Grant, RefreshToken, health_db
from .state import HealthState

CODE_SECONDS = 600  # Google's codes are short-lived; ten minutes, as RFC 6749 suggests


class InvalidTokenError(OAuth2Error):
    """Revocation of an unknown token: Google answers 400, not RFC 7009's 200."""

    error = "invalid_token"
    status_code = 400
    description = "Token expired or revoked"


def is_loopback(host: str | None) -> bool:
    """Say whether a host name is this machine (localhost, 127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def revoke_grant(grant: Grant) -> None:
    """End a grant: its access and refresh tokens stop working at once."""
    grant.revoked = True
    for model in (AccessToken, RefreshToken):
        for row in health_db.session.scalars(select(model).where(model.grant_id == grant.id)):
            health_db.session.delete(row)


class HealthValidator(RequestValidator):
    """Validate OAuth 2.0 requests the way Google's authorization server does."""

    def __init__(self, state: HealthState) -> None:
        super().__init__()
        self.state = state

    def _now(self) -> float:
        return self.state.now().timestamp()

    # -- clients and redirect URIs --
    def validate_client_id(self, client_id, request, *args, **kwargs):
        return client_id in self.state.clients

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        """Exactly a registered URI; with none registered, any http(s) URI on loopback."""
        if self.state.redirect_uris:
            return redirect_uri in self.state.redirect_uris
        parts = urlsplit(redirect_uri)
        return (parts.scheme in ("http", "https") and not parts.fragment
                and is_loopback(parts.hostname))

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        return None  # Google requires redirect_uri on both legs

    def validate_response_type(self, client_id, response_type, client, request, *args,
                               **kwargs):
        return response_type == "code"

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in ("authorization_code", "refresh_token")

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return []

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return bool(scopes) and all(scope in KNOWN_SCOPES for scope in scopes)

    def is_pkce_required(self, client_id, request):
        return True

    # -- client authentication --
    def client_authentication_required(self, request, *args, **kwargs):
        # The token endpoint always authenticates the web client; revocation takes the token
        # alone, as Google's does.
        return request.grant_type is not None

    def authenticate_client(self, request, *args, **kwargs):
        """Check client_secret_basic or client_secret_post credentials."""
        client_id, secret = request.client_id, request.client_secret
        scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return False
            client_id, _, secret = (unquote(part) for part in decoded.partition(":"))
        expected = self.state.clients.get(client_id or "")
        if expected is None or not hmac.compare_digest(expected.encode(),
                                                       (secret or "").encode()):
            return False
        request.client = SimpleNamespace(client_id=client_id)
        request.client_id = client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return request.grant_type is None  # only revocation gets here

    # -- authorization codes --
    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        health_db.session.add(AuthorizationCode(
            code=code["code"], client_id=client_id, account=request.account,
            scopes=" ".join(request.scopes), redirect_uri=request.redirect_uri,
            challenge=request.code_challenge, challenge_method=request.code_challenge_method,
            offline=request.offline, force_consent=request.force_consent,
            expires_at=self._now() + CODE_SECONDS))
        health_db.session.commit()

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        row = health_db.session.get(AuthorizationCode, code)
        if row is None or row.client_id != client_id or row.expires_at <= self._now():
            return False
        if row.used:
            # A replayed code: end whatever the first exchange produced (RFC 6749 4.1.2).
            grant = health_db.session.get(Grant, row.grant_id) if row.grant_id else None
            if grant is not None:
                revoke_grant(grant)
                health_db.session.commit()
            return False
        request.user = row.account
        request.scopes = row.scopes.split()
        request.code_row = row
        return True

    def get_code_challenge(self, code, request):
        row = health_db.session.get(AuthorizationCode, code)
        return row.challenge if row else None

    def get_code_challenge_method(self, code, request):
        row = health_db.session.get(AuthorizationCode, code)
        return row.challenge_method if row else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args,
                             **kwargs):
        row = health_db.session.get(AuthorizationCode, code)
        return row is not None and row.redirect_uri == redirect_uri

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        row = health_db.session.get(AuthorizationCode, code)
        row.used = True
        row.grant_id = request.grant_id
        health_db.session.commit()

    # -- tokens --
    def _live_refresh(self, refresh_token: str, client_id: str | None) -> RefreshToken | None:
        row = health_db.session.get(RefreshToken, refresh_token)
        if row is None:
            return None
        grant = health_db.session.get(Grant, row.grant_id)
        expired = grant.consented_at + self.state.refresh_days * 86400 <= self._now()
        if grant.client_id != client_id or grant.revoked or grant.refresh_expired or expired:
            return None
        return row

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        row = self._live_refresh(refresh_token, client.client_id)
        if row is None:
            return False
        grant = health_db.session.get(Grant, row.grant_id)
        request.user, request.grant_id = grant.account, grant.id
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        row = health_db.session.get(RefreshToken, refresh_token)
        return health_db.session.get(Grant, row.grant_id).scope_list()

    def rotate_refresh_token(self, request):
        return True  # every refresh answers a new refresh token; the old one dies

    def save_bearer_token(self, token, request, *args, **kwargs):
        """Store the tokens: a new grant for a code, the same grant for a refresh."""
        if request.grant_type == "authorization_code":
            grant = Grant(client_id=request.client_id, account=request.user,
                          scopes=" ".join(request.scopes), consented_at=self._now())
            health_db.session.add(grant)
            health_db.session.flush()
            request.grant_id = grant.id
        else:
            health_db.session.delete(health_db.session.get(RefreshToken, request.refresh_token))
        health_db.session.add(AccessToken(token=token["access_token"], grant_id=request.grant_id,
                                          expires_at=self._now() + token["expires_in"]))
        if "refresh_token" in token:
            health_db.session.add(RefreshToken(token=token["refresh_token"],
                                               grant_id=request.grant_id))
        health_db.session.commit()

    def validate_bearer_token(self, token, scopes, request):
        row = health_db.session.get(AccessToken, token) if token else None
        if row is None or row.expires_at <= self._now():
            request.expired = row is not None
            return False
        grant = health_db.session.get(Grant, row.grant_id)
        request.account, request.granted = grant.account, set(grant.scope_list())
        return True

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        """Revoke the whole grant of an access or refresh token (as Google does)."""
        row = (health_db.session.get(AccessToken, token)
               or health_db.session.get(RefreshToken, token))
        if row is None:
            raise InvalidTokenError(request=request)
        revoke_grant(health_db.session.get(Grant, row.grant_id))
        health_db.session.commit()
