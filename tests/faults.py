"""Fault injection: a WSGI middleware that answers one chosen provider call with one chosen fault.

Wrap a built-in service (Fitbit or Google Health) and serve it on a port;
`arm(call, fault)` makes every request for that call fail that way (every
retry too) until `disarm()`. Other calls reach the service unchanged.
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

# What can go wrong with one answer.
FAULTS = ("timeout", "reset", "500", "503", "429", "401", "html", "truncated")

PROXY_PAGE = (b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
              b"<p>The upstream server sent an invalid answer.</p></body></html>")


@dataclass(frozen=True)
class Call:
    """One kind of provider call: its method, its path (a regular expression) and, for a token endpoint, its grant."""

    name: str
    method: str
    path: str
    grant: str | None = None

    def matches(self, method: str, path: str, form: dict) -> bool:
        """Tell whether a request is this call."""
        if method != self.method or not re.fullmatch(self.path, path):
            return False
        return self.grant is None or form.get("grant_type", [None])[0] == self.grant


class Faults:
    """Answer the armed call with the armed fault; pass everything else to the wrapped service."""

    def __init__(self, app: Callable, hang: float):
        self.app = app
        self.hang = hang  # how long a "timeout" keeps the caller waiting: longer than its timeout
        self.armed: tuple[Call, str] | None = None
        self.hits = 0
        self._lock = threading.Lock()

    def arm(self, call: Call, fault: str) -> None:
        """Make every request for call fail with fault from now on."""
        assert fault in FAULTS, fault
        with self._lock:
            self.armed, self.hits = (call, fault), 0

    def disarm(self) -> None:
        """Let every call through again."""
        with self._lock:
            self.armed = None

    def __call__(self, environ: dict, start_response: Callable):
        armed = self.armed
        if armed is None or not armed[0].matches(environ["REQUEST_METHOD"], environ["PATH_INFO"], _form(environ)):
            return self.app(environ, start_response)
        with self._lock:
            self.hits += 1
        return self._answer(armed[1], environ, start_response)

    def _answer(self, fault: str, environ: dict, start_response: Callable):
        # Read the request body, as the service would have: the server waits for unread bytes otherwise.
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if fault == "timeout":
            time.sleep(self.hang)  # the caller has given up by now
            fault = "503"
        if fault == "reset":
            # Close the connection without a byte of answer (SO_LINGER 0: a reset once the socket closes).
            connection = environ["werkzeug.socket"]
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RD)
            raise ConnectionResetError("injected reset")
        if fault == "html":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [PROXY_PAGE]
        if fault == "truncated":
            # A proxy cut the answer short: the body stops halfway through what Content-Length promised.
            body = b'{"access_token": "' + b"x" * 200
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(2 * len(body))), ("Connection", "close")])
            return [body]
        status = int(fault)
        headers = [("Content-Type", "application/json")]
        if status == 429:
            headers.append(("Retry-After", "60"))
        start_response(f"{status} Injected", headers)
        return [json.dumps(_error_body(status, environ["PATH_INFO"])).encode()]


def _form(environ: dict) -> dict:
    """Read a form body and put it back for the service; {} for anything else."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))


def _error_body(status: int, path: str) -> dict:
    """An error body each provider could send: OAuth 2.0's at a token endpoint, else google.rpc.Status and Fitbit's."""
    if path.endswith("/token"):
        return {"error": "invalid_client" if status == 401 else "server_error", "error_description": "injected"}
    names = {401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
    return {"error": {"code": status, "status": names[status], "message": "injected"},
            "errors": [{"errorType": "system", "message": "injected"}], "success": False}
