"""The oauthlib request validator: strict RFC 5849 checks against the demo database."""

from __future__ import annotations

import hmac
import string
import time

from oauthlib.oauth1 import RequestValidator
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from .models import AccessToken, RequestToken, UsedNonce, demo_db

DUMMY_SECRET = "dummy-secret-never-issued"
KEY_CHARACTERS = set(string.ascii_letters + string.digits + "-_.~")
SWEEP_SECONDS = 60


class DemoValidator(RequestValidator):
    """Validate OAuth 1.0a requests for the registered demo consumers."""

    def __init__(self, clients: dict[str, str]) -> None:
        super().__init__()
        self.clients = clients
        self.swept_at = 0  # when nonces too old to replay were last deleted

    allowed_signature_methods = ("HMAC-SHA1",)
    enforce_ssl = False  # the demo runs over plain http on loopback
    nonce_length = (8, 64)
    dummy_client = "dummy-client-never-registered"
    dummy_request_token = "dummyRequestTokenNeverIssued00"
    dummy_access_token = "dummyAccessTokenNeverIssued000"

    def check_client_key(self, client_key: str) -> bool:
        """Accept any configured key made of URL-safe characters."""
        return 1 <= len(client_key) <= 128 and set(client_key) <= KEY_CHARACTERS

    def check_nonce(self, nonce: str) -> bool:
        """Accept nonces of 8-64 URL-safe characters."""
        low, high = self.nonce_length
        return low <= len(nonce) <= high and set(nonce) <= KEY_CHARACTERS

    def get_client_secret(self, client_key, request):
        """Return the consumer secret, or a dummy one for unknown keys."""
        return self.clients.get(client_key, DUMMY_SECRET)

    def validate_client_key(self, client_key, request):
        """Say whether this consumer is registered."""
        return client_key in self.clients

    def get_default_realms(self, client_key, request):
        """Grant no particular realm: the demo has a single scope."""
        return []

    def get_realms(self, token, request):
        """Return the realms of a token (always none)."""
        return []

    def validate_requested_realms(self, client_key, realms, request):
        """Allow the default (empty) realm list."""
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        """Allow every resource to every valid access token."""
        return True

    def verify_realms(self, token, realms, request):
        """Allow the realms granted on the authorize page."""
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        """Accept http(s) callbacks and out-of-band."""
        return redirect_uri == "oob" or redirect_uri.startswith(("http://", "https://"))

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        """Store the nonce; refuse it if this combination was seen before.

        Nonces whose timestamps oauthlib would refuse anyway are deleted at most once a minute, not
        at every call: a sync makes dozens of calls a second, and the sweep was a statement each.
        """
        now = int(time.time())
        if now - self.swept_at >= SWEEP_SECONDS:
            demo_db.session.execute(delete(UsedNonce).where(UsedNonce.timestamp < now - 2 * self.timestamp_lifetime))
            self.swept_at = now
        demo_db.session.add(UsedNonce(
            client_key=client_key, timestamp=int(timestamp), nonce=nonce,
            token=request_token or access_token or ""))
        try:
            demo_db.session.commit()
        except IntegrityError:
            demo_db.session.rollback()
            return False
        return True

    def save_request_token(self, token, request):
        """Store new temporary credentials with their callback."""
        demo_db.session.add(RequestToken(
            token=token["oauth_token"], secret=token["oauth_token_secret"],
            client_key=request.client_key, callback=request.redirect_uri))
        demo_db.session.commit()

    def _request_token(self, client_key, token) -> RequestToken | None:
        row = demo_db.session.get(RequestToken, token)
        return row if row is not None and row.client_key == client_key else None

    def get_request_token_secret(self, client_key, token, request):
        """Return the request token's secret, or a dummy one."""
        row = self._request_token(client_key, token)
        return row.secret if row else DUMMY_SECRET

    def validate_request_token(self, client_key, token, request):
        """Say whether the request token exists for this consumer."""
        return self._request_token(client_key, token) is not None

    def verify_request_token(self, token, request):
        """Say whether the request token still waits for the person's decision."""
        row = demo_db.session.get(RequestToken, token)
        return row is not None and row.verifier is None

    def get_redirect_uri(self, token, request):
        """Return the callback given with the request token."""
        return demo_db.session.get(RequestToken, token).callback

    def save_verifier(self, token, verifier, request):
        """Remember the verifier issued for an authorized request token."""
        demo_db.session.get(RequestToken, token).verifier = verifier["oauth_verifier"]
        demo_db.session.commit()

    def validate_verifier(self, client_key, token, verifier, request):
        """Say whether the verifier matches the one issued for this token."""
        row = self._request_token(client_key, token)
        if row is None or row.verifier is None:
            return False
        return hmac.compare_digest(row.verifier.encode(), verifier.encode())

    def invalidate_request_token(self, client_key, request_token, request):
        """Drop a request token so it can never be exchanged again."""
        demo_db.session.execute(delete(RequestToken).where(RequestToken.token == request_token))
        demo_db.session.commit()

    def save_access_token(self, token, request):
        """Store token credentials for the account that authorized the request."""
        account = demo_db.session.get(RequestToken, request.resource_owner_key).account
        demo_db.session.add(AccessToken(
            token=token["oauth_token"], secret=token["oauth_token_secret"],
            client_key=request.client_key, account=account))
        demo_db.session.commit()

    def _access_token(self, client_key, token, request) -> tuple[str, str] | None:
        """Return the token's (secret, account), or None; read once per request (oauthlib asks twice,
        with the nonce's commit between, which expired the row)."""
        if getattr(request, "demo_token_key", None) != (client_key, token):
            row = demo_db.session.get(AccessToken, token)
            request.demo_token_key = (client_key, token)
            request.demo_token = (row.secret, row.account) if row is not None and row.client_key == client_key else None
        return request.demo_token

    def get_access_token_secret(self, client_key, token, request):
        """Return the access token's secret, or a dummy one."""
        row = self._access_token(client_key, token, request)
        return row[0] if row else DUMMY_SECRET

    def validate_access_token(self, client_key, token, request):
        """Say whether the access token is valid and remember its account."""
        row = self._access_token(client_key, token, request)
        request.demo_account = row[1] if row else None
        return row is not None
