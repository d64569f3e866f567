"""Plain-language error pages instead of stack traces."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "This form has expired or did not come from fitlink. Go back, reload the page and try again."
        return render_template("error.html", title="Form expired", message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("error.html", title=error.name, message=error.description), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return render_template(
            "error.html",
            title="Something went wrong",
            message="fitlink hit an unexpected error. Nothing you saved was lost; please try again.",
        ), InternalServerError.code
