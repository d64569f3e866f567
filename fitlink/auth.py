"""Sign up, log in and log out."""

import hmac
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from . import known_browsers, mail, throttle
from .extensions import db, login_manager
from .forms import LoginForm, SignupForm
from .models import User, new_session_secret
from .passwords import dummy_hash, hash_password
from .sessions import rotate_session_id

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the session's user, unless the account is gone or its sessions were ended since.

    The session holds User.get_id(): the id and the account's random session secret.
    A session of a deleted account, or one started before a password change, names a
    secret no account has, so it is logged out, whatever id a later account is given.
    """
    user_id, _, secret = str(session_id).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not secret or not hmac.compare_digest(secret.encode(), user.session_secret.encode()):
        return None
    return user


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."


@bp.route("/signup", methods=["GET", "POST"])
@throttle.limits("SIGNUP", throttle.completed)
def signup():
    """Create an account and log it in; answer the same whether or not the email was taken."""
    form = SignupForm()
    if form.validate_on_submit():
        user = sign_up(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
        # Whether the address was free or not, the answer is the same, so sign-up
        # cannot be used to learn who has an account (see sign_up).
        flash("Welcome to fitlink.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_limits
def login():
    """Log a person in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("Wrong email or password.")
        else:
            start_session(user)
            known_browsers.remember(user)  # this browser skips the limits strangers fill
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """Log out and forget the session (CSRFProtect has checked the form's token)."""
    rotate_session_id()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("dashboard.home"))


def sign_up(email: str, password: str) -> User | None:
    """Return the new account to log in, or None when the address is taken.

    A taken address never logs in from the sign-up form, whatever the password,
    so sign-up is no second way to guess passwords. Nothing is created; the
    owner gets an email saying someone tried to sign up with their address,
    with links to log in and to reset the password: what a person who forgot
    they had an account needs, in their own inbox. The page answers with the
    same redirect and words as for a new account, after the same work (the
    password is hashed either way).
    """
    user = create_user(email, password)
    if user is None:
        mail.send_template(email, "Someone tried to sign up with your address", "mail/signup_taken.txt")
    return user


def create_user(email: str, password: str) -> User | None:
    """Store a new user with a hashed password; None when the email is taken."""
    user = User(email=email, password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # The email was already taken, which caused the commit to fail.
        db.session.rollback()
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user these credentials belong to, or None."""
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    stored = user.password_hash if user else dummy_hash()
    if check_password_hash(stored, password) and user is not None:
        return user
    return None


def start_session(user: User) -> None:
    """Log the user in under a fresh session id."""
    rotate_session_id()
    login_user(user, remember=False)


def end_sessions(user: User) -> None:
    """Log the user out of every session they have, on any backend, and commit.

    Sessions carry the account's session secret (load_user compares), so a new
    secret ends them all without finding them in the session store.
    """
    user.session_secret = new_session_secret()
    db.session.commit()


def safe_next(target: str | None) -> str:
    """Return target when it is a path on this site, else the dashboard."""
    if target:
        parts = urlsplit(target.replace("\\", "/"))
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("dashboard.index")
