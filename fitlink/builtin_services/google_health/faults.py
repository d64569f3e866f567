"""Answer API calls with injected faults, outside the database lock."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from .errors import ApiError, status_response
from .state import ApiCall, HealthState, next_fault

API_PATH = re.compile(r"/v4/users/[^/]+/(?:dataTypes/([^/:]+)/)?")
GARBAGE = (b"<html><head><title>502 Bad Gateway</title></head>"
           b"<body><h1>Bad Gateway</h1><p>The upstream server sent an invalid answer.")


def bearer_token(authorization: str | None) -> str:
    """Return the token of an `Authorization: Bearer ...` header, or ""."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class FaultWSGI:
    """Serve pending faults before the app (and its lock) sees the call.

    A "timeout" sleeps here, so other calls are served meanwhile, as they would be by Google.
    """

    def __init__(self, wsgi_app: Callable, state: HealthState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: dict, start_response: Callable):
        match = API_PATH.match(environ.get("PATH_INFO", ""))
        fault = next_fault(self.state) if match else None
        if fault is None:
            return self.wsgi_app(environ, start_response)
        request = Request(environ)
        self.state.calls.append(ApiCall(
            request.method, request.path, match[1], token=bearer_token(
                request.headers.get("Authorization")), fault=str(fault), at=self.state.now()))
        return self._answer(fault)(environ, start_response)

    def _answer(self, fault: int | str) -> Response:
        if fault == "garbage":
            # A proxy's error page with a 200 status: not JSON at all.
            return Response(GARBAGE, status=200, mimetype="text/html")
        if fault == "timeout":
            time.sleep(self.state.fault_delay)
            return status_response(ApiError(504))
        headers = self.state.rate_limited_headers() if fault == 429 else None
        return status_response(ApiError(int(fault), headers=headers))
