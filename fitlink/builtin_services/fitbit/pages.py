"""Pages of the demo service: avatars, and the record-activity page of the accounts a visitor signed in to.

Recording activity notifies every app the account is connected to, so only a
visitor who chose that account on this service's authorize page (remembered
in this service's own session cookie) may do it.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from flask import Blueprint, Response, current_app, render_template, request, session
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from ..common.accounts import get_account, local_today

from .activity import notify_clients, store_activity
from .state import demo_state

bp = Blueprint("pages", __name__)

SIGNED_IN = "demo_fitbit_accounts"
MAX_SIGNED_IN = 20  # the cookie stays small however many accounts one browser tries

AVATAR = """<svg xmlns="http://www.w3.org/2000/svg" width="150" height="150" viewBox="0 0 150 150">
<rect width="150" height="150" fill="#00796b"/><circle cx="75" cy="58" r="28" fill="#b2dfdb"/>
<ellipse cx="75" cy="140" rx="48" ry="40" fill="#b2dfdb"/></svg>"""


class RecordForm(FlaskForm):
    """How many steps to add to the account's today."""

    steps = IntegerField("Steps to add", default=1000,
                         validators=[InputRequired(), NumberRange(min=1, max=50000)])
    record = SubmitField("Record activity")


@bp.get("/avatar/<encoded_id>.svg")
def avatar(encoded_id: str):
    """Return the default avatar picture."""
    return Response(AVATAR, mimetype="image/svg+xml")


def sign_in(store: MutableMapping, account: str) -> None:
    """Remember in the visitor's session that they signed in to account on the authorize page."""
    names = [name for name in store.get(SIGNED_IN, []) if name != account]
    store[SIGNED_IN] = (names + [account])[-MAX_SIGNED_IN:]


def signed_in(account: str) -> bool:
    """Tell whether this visitor signed in to account on this service."""
    return account in session.get(SIGNED_IN, [])


@bp.route("/account/<name>", methods=["GET", "POST"])
def account_page(name: str):
    """Show a demo account and let a visitor signed in to it record steps for today."""
    try:
        account = get_account(name, demo_state(current_app).now())
    except ValueError as error:
        return render_template("builtin_services/message.html", title="No such account",
                               text=str(error)), 404
    allowed = signed_in(account.name)
    if request.method == "POST" and not allowed:
        return render_template(
            "builtin_services/message.html", title="Sign in to this account first",
            text=f"Only someone who signed in as {account.name} on this service may record activity "
                 "for it. Connect it from your app, choose this account on the sign-in page, then "
                 "come back here."), 403
    form = RecordForm()
    if form.validate_on_submit():
        app = current_app._get_current_object()
        stored = store_activity(app, account.name, form.steps.data)
        response = Response(status=303, headers={"Location": f"?recorded={form.steps.data}"})
        # Notify once the response is sent: the subscriber may call back into this service.
        response.call_on_close(lambda: notify_clients(app, *stored))
        return response
    today = local_today(account, demo_state(current_app).now())
    return render_template("builtin_services/fitbit/account.html", account=account, form=form,
                           today=today, allowed=allowed)
