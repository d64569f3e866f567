"""Connect Google Health: Flask-Dance's OAuth 2.0 blueprint with PKCE (S256), made safe to share.

Flask-Dance 7.1.0's OAuth2ConsumerBlueprint keeps one requests session per
blueprint object, which threads share; it adds each login's PKCE challenge to
the shared `authorization_url_params` and each callback's code verifier to the
shared `token_url_params`, so concurrent logins can swap them. Its session also
loads current_user's stored token into the code exchange (an expired one makes
requests-oauthlib try a refresh it has no URL for), and a failed token request
is an uncaught exception. This subclass keeps Flask-Dance's configuration,
routes, signals and storage, and runs each step with a fresh session that loads
nothing, PKCE values passed per call, the state compared by fitlink itself
(constant time), and every failure turned into a plain message.

Tokens are stored and read through Flask-Dance's SQLAlchemyStorage
(fitlink.connect_steps.SourceBlueprint).
"""

import hmac
import logging

import flask
import requests
from flask import flash, g, redirect, request, url_for
from flask_dance.consumer import OAuth2ConsumerBlueprint, oauth_before_login
from oauthlib.oauth2 import OAuth2Error, WebApplicationClient
from requests_oauthlib import OAuth2Session

from ..connect_steps import SourceBlueprint
from ..transport import UnsafeURL, require_safe

log = logging.getLogger(__name__)

SCOPES = [
    f"https://www.googleapis.com/auth/googlehealth.{name}"
    for name in ("activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
                 "sleep.readonly", "settings.readonly", "profile.readonly")
]
SESSION_KEY = "google_health_oauth_session"


class GoogleHealthBlueprint(SourceBlueprint, OAuth2ConsumerBlueprint):
    """An OAuth 2.0 consumer blueprint with per-request sessions, PKCE per call and polite failures."""

    timeout_setting = "GOOGLE_HEALTH_TIMEOUT"

    # A plain attribute: Flask-Dance's client_id property builds a shared session just to hold it.
    client_id = None

    @property
    def session(self) -> OAuth2Session:
        """A requests-oauthlib session for this request only; it loads no stored token."""
        if SESSION_KEY not in g:
            g.google_health_client = WebApplicationClient(self.client_id)
            g.google_health_oauth_session = OAuth2Session(client=g.google_health_client)
        return g.google_health_oauth_session

    def teardown_session(self, exception=None):
        g.pop("google_health_client", None)
        oauth_session = g.pop(SESSION_KEY, None)
        if oauth_session is not None:
            oauth_session.close()

    def login(self):
        # Flask-Dance's login adds each PKCE challenge to a dict every thread shares.
        if not self.client_id or not self.client_secret:
            flash("Google Health is not set up on this fitlink server yet.", "error")
            return redirect(self.next_url)
        try:
            oauth = self.session
            oauth.scope = self.scope
            oauth.redirect_uri = url_for(".authorized", _external=True)
            client = g.google_health_client
            verifier = client.create_code_verifier(64)
            url, state = oauth.authorization_url(
                require_safe(self.authorization_url),
                code_challenge=client.create_code_challenge(verifier, "S256"),
                code_challenge_method="S256",
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
            log.warning("Google Health callback refused: state is not the one issued to this session")
            flash("That Google Health authorization link is not valid for this session. Please connect again.",
                  "error")
            return redirect(self.next_url)
        code = request.args.get("code")
        if not code:
            flash("Google Health sent fitlink back without an authorization. Nothing was connected.", "error")
            return redirect(self.next_url)
        try:
            oauth = self.session
            oauth.redirect_uri = url_for(".authorized", _external=True)
            token = oauth.fetch_token(
                require_safe(self.token_url), code=code, code_verifier=verifier,
                # Google's documented exchange sends the client credentials in the form body.
                client_secret=self.client_secret, include_client_id=True, timeout=self.timeout,
            )
        except (requests.RequestException, OAuth2Error, ValueError, Warning) as err:
            return self.failed("token request", err)
        return self.authorized_with(token)


blueprint = GoogleHealthBlueprint(
    "google_health",
    __name__,
    scope=SCOPES,
    # offline: a refresh token; consent: a new one at every connect (Google's OAuth 2.0 web server flow).
    authorization_url_params={"access_type": "offline", "prompt": "consent"},
    use_pkce=True,
    code_challenge_method="S256",
)
blueprint.from_config.update(
    client_id="GOOGLE_HEALTH_CLIENT_ID",
    client_secret="GOOGLE_HEALTH_CLIENT_SECRET",
    authorization_url="GOOGLE_HEALTH_AUTHORIZATION_URL",
    token_url="GOOGLE_HEALTH_TOKEN_URL",
)

