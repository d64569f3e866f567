"""OAuth 2.0 views: the consent page, the token endpoint and revocation."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask_wtf import FlaskForm
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749.errors import (
    FatalClientError, InvalidRequestFatalError, OAuth2Error,
)
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from ..common.accounts import BUILT_IN, normalize_name

from .catalog import SCOPE_LABELS
from .state import health_state
from .validator import is_loopback

bp = Blueprint("oauth", __name__)
UNLINKED = "unlinked"  # an account that consents but has no Google Health profile


class ConsentForm(FlaskForm):
    """The person's decision: which demo account, which scopes, allow or deny."""

    account = RadioField("Demo account", default="alex", validate_choice=False, choices=[
        SelectChoice(name, f"{info[0]} ({info[1]})") for name, info in BUILT_IN.items()] + [
        SelectChoice(UNLINKED, "A Google Account without Google Health (unlinked)")])
    other_account = StringField("Or name a demo account")
    scopes = SelectMultipleField("Allow the app to", widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    allow = SubmitField("Allow")
    deny = SubmitField("Deny")


def insecure_transport() -> Response | None:
    """Refuse plain http unless the request came to a loopback host."""
    if request.scheme == "https" or is_loopback(urlsplit(request.host_url).hostname):
        return None
    return Response('{"error": "invalid_request", "error_description": "HTTPS is required."}',
                    status=400, mimetype="application/json")


bp.before_request(insecure_transport)


def _oauth_response(headers: dict, body: str | None, status: int) -> Response:
    return Response(body or "", status=status, headers=headers)


def _error_page(error: OAuth2Error):
    text = f"Error 400: {error.error}. {error.description or ''}".strip()
    return render_template("builtin_services/message.html", title="Access blocked",
                           text=text), 400


def _deny(info: dict):
    params = [("error", "access_denied")]
    if info.get("state"):
        params.append(("state", info["state"]))
    return redirect(add_params_to_uri(info["redirect_uri"], params))


def _allow(form: ConsentForm, account: str):
    server = health_state(current_app).oauth
    prompts = request.args.get("prompt", "").split()
    headers, body, status = server.create_authorization_response(
        request.url, "GET", None, None, scopes=form.scopes.data, credentials={
            "account": account, "offline": request.args.get("access_type") == "offline",
            "force_consent": "consent" in prompts})
    return _oauth_response(headers, body, status)


@bp.route("/o/oauth2/v2/auth", methods=["GET", "POST"])
def authorize():
    """Show the consent page, then send the person back to the app with a code or an error."""
    server = health_state(current_app).oauth
    try:
        scopes, info = server.validate_authorization_request(request.url, "GET", None, None)
    except FatalClientError as error:
        return _error_page(error)
    except OAuth2Error as error:
        return redirect(error.in_uri(error.redirect_uri))
    except ValueError:  # a query string oauthlib cannot parse
        return _error_page(InvalidRequestFatalError(description="Malformed request."))
    form = ConsentForm()
    form.scopes.choices = [(scope, SCOPE_LABELS.get(scope, scope)) for scope in scopes]
    if request.method == "GET":
        form.scopes.data = list(scopes)
    elif form.validate_on_submit():
        if form.deny.data:
            return _deny(info)
        try:
            account = normalize_name(form.other_account.data or form.account.data or "")
        except ValueError as error:
            form.other_account.errors = [str(error)]
        else:
            if form.scopes.data:
                return _allow(form, account)
            form.scopes.errors = ["Choose at least one kind of data, or deny access."]
    return render_template("builtin_services/google_health/consent.html", form=form,
                           client=info["client_id"])


@bp.post("/token")
def token():
    """Exchange a code (with its PKCE verifier) or a refresh token for tokens."""
    server = health_state(current_app).oauth
    try:
        answer = server.create_token_response(
            request.url, "POST", request.get_data(as_text=True), dict(request.headers))
    except ValueError:  # a body oauthlib cannot parse
        answer = ({"Content-Type": "application/json"},
                  '{"error": "invalid_request"}', 400)
    return _oauth_response(*answer)


@bp.post("/revoke")
def revoke():
    """Revoke a token and its whole grant; the token comes in the form body or the query."""
    server = health_state(current_app).oauth
    params = list(request.args.items(multi=True)) + list(request.form.items(multi=True))
    uri = request.base_url  # oauthlib refuses query parameters on a POST
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        answer = server.create_revocation_response(uri, "POST", urlencode(params), headers)
    except OAuth2Error as error:
        answer = (error.headers | {"Content-Type": "application/json"}, error.json,
                  error.status_code)
    return _oauth_response(*answer)
