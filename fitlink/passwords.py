"""The password policy of NIST SP 800-63B (5.1.1.2): length, no common passwords, nothing from the email.

No composition rules (digits, symbols, cases) and no forced expiry: NIST advises
against both. Any printable character, spaces included, is accepted.
"""

from functools import cache

from flask import current_app
from werkzeug.security import generate_password_hash
from wtforms import Field, Form, ValidationError

MIN_LENGTH = 8
# NIST asks for at least 64; hashing bounds the work, 256 leaves room for passphrases.
MAX_LENGTH = 256


@cache
def common_passwords() -> frozenset[str]:
    """Return the 30,000 most common passwords, lower-cased.

    The list ships with zxcvbn (Dropbox's password strength estimator, kept on
    PyPI as `zxcvbn`): its "passwords" frequency list, ranked from leaked
    password dumps (Xato's 10 million passwords).
    """
    # Imported on first use: the module holds zxcvbn's other word lists too (megabytes).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def hash_password(password: str) -> str:
    """Return a salted hash of password by the app's PASSWORD_HASH_METHOD (werkzeug's scrypt)."""
    return generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])


def dummy_hash() -> str:
    """Return a hash to check a password against when the email is unknown, so both failures take as long."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a real password", method)


def password_problem(password: str, email: str = "") -> str | None:
    """Return why password may not be used for the account with this email, or None if it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return "This password is too common; choose one that is harder to guess."
    local_part = email.lower().partition("@")[0]
    if email and (email.lower() in lowered or (len(local_part) >= 4 and local_part in lowered)):
        return "Do not use your email address in your password."
    return None


class PasswordPolicy:
    """A WTForms validator applying password_problem.

    The email is the form's `email` field, or else its `account_email`
    attribute (forms of a logged-in person have no email field).
    """

    def __call__(self, form: Form, field: Field) -> None:
        email = form["email"].data if "email" in form else getattr(form, "account_email", "")
        problem = password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(problem)
