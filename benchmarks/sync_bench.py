"""Calls and wall time to import 1 and 3 years of history, fitlink against fixed-chunk fetchers.

Runs the real sync engine against the built-in service on a real port, once
with fitlink's plan (each endpoint's longest range) and once per fixed-chunk
strategy, then times webhook POSTs with the job queue in place.

    .venv/bin/python benchmarks/sync_bench.py
"""

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CLIENT_SECRET, build_app, connect, make_config, signup  # noqa: E402

from fitlink import jobs  # noqa: E402
from fitlink.demo_fitbit import call_log, create_demo_app, reset_call_log  # noqa: E402
from fitlink.demo_fitbit.accounts import get_account  # noqa: E402
from fitlink.demo_fitbit.server import serve_in_thread  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.fitbit import link as fitbit_link  # noqa: E402
from fitlink.fitbit.source import ENDPOINTS, FitbitSource  # noqa: E402
from fitlink.models import User  # noqa: E402
from fitlink.sources import METRICS  # noqa: E402
from fitlink.sync import sync_user  # noqa: E402
from fitlink.sync.plan import minimum_calls  # noqa: E402

ACTIVITY = ("steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes")
STRATEGIES = {
    "fitlink (longest range per endpoint)": None,
    "30-day chunks": {metric: 30 for metric in METRICS},
    "360/98/28-day chunks": {
        **{metric: 360 for metric in ACTIVITY},
        "resting_heart_rate": 360,
        "sleep": 98,
        "weight": 28,
    },
}


class ChunkedSource(FitbitSource):
    """The Fitbit source with a fixed chunk length per metric, as other fetchers use."""

    chunk_days: dict[str, int] = {}

    def max_days(self, metric):
        return self.chunk_days[metric]


def backfill(years: int, chunk_days: dict | None, workdir: Path) -> tuple[int, float, int]:
    """Import `years` of alex's history; return API calls, seconds and rows written."""
    demo = create_demo_app({
        "SECRET_KEY": "bench", "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
        "DEMO_FITBIT_RATE_LIMIT": 10_000,
    })
    with serve_in_thread(demo) as provider:
        app = build_app(make_config(workdir, provider.url, BACKFILL_MAX_DAYS=365 * years,
                                    JOBS_IMMEDIATE=False, ))
        client = app.test_client()
        signup(client)
        connect(client, account="alex")  # queues the import; run it below, timed
        jobs.huey.flush()
        reset_call_log(demo)
        with app.app_context():
            user = db.session.execute(db.select(User)).scalar_one()
            source = fitbit_link.source_for(user.fitbit.token)
            if chunk_days:
                source.__class__ = ChunkedSource
                ChunkedSource.chunk_days = chunk_days
            started = time.perf_counter()
            result = sync_user(user.id, source=source, reserve=0)
            elapsed = time.perf_counter() - started
        assert result.outcome == "complete", result
        return len(call_log(demo)), elapsed, result.rows


def webhook_latency(workdir: Path, count: int = 300) -> tuple[float, float, int]:
    """POST signed notifications to a served fitlink with a real (SQLite) queue; return p50, p99 ms, jobs queued."""
    demo = create_demo_app({"SECRET_KEY": "bench", "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET}})
    with serve_in_thread(demo) as provider:
        app = build_app(make_config(workdir, provider.url, JOBS_IMMEDIATE=False))
        client = app.test_client()
        signup(client)
        connect(client, account="alex")
        jobs.huey.flush()
    body = json.dumps([{"collectionType": "activities", "date": "2026-11-20",
                        "ownerId": get_account("alex").encoded_id,
                        "ownerType": "user", "subscriptionId": "1"}]).encode()
    key = (CLIENT_SECRET + "&").encode()
    signature = base64.b64encode(hmac.new(key, body, hashlib.sha1).digest()).decode()
    timings = []
    with serve_in_thread(app) as server, requests.Session() as http:
        for _ in range(count):
            started = time.perf_counter()
            answer = http.post(server.url + "/fitbit/webhook", data=body,
                               headers={"X-Fitbit-Signature": signature, "Content-Type": "application/json"})
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 204
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[98], jobs.huey.pending_count()


def main() -> None:
    for noisy in ("werkzeug", "fitlink.request", "fitlink.job", "fitlink.jobs", "fitlink.sync"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    longest = {metric: ENDPOINTS[metric][1] for metric in METRICS}
    print("| history | strategy | API calls | minimum | wall time (s) | rows |")
    print("|---|---|---|---|---|---|")
    for years in (1, 3):
        days = 365 * years
        for name, chunks in STRATEGIES.items():
            with tempfile.TemporaryDirectory() as tmp:
                calls, seconds, rows = backfill(years, chunks, Path(tmp))
            print(f"| {years} year{'s' * (years > 1)} | {name} | {calls} | "
                  f"{minimum_calls(days, longest)} | {seconds:.2f} | {rows} |")
    with tempfile.TemporaryDirectory() as tmp:
        p50, p99, queued = webhook_latency(Path(tmp))
    print(f"\nwebhook POST, signature checked and a sync queued (Huey on SQLite): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over 300 requests; {queued} jobs queued")


if __name__ == "__main__":
    main()
