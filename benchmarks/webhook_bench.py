"""Time a signed Fitbit notification against the logged-out home page, interleaved, on a real server and SQLite.

    .venv/bin/python benchmarks/webhook_bench.py                  # 200 of each, both webhook cases
    .venv/bin/python benchmarks/webhook_bench.py --requests 1000

The app runs as `make run` runs it: SQLite database and Huey queue in files
(WAL), served by werkzeug's threaded server on a loopback port, called over
HTTP with keep-alive. No job consumer runs, so the queue only fills. Two cases:

- merge: a sync of the connection is already queued (the consumer has not
  taken it yet), so the notification merges into it: no new job.
- queue: the queued sync was taken before each notification (as a running
  consumer takes it), so every notification queues a new job.

The goal: a notification answered within twice the home page's time (p50 and p99).
"""

import argparse
import base64
import hashlib
import hmac
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import delete

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fitlink import create_app  # noqa: E402
from fitlink.builtin_services.common.server import serve_in_thread  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.models import Connection, SyncRequest, User  # noqa: E402

SECRET = "bench-consumer-secret"
OWNER = "BENCH01"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind, per case")
    parser.add_argument("--connections", type=int, default=1000, help="connections in the database")
    return parser.parse_args()


def build_app(folder: Path, connections: int):
    app = create_app({
        "SECRET_KEY": "bench", "TOKEN_KEYS": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fitlink.sqlite'}",
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite"), "JOBS_IN_PROCESS": False, "BUILTIN_SERVICES": False,
        "FITBIT_CLIENT_KEY": "bench", "FITBIT_CLIENT_SECRET": SECRET, "LOG_LEVEL": "WARNING",
    })
    with app.app_context():
        db.create_all()
        for n in range(connections):
            user = User(email=f"user{n}@example.org", password_hash="x")
            db.session.add(user)
            db.session.flush()
            db.session.add(Connection(provider="fitbit", provider_user_id=OWNER if n == 0 else f"OTHER{n:05d}",
                                 user_id=user.id, token={"oauth_token": "t", "oauth_token_secret": "s"}))
        db.session.commit()
    return app


def signed_notification() -> tuple[bytes, dict]:
    body = json.dumps([{"collectionType": "activities", "date": "2026-12-01", "ownerId": OWNER,
                        "ownerType": "user", "subscriptionId": "1"}]).encode()
    signature = base64.b64encode(hmac.new((SECRET + "&").encode(), body, hashlib.sha1).digest()).decode()
    return body, {"X-Fitbit-Signature": signature, "Content-Type": "application/json"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(app, url: str, count: int, take_queued: bool) -> tuple[list[float], list[float]]:
    """Interleave GET / and a signed POST /fitbit/webhook; return their times in ms."""
    body, headers = signed_notification()
    home, hook = [], []
    with requests.Session() as http:
        for n in range(count + 20):  # the first 20 of each warm up
            if take_queued:
                with app.app_context():
                    db.session.execute(delete(SyncRequest))
                    db.session.commit()
            started = time.perf_counter()
            answer = http.get(f"{url}/")
            home_ms = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.status_code
            started = time.perf_counter()
            answer = http.post(f"{url}/fitbit/webhook", data=body, headers=headers)
            hook_ms = (time.perf_counter() - started) * 1000
            assert answer.status_code == 204, answer.status_code
            if n >= 20:
                home.append(home_ms)
                hook.append(hook_ms)
    return home, hook


def main() -> None:
    args = parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder), args.connections)
        with serve_in_thread(app) as server:
            print(f"{args.requests} of each, interleaved; times in ms (client-side, keep-alive)")
            print("| case | home p50 | home p99 | webhook p50 | webhook p99 | ratio p50 | ratio p99 |")
            print("|---|---|---|---|---|---|---|")
            for case, take in (("merge", False), ("queue", True)):
                home, hook = measure(app, server.url, args.requests, take)
                h50, h99 = statistics.median(home), percentile(home, 0.99)
                w50, w99 = statistics.median(hook), percentile(hook, 0.99)
                print(f"| {case} | {h50:.2f} | {h99:.2f} | {w50:.2f} | {w99:.2f} | {w50 / h50:.2f} | {w99 / h99:.2f} |")


if __name__ == "__main__":
    main()
