"""/account: change password, export, delete; and the forgotten-password pages."""

from flask import (
    Blueprint, Response, flash, redirect, render_template, request, session, stream_with_context, url_for,
)
from flask_login import current_user, login_required, logout_user
from werkzeug.security import check_password_hash

from .. import known_browsers, mail, throttle
from ..auth import authenticate, end_sessions, start_session
from ..extensions import db
from ..links import external_url
from ..models import User
from ..passwords import hash_password
from ..sessions import rotate_session_id
from .deletion import delete_account
from .export import export_chunks
from .forms import ChangePasswordForm, DeleteAccountForm, ForgotPasswordForm, ResetPasswordForm
from .reset import MAX_AGE_SECONDS, make_token, user_for_token

bp = Blueprint("account", __name__, url_prefix="/account")

RESET_SENT = ("If an account uses that address, we have emailed it a link to choose a new password. "
              f"The link works for {MAX_AGE_SECONDS // 60} minutes.")


def _page(password_form=None, delete_form=None, status=200):
    password_form = password_form or ChangePasswordForm()
    delete_form = delete_form or DeleteAccountForm()
    return render_template("account/index.html", password_form=password_form,
                           delete_form=delete_form), status


@bp.get("")
@login_required
def index():
    """Show the account page: password, export, deletion."""
    return _page()


@bp.post("/password")
@login_required
@throttle.account_form_limits
def change_password():
    """Change the password, and log out every other session of the person."""
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if check_password_hash(current_user.password_hash, form.current.data):
            user = db.session.get(User, current_user.id)
            user.password_hash = hash_password(form.password.data)
            end_sessions(user)
            start_session(user)  # this session goes on, under a fresh id
            known_browsers.remember(user)  # the new password ended every browser's mark
            flash("Your password is changed. Every other session is logged out.", "success")
            return redirect(url_for(".index"))
        form.current.errors.append("That is not your current password.")
    return _page(password_form=form, status=400)


@bp.get("/export")
@login_required
def export():
    """Download everything fitlink holds on the person as one JSON file."""
    body = stream_with_context(export_chunks(current_user._get_current_object()))
    headers = {"Content-Disposition": 'attachment; filename="fitlink-export.json"'}
    return Response(body, mimetype="application/json", headers=headers)


@bp.post("/delete")
@login_required
@throttle.account_form_limits
def delete():
    """Delete the account and all its data, after the password confirms it."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.password.data) is not None:
            delete_account(current_user.id)
            rotate_session_id()
            logout_user()
            session.clear()
            flash("Your account and all your data are deleted.", "info")
            return redirect(url_for("dashboard.home"))
        form.password.errors.append("That is not your password.")
    return _page(delete_form=form, status=400)


@bp.route("/forgot", methods=["GET", "POST"])
@throttle.limits("RESET", throttle.completed)
def forgot():
    """Email a reset link to the address, if an account uses it; answer the same either way."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = db.session.execute(db.select(User).filter_by(email=form.email.data)).scalar_one_or_none()
        if user is not None:
            link = external_url("account.reset", token=make_token(user))
            mail.send_template(user.email, "Choose a new password", "mail/reset.txt",
                               link=link, minutes=MAX_AGE_SECONDS // 60)
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("account/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    """Set a new password from a reset link; every session of the account is logged out."""
    # The token rides in the query string, which the access logs leave out (gunicorn.conf.py).
    user = user_for_token(request.args.get("token", ""))
    if user is None:
        flash("That link has expired or was already used. Ask for a new one below.", "error")
        return redirect(url_for(".forgot"))
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        end_sessions(user)
        if current_user.is_authenticated:
            logout_user()
        flash("Your password is changed. Log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("account/reset.html", form=form), 400 if form.errors else 200
