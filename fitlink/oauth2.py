"""The blueprint of an OAuth 2.0 source: Flask-Dance's, with PKCE (S256) made safe to share between threads.

Flask-Dance 7.1.0's OAuth2ConsumerBlueprint keeps one requests session per
blueprint object, which threads share; it adds each login's PKCE challenge to
the shared `authorization_url_params` and each callback's code verifier to the
shared `token_url_params`, so concurrent logins can swap them. Its session also
loads current_user's stored token into the code exchange (an expired one makes
requests-oauthlib try a refresh it has no URL for), and a failed token request
is an uncaught exception. This subclass keeps Flask-Dance's configuration,
routes and storage, and runs each step with a fresh session that loads
nothing, PKCE values passed per call, the state compared in constant time, and
every failure turned into a plain message. A source's blueprint is an instance
(google_health/blueprint.py); it overrides nothing.
"""

import hmac
import logging

import flask
import requests
from flask import flash, g, redirect, request, url_for
from flask_dance.consumer import OAuth2ConsumerBlueprint, oauth_before_login
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient
from requests_oauthlib import OAuth2Session

from .connect_steps import SourceBlueprint
from .transport import UnsafeURL, require_safe

log = logging.getLogger(__name__)


class OAuth2SourceBlueprint(SourceBlueprint, OAuth2ConsumerBlueprint):
    """An OAuth 2.0 consumer blueprint with per-request sessions, PKCE per call and polite failures."""

    # A plain attribute: Flask-Dance's client_id property builds a shared session just to hold it.
    client_id = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_pkce", True)
        kwargs.setdefault("code_challenge_method", "S256")
        super().__init__(*args, **kwargs)

    @property
    def session(self) -> OAuth2Session:
        """A requests-oauthlib session for this request only; it loads no stored token."""
        key = f"{self.name}_oauth_session"
        if key not in g:
            client = WebApplicationClient(self.client_id)
            setattr(g, key, OAuth2Session(client=client))
        return g.get(key)

    def teardown_session(self, exception=None):
        oauth_session = g.pop(f"{self.name}_oauth_session", None)
        if oauth_session is not None:
            oauth_session.close()

    def login(self):
        # Flask-Dance's login adds each PKCE challenge to a dict every thread shares.
        if not self.client_id or not self.client_secret:
            flash(f"{self.label} is not set up on this fitlink server yet.", "error")
            return redirect(self.next_url)
        try:
            oauth = self.session
            oauth.scope = self.scope
            oauth.redirect_uri = url_for(".authorized", _external=True)
            verifier = oauth._client.create_code_verifier(64)
            url, state = oauth.authorization_url(
                require_safe(self.authorization_url),
                code_challenge=oauth._client.create_code_challenge(verifier, self.code_challenge_method),
                code_challenge_method=self.code_challenge_method,
                **self.authorization_url_params,
            )
        except (UnsafeURL, OAuth2Error) as err:
            return self.failed("authorization request", err)
        flask.session[f"{self.name}_oauth_state"] = state
        flask.session[f"{self.name}_oauth_code_verifier"] = verifier
        oauth_before_login.send(self, url=url)
        return redirect(url)

    def authorized(self):
        # Flask-Dance's authorized puts each code verifier in a dict every thread shares.
        issued = flask.session.pop(f"{self.name}_oauth_state", None)
        verifier = flask.session.pop(f"{self.name}_oauth_code_verifier", None)
        error = request.args.get("error")
        if error:
            return self.declined(error)
        returned = request.args.get("state", "")
        if issued is None or verifier is None or not hmac.compare_digest(returned.encode(), issued.encode()):
            log.warning("%s callback refused: state is not the one issued to this session", self.label)
            flash(f"That {self.label} authorization link is not valid for this session. Please connect again.",
                  "error")
            return redirect(self.next_url)
        code = request.args.get("code")
        if not code:
            flash(f"{self.label} sent fitlink back without an authorization. Nothing was connected.", "error")
            return redirect(self.next_url)
        try:
            oauth = self.session
            oauth.redirect_uri = url_for(".authorized", _external=True)
            token = oauth.fetch_token(
                require_safe(self.token_url), code=code, code_verifier=verifier,
                # The client credentials go in the form body (RFC 6749 2.3.1; Google documents this way).
                client_secret=self.client_secret, include_client_id=True, timeout=self.timeout,
                **self.token_url_params,
            )
        except (requests.RequestException, OAuth2Error, ValueError, Warning) as err:
            return self.failed("token request", err)
        return self.authorized_with(token)
