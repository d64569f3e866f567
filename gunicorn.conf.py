"""gunicorn settings for fitlink: `gunicorn --config gunicorn.conf.py wsgi:app` (make serve).

Every value can be overridden on the command line or in GUNICORN_CMD_ARGS;
WEB_CONCURRENCY and GUNICORN_BIND are read here for the usual cases.
It refuses to serve a development build (see serving_problem); `make serve`
runs this file first (`python gunicorn.conf.py`) so it refuses before migrating.
"""

import multiprocessing
import os
import sys
from pathlib import Path

from flask import Config


def serving_problem() -> str | None:
    """Return why fitlink must not be served from here, or None.

    FITLINK_ENV is read the way the app reads it (instance/config.py, then the
    environment). A deployment that forgot it would run as development: reset
    links printed to the log, the built-in services mounted, cookies not Secure.
    """
    config = Config(str(Path(__file__).resolve().parent / "instance"))
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env("FITLINK")
    env = config.get("ENV", "development")
    if env == "production" or config.get("ALLOW_DEVELOPMENT_SERVE") is True:
        return None
    return (f"Refusing to serve fitlink with FITLINK_ENV={env}: development prints password-reset links "
            "to the log, mounts the built-in services and sends cookies without Secure. Set "
            "FITLINK_ENV=production (see README), or FITLINK_ALLOW_DEVELOPMENT_SERVE=true to serve a "
            "development build on purpose.")


if problem := serving_problem():
    sys.exit(problem)

wsgi_app = "wsgi:app"
# `make serve` runs huey_consumer beside gunicorn: no job consumer inside the web workers
# (set FITLINK_JOBS_IN_PROCESS=true to run one in each worker instead).
os.environ.setdefault("FITLINK_JOBS_IN_PROCESS", "false")
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: each request holds one process. Requests wait on PostgreSQL and
# Redis, not the CPU, so two per core plus one keeps the cores busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request taking 30 s is stuck (pages read only fitlink's database), so restart the worker.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes a host down.
max_requests = 2000
max_requests_jitter = 200

# One JSON line per request on stdout (fitlink adds its own line with the user id);
# gunicorn's own messages on stderr. No query strings: OAuth callbacks carry tokens
# and verifiers there, and Fitbit's subscriber check its verification code.
accesslog = "-"
access_log_format = (
    '{"event": "access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)
errorlog = "-"
loglevel = "info"
# Several servers may run on one host (see README); none needs gunicorn's control socket.
control_socket_disable = True
# Behind a load balancer on another host, list its address in FORWARDED_ALLOW_IPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
