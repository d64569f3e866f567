"""Outgoing email (Flask-Mailman): SMTP when FITLINK_MAIL_SERVER is set, else the console in development."""

import logging
import threading

from flask import Flask, current_app, render_template
from flask_mailman import EmailMessage

from .extensions import mail

log = logging.getLogger(__name__)


def send_template(to: str, subject: str, template: str, **context) -> None:
    """Render a plain-text email from template now and send it from a thread of its own.

    The request answers before the mail server does, so a page that sends mail
    only for existing accounts takes as long as one that sends none, and a slow
    or failing mail server never shows (failures are logged).
    """
    message = EmailMessage(subject=f"fitlink: {subject}", body=render_template(template, **context), to=[to])
    app = current_app._get_current_object()
    threading.Thread(target=_send, args=(app, message, subject), daemon=True).start()


def _send(app: Flask, message: EmailMessage, subject: str) -> None:
    with app.app_context():
        try:
            message.send()
        except Exception as err:  # smtplib, socket and TLS errors have no common base
            log.error("mail: could not send %r: %s: %s", subject, type(err).__name__, err)


def init_app(app: Flask) -> None:
    """Choose the mail backend: SMTP with a server, else the console (development) or nothing (production)."""
    config = app.config
    config.setdefault("MAIL_DEFAULT_SENDER", "fitlink <no-reply@localhost>")
    config.setdefault("MAIL_TIMEOUT", 10)
    if not config.get("MAIL_BACKEND"):
        if config.get("MAIL_SERVER"):
            config["MAIL_BACKEND"] = "smtp"
        elif config["ENV"] == "production":
            # Printing reset links into production logs would hand them to whoever reads the logs.
            config["MAIL_BACKEND"] = "dummy"
            app.logger.warning("FITLINK_MAIL_SERVER is not set: password-reset mail is not sent")
        else:
            config["MAIL_BACKEND"] = "console"
    mail.init_app(app)
