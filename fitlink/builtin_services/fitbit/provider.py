"""OAuth 1.0a provider views: request token, authorize page, access token."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from oauthlib.common import add_params_to_uri
from oauthlib.oauth1.rfc5849.signature import collect_parameters
from sqlalchemy import delete
from wtforms import RadioField, SelectChoice, StringField, SubmitField

from ..common.accounts import BUILT_IN, encoded_id_for, normalize_name

from .models import RequestToken, demo_db
from .pages import sign_in
from .state import demo_state

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


class AuthorizeForm(FlaskForm):
    """The person's decision: which demo account, allow or deny."""

    account = RadioField("Demo account", default="alex", validate_choice=False, choices=[
        SelectChoice(name, f"{info[0]} ({info[1]})") for name, info in BUILT_IN.items()])
    other_account = StringField("Or name a demo account")
    allow = SubmitField("Allow")
    deny = SubmitField("Deny")


def _endpoint(method_name: str, **kwargs) -> Response:
    """Run one oauthlib endpoint on the current request and turn its answer into a response."""
    method = getattr(demo_state(current_app).oauth, method_name)
    try:
        headers, body, status = method(request.url, request.method, request.get_data(
            as_text=True), dict(request.headers), **kwargs)
    except ValueError:  # e.g. an Authorization header that is not OAuth at all
        headers, body, status = {}, "error=invalid_request", 400
    return Response(body or "", status=status, headers=headers)


@bp.post("/request_token")
def request_token():
    """Issue temporary credentials to a signed consumer."""
    return _endpoint("create_request_token_response")


def _encoded_user_id_of_request() -> dict:
    try:
        form = request.mimetype == "application/x-www-form-urlencoded"
        params = collect_parameters(
            uri_query=request.query_string.decode(), headers=dict(request.headers),
            body=request.get_data(as_text=True) if form else "")
    except ValueError:
        return {}
    token = dict(params).get("oauth_token")
    row = demo_db.session.get(RequestToken, token) if token else None
    return {"encoded_user_id": encoded_id_for(row.account)} if row and row.account else {}


@bp.post("/access_token")
def access_token():
    """Exchange an authorized request token and its verifier for token credentials."""
    return _endpoint("create_access_token_response", credentials=_encoded_user_id_of_request())


def _pending_token(token: str) -> RequestToken | None:
    row = demo_db.session.get(RequestToken, token) if token else None
    return row if row is not None and row.verifier is None else None


def _message(title: str, text: str, status: int = 200):
    return render_template("builtin_services/message.html", title=title, text=text), status


def _deny(pending: RequestToken):
    callback, token = pending.callback, pending.token
    demo_db.session.execute(delete(RequestToken).where(RequestToken.token == token))
    demo_db.session.commit()
    if callback == "oob":
        return _message("Access denied", "You denied access. You can close this page.")
    return redirect(add_params_to_uri(callback, [("oauth_token", token), ("denied", token)]))


def _allow(pending: RequestToken, account: str):
    pending.account = account
    demo_db.session.commit()
    sign_in(session, account)  # the account page may now record activity for this visitor
    uri = url_for(".authorize", oauth_token=pending.token, _external=True)
    headers, body, status = demo_state(current_app).oauth.create_authorization_response(uri)
    if status == 302:
        return redirect(headers["Location"])
    verifier = dict(p.split("=", 1) for p in body.split("&"))["oauth_verifier"]
    return _message("Access allowed", f"Type this code into the app: {verifier}")


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    """Ask the person to allow or deny an app, then send them back to it."""
    pending = _pending_token(request.args.get("oauth_token", ""))
    if pending is None:
        return _message("This link does not work", "The sign-in link is unknown or was "
                        "already used. Go back to the app and connect again.", 400)
    form = AuthorizeForm()
    if form.validate_on_submit():
        if form.deny.data:
            return _deny(pending)
        chosen = form.other_account.data or form.account.data or ""
        try:
            return _allow(pending, normalize_name(chosen))
        except ValueError as error:
            form.other_account.errors = [str(error)]
    return render_template("builtin_services/fitbit/authorize.html", form=form, client=pending.client_key)
