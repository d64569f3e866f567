"""Account forms; CSRFProtect guards these and every other POST."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .passwords import PasswordPolicy


def normalise_email(value: str | None) -> str:
    """Return an email address with outer spaces removed and in lower case."""
    return (value or "").strip().lower()


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

