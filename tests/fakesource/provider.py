"""The fake source's provider: a tiny OAuth 2.0 server (PKCE S256) with a profile, daily data and revocation.

Served on a real port (fitlink.builtin_services.common.server.serve_in_thread),
like the built-in services. Its consent page has an account field and Allow and
Deny buttons, which tests fill in as a person would (conftest.authorize_on_provider).
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request

CONSENT_PAGE = """<!doctype html><title>Fake Health</title>
<form method="post"><label>Account <input name="account"></label>
<button name="allow" value="Allow">Allow</button> <button name="deny" value="Deny">Deny</button></form>"""


@dataclass
class Provider:
    """What the provider knows: its client, the codes and tokens it issued, what it was asked."""

    client_id: str
    client_secret: str
    codes: dict = field(default_factory=dict)  # code -> (account, challenge, redirect_uri)
    tokens: dict = field(default_factory=dict)  # access or refresh token -> account
    revoked: list = field(default_factory=list)
    calls: list = field(default_factory=list)


def steps_on(day: date) -> int:
    """The fake steps of any account on a day: a number that differs from day to day."""
    return 4000 + day.toordinal() % 7 * 1000


def create_provider(client_id: str, client_secret: str) -> Flask:
    """Build the provider's app for one client."""
    app = Flask(__name__)
    state = app.extensions["fake_provider"] = Provider(client_id, client_secret)

    def issue(account: str) -> dict:
        access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        state.tokens.update({access: account, refresh: account})
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": 3600}

    def account_of_bearer() -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in state.tokens:
            abort(401)
        return state.tokens[token]

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        args = request.args
        if args.get("client_id") != client_id or args.get("code_challenge_method") != "S256":
            abort(400)
        if request.method == "GET":
            return CONSENT_PAGE
        back = {"state": args.get("state", "")}
        if "allow" in request.form:
            code = secrets.token_urlsafe(16)
            state.codes[code] = (request.form["account"], args["code_challenge"], args["redirect_uri"])
            back["code"] = code
        else:
            back["error"] = "access_denied"
        return redirect(f"{args['redirect_uri']}?{urlencode(back)}")

    @app.post("/token")
    def token():
        form = request.form
        if form.get("client_id") != client_id or not hmac.compare_digest(form.get("client_secret", ""), client_secret):
            return jsonify(error="invalid_client"), 401
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in state.tokens:
            return jsonify(issue(state.tokens.pop(form["refresh_token"])))
        account, challenge, redirect_uri = state.codes.pop(form.get("code"), (None, None, None))
        verifier = form.get("code_verifier", "").encode()
        made = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if account is None or made != challenge or form.get("redirect_uri") != redirect_uri:
            return jsonify(error="invalid_grant"), 400
        return jsonify(issue(account))

    @app.get("/me")
    def me():
        account = account_of_bearer()
        state.calls.append("/me")
        return jsonify(id=f"FAKE-{account}", name=account.title(), timezone="UTC")

    @app.get("/steps")
    def steps():
        account_of_bearer()
        start, end = date.fromisoformat(request.args["start"]), date.fromisoformat(request.args["end"])
        state.calls.append(f"/steps {start}..{end}")
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return jsonify([{"date": day.isoformat(), "steps": steps_on(day)} for day in days])

    @app.post("/revoke")
    def revoke():
        account = state.tokens.pop(request.form.get("token"), None)
        if account is None:
            abort(400)
        state.revoked.append(account)
        return "", 200

    return app
