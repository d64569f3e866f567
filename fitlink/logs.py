"""Structured logs: one JSON line on stdout per record, per request and per job."""

import json
import logging
import re
import sys
import threading
import time
from datetime import datetime, timezone

from flask import Flask, g, request, session
from flask.logging import default_handler
from huey import Huey

request_log = logging.getLogger("fitlink.request")
job_log = logging.getLogger("fitlink.job")

# A query string in a logged request line: up to the next space, quote or colour code.
QUERY_STRING = re.compile(r"\?[^\s\"'\x1b]*")

_job_starts: dict[str, float] = {}
_job_starts_lock = threading.Lock()


class JSONFormatter(logging.Formatter):
    """Write a record as one JSON object: time, level, logger, message and its `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class StdoutHandler(logging.StreamHandler):
    """Write to whatever sys.stdout is at the time (gunicorn, huey_consumer and pytest swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        pass


class DropQueryStrings(logging.Filter):
    """Cut query strings out of the development server's access log (werkzeug logs whole request lines).

    OAuth callbacks bring their secrets there: /fitbit/authorized?oauth_token=...&oauth_verifier=...,
    /google_health/authorized?code=...&state=... (gunicorn's access log format leaves them out already).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(QUERY_STRING.sub("", arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = QUERY_STRING.sub("", record.msg)
        return True


def configure_logging(level: str) -> None:
    """Send every log record of this process to stdout as JSON lines (once per process)."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not any(isinstance(handler, StdoutHandler) for handler in root.handlers):
        handler = StdoutHandler()
        handler.setFormatter(JSONFormatter())
        root.addHandler(handler)
    access_log = logging.getLogger("werkzeug")
    if not any(isinstance(known, DropQueryStrings) for known in access_log.filters):
        access_log.addFilter(DropQueryStrings())


def init_app(app: Flask, huey: Huey) -> None:
    """Log every request this app serves and every job huey runs, one line each."""
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.removeHandler(default_handler)
    app.before_request(_start_request)
    app.after_request(_log_request)
    app.teardown_request(_log_failed_request)
    huey.pre_execute(name="fitlink-log")(_start_job)
    huey.post_execute(name="fitlink-log")(_log_job)


def _start_request() -> None:
    g.log_started = time.perf_counter()


def _log_request(response):
    _request_line(response.status_code)
    return response


def _log_failed_request(error: BaseException | None) -> None:
    """Log requests that ended in an unhandled error, which skip after_request."""
    if error is not None and not g.get("log_done"):
        _request_line(500)


def _request_line(status: int) -> None:
    started = g.get("log_started")
    duration = (time.perf_counter() - started) * 1000 if started else None
    fields = {
        "event": "request",
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round(duration, 1) if duration is not None else None,
        "user_id": _user_id(),
    }
    g.log_done = True
    request_log.info("%s %s %s", request.method, request.path, status, extra={"fields": fields})


def _user_id() -> int | None:
    """Return the logged-in user's id from the session, without loading the user (never its secret)."""
    value = str(session.get("_user_id") or "").partition(":")[0]
    return int(value) if value.isdigit() else None


def _start_job(task) -> None:
    with _job_starts_lock:
        _job_starts[task.id] = time.perf_counter()


def _log_job(task, value, error) -> None:
    with _job_starts_lock:
        started = _job_starts.pop(task.id, None)
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    fields = {
        "event": "job",
        "name": task.name,
        "task_id": task.id,
        "user_id": task.kwargs.get("user_id", task.args[0] if task.args else None),
        "duration_ms": round(duration, 1) if duration is not None else None,
        "status": "error" if error is not None else "done",
        "result": value if isinstance(value, (str, int, float, bool)) else None,
    }
    if error is not None:
        fields["error"] = repr(error)
    job_log.info("job %s %s", task.name, fields["status"], extra={"fields": fields})
