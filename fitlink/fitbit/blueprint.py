"""Connect Fitbit: Flask-Dance's OAuth 1.0a blueprint, made to follow RFC 5849.

Flask-Dance 7.1.0 forgets the request token between the two legs and signs the
access-token request with an empty token secret (flask-dance PR #52). Strict
providers answer 401. This blueprint keeps the request token in the server-side
session, checks that the callback brings back the token issued to this session,
signs with its secret, and discards it once used.
"""

import hmac
import logging

import requests
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_dance.consumer import OAuth1ConsumerBlueprint
from flask_dance.consumer.storage import NullStorage
from flask_login import current_user

from ..connect_steps import ConnectSteps

log = logging.getLogger(__name__)

REQUEST_TOKEN_KEY = "fitbit_request_token"


class StrictOAuth1Blueprint(ConnectSteps, OAuth1ConsumerBlueprint):
    """An OAuth1 consumer blueprint that signs the access-token request with the request-token secret."""

    label = "Fitbit"
    timeout_setting = "FITBIT_TIMEOUT"

    @property
    def session(self):
        # One requests session per Flask request: the parent caches it on the
        # blueprint object, which threads share.
        if "fitbit_oauth_session" not in g:
            g.fitbit_oauth_session = OAuth1ConsumerBlueprint.session.fget(self)
        return g.fitbit_oauth_session

    def teardown_session(self, exception=None):
        oauth_session = g.pop("fitbit_oauth_session", None)
        if oauth_session is not None:
            oauth_session.close()

    def login(self):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        client = self.session.auth.client
        client.callback_uri = url_for(".authorized", _external=True)
        try:
            token = self.session.fetch_request_token(
                self.request_token_url, should_load_token=False, timeout=self.timeout
            )
        except (requests.RequestException, ValueError) as err:
            return self.failed("request token", err)
        session[REQUEST_TOKEN_KEY] = {
            "oauth_token": token["oauth_token"],
            "oauth_token_secret": token["oauth_token_secret"],
        }
        return redirect(self.session.authorization_url(self.authorization_url))

    def authorized(self):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        issued = session.pop(REQUEST_TOKEN_KEY, None)
        # A decline connects nothing, so it needs no token check: say what happened.
        if "denied" in request.args:
            return self.declined()
        returned = request.args.get("oauth_token", "")
        if issued is None or not hmac.compare_digest(
            returned.encode(), issued["oauth_token"].encode()
        ):
            log.warning("Fitbit callback refused: oauth_token is not the one issued to this session")
            flash("That Fitbit authorization link is not valid for this session. Please connect again.", "error")
            return redirect(self.next_url)
        verifier = request.args.get("oauth_verifier")
        if not verifier:
            return self.declined()

        client = self.session.auth.client
        client.resource_owner_key = issued["oauth_token"]
        client.resource_owner_secret = issued["oauth_token_secret"]
        client.verifier = verifier
        try:
            token = self.session.fetch_access_token(
                self.access_token_url, should_load_token=False, timeout=self.timeout
            )
        except (requests.RequestException, ValueError) as err:
            return self.failed("access token", err)

        return self.authorized_with(token)



    def declined(self):
        """Tell the person they declined on Fitbit's page (the request token is already discarded)."""
        log.info("Fitbit authorization declined by the user")
        flash("You declined access on Fitbit, so nothing was connected.", "info")
        return redirect(self.next_url)


blueprint = StrictOAuth1Blueprint(
    "fitbit",
    __name__,
    redirect_to="dashboard.index",
    # fitlink stores the token itself, on the person's connection (fitbit/connect.py).
    storage=NullStorage(),
)
blueprint.from_config.update(
    client_key="FITBIT_CLIENT_KEY",
    client_secret="FITBIT_CLIENT_SECRET",
    request_token_url="FITBIT_REQUEST_TOKEN_URL",
    authorization_url="FITBIT_AUTHORIZATION_URL",
    access_token_url="FITBIT_ACCESS_TOKEN_URL",
)

