"""Connect Fitbit: Flask-Dance's OAuth 1.0a blueprint, made to follow RFC 5849.

Flask-Dance 7.1.0 forgets the request token between the two legs and signs the
access-token request with an empty token secret (flask-dance PR #52). Strict
providers answer 401. This blueprint keeps the request token in the server-side
session, checks that the callback brings back the token issued to this session,
signs with its secret, and discards it once used. Tokens are stored and read
through Flask-Dance's SQLAlchemyStorage (fitlink.connect_steps.SourceBlueprint).
"""

import hmac
import logging

import requests
from flask import flash, g, redirect, request, session, url_for
from flask_dance.consumer import OAuth1ConsumerBlueprint

from ..connect_steps import SourceBlueprint

log = logging.getLogger(__name__)

REQUEST_TOKEN_KEY = "fitbit_request_token"


class StrictOAuth1Blueprint(SourceBlueprint, OAuth1ConsumerBlueprint):
    """An OAuth1 consumer blueprint that signs the access-token request with the request-token secret."""

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
        # Flask-Dance's login forgets the request token; its secret signs the second leg.
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
        # Flask-Dance's authorized signs with an empty token secret (flask-dance PR #52).
        issued = session.pop(REQUEST_TOKEN_KEY, None)
        # A decline connects nothing, so it needs no token check: say what happened.
        if "denied" in request.args:
            return self.declined("access_denied")
        returned = request.args.get("oauth_token", "")
        if issued is None or not hmac.compare_digest(
            returned.encode(), issued["oauth_token"].encode()
        ):
            log.warning("Fitbit callback refused: oauth_token is not the one issued to this session")
            flash("That Fitbit authorization link is not valid for this session. Please connect again.", "error")
            return redirect(self.next_url)
        verifier = request.args.get("oauth_verifier")
        if not verifier:
            return self.declined("access_denied")

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


blueprint = StrictOAuth1Blueprint("fitbit", __name__)
blueprint.from_config.update(
    client_key="FITBIT_CLIENT_KEY",
    client_secret="FITBIT_CLIENT_SECRET",
    request_token_url="FITBIT_REQUEST_TOKEN_URL",
    authorization_url="FITBIT_AUTHORIZATION_URL",
    access_token_url="FITBIT_ACCESS_TOKEN_URL",
)

