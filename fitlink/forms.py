"""Account forms; CSRFProtect guards these and every other POST."""

from flask import request
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .passwords import PasswordPolicy


def normalise_email(value: str | None) -> str:
    """Return an email address with outer spaces removed and in lower case."""
    return (value or "").strip().lower()


def posted_email() -> str:
    """Return the email the posted form names, normalised ("" for none).

    For the throttle's keys, which Flask-Limiter reads before the view: a body that cannot be read
    (too large, too many parts) names none, and the view refuses it when it reads the form. Raising
    there instead would make Flask-Limiter take its store for unreachable and count in this process's
    memory for a while, apart from the other processes' counts, which are then lost.
    """
    try:
        form = request.form
    except HTTPException:
        return ""
    return normalise_email(form.get("email"))


class SignupForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[normalise_email],
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), PasswordPolicy()],
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Sign up")


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[normalise_email], validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log in")

