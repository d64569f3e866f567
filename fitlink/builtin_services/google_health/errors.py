"""google.rpc.Status error bodies, as Google's REST APIs send them."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

# HTTP status -> google.rpc.Code name (google/rpc/code.proto's HTTP mapping).
log = logging.getLogger(__name__)
STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
    404: "NOT_FOUND", 405: "UNIMPLEMENTED", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 502: "UNKNOWN",
    503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}
DEFAULT_MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
         "login cookie or other valid authentication credential.",
    403: "Request had insufficient authentication scopes.",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
         "of service 'health.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class ApiError(Exception):
    """An API call the service refuses, answered with a google.rpc.Status body."""

    def __init__(self, code: int, message: str | None = None, reason: str | None = None,
                 status: str | None = None, headers: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.headers = headers or {}
        self.message = message or DEFAULT_MESSAGES.get(code, "Request failed.")
        self.reason = reason
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")


def invalid_argument(message: str, reason: str | None = None) -> ApiError:
    """Return a 400 INVALID_ARGUMENT error."""
    return ApiError(400, message, reason)


def status_body(error: ApiError) -> bytes:
    """Return the JSON google.rpc.Status body of an error."""
    body: dict = {"code": error.code, "message": error.message, "status": error.status}
    if error.reason:
        body["details"] = [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": error.reason,
            "domain": "googleapis.com", "metadata": {"service": "health.googleapis.com"}}]
    return json.dumps({"error": body}).encode()


def status_response(error: ApiError) -> Response:
    """Return the HTTP response of an error."""
    response = Response(status_body(error), status=error.code,
                        mimetype="application/json", headers=error.headers)
    if error.code == 401:
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"')
    return response


def register_errors(app: Flask) -> None:
    """Answer ApiError and every HTTP error (404, 405...) with a google.rpc.Status body."""
    app.register_error_handler(ApiError, status_response)

    def http_error(error: HTTPException) -> Response:
        return status_response(ApiError(error.code or 500, error.description))

    app.register_error_handler(HTTPException, http_error)

    def unexpected(error: Exception) -> Response:
        log.exception("Demo Google Health failed on a request")
        return status_response(ApiError(500))

    app.register_error_handler(Exception, unexpected)
