"""Account forms; CSRFProtect guards these like every other POST."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from ..forms import normalise_email
from ..passwords import PasswordPolicy


class ChangePasswordForm(FlaskForm):
    """Set `account_email` before validating: the new password may not contain it."""

    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), PasswordPolicy()])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", filters=[normalise_email], validators=[DataRequired()])
    submit = SubmitField("Email me a link")


class ResetPasswordForm(FlaskForm):
    """Set `account_email` before validating: the new password may not contain it."""

    password = PasswordField("New password", validators=[DataRequired(), PasswordPolicy()])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Set new password")


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired()])
    submit = SubmitField("Delete my account and all my data")
