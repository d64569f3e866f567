"""Calls and wall time to import 1 and 3 years of history: Fitbit against fixed-chunk fetchers, and Google Health.

Runs the real sync engine (`sync_connection`) against the built-in services on
a real port: Fitbit once with fitlink's plan (each endpoint's longest range)
and once per fixed-chunk strategy, Google Health with fitlink's plan next to
the fewest calls its documented limits allow; then times webhook POSTs with
the job queue in place.

    .venv/bin/python benchmarks/sync_bench.py
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CLIENT_SECRET, build_app, connect, local_path, make_config, signup  # noqa: E402

from fitlink import clock, jobs, sources  # noqa: E402
from fitlink.builtin_services import google_health as builtin_google_health  # noqa: E402
from fitlink.builtin_services.common.accounts import daily_values, get_account  # noqa: E402
from fitlink.builtin_services.common.server import serve_in_thread  # noqa: E402
from fitlink.builtin_services.fitbit import call_log, create_demo_app, reset_call_log  # noqa: E402
from fitlink.dates import history_floor, local_today  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.fitbit.connection import open_source  # noqa: E402
from fitlink.fitbit.source import ENDPOINTS, FitbitSource  # noqa: E402
from fitlink.builtin_services.google_health.intraday import day_detail, nap_of  # noqa: E402
from fitlink.google_health import source as gh  # noqa: E402
from fitlink.google_health.intraday import WINDOWS_PER_CALL  # noqa: E402
from fitlink.google_health.blueprint import SCOPES  # noqa: E402
from fitlink.models import Connection  # noqa: E402
from fitlink.sources import METRICS, MINUTE_DETAILS  # noqa: E402
from fitlink.sync import sync_connection  # noqa: E402
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
GOOGLE_ID, GOOGLE_SECRET = "fitlink-bench.apps.googleusercontent.com", "bench-google-secret"


class ChunkedSource(FitbitSource):
    """The Fitbit source with a fixed chunk length per metric, as other fetchers use."""

    chunk_days: dict[str, int] = {}

    def max_days(self, metric):
        # Metrics a strategy does not name (the newer ones, the minute series) keep fitlink's own range.
        return min(self.chunk_days.get(metric, ENDPOINTS[metric][1]), ENDPOINTS[metric][1])


def use_chunks(app, chunk_days: dict) -> None:
    """Make the app's Fitbit kind open ChunkedSources (the engine opens sources through the kind)."""
    def open_chunked(connection):
        source = open_source(connection)
        source.__class__ = ChunkedSource
        return source

    ChunkedSource.chunk_days = chunk_days
    registered = app.extensions[sources.registry.EXTENSION]
    registered["fitbit"] = dataclasses.replace(registered["fitbit"], open=open_chunked)


def timed_sync(app) -> tuple[float, int]:
    """Run the connection's import as a background job would; return seconds and rows written."""
    with app.app_context():
        connection_id = db.session.execute(db.select(Connection.id)).scalar_one()
        started = time.perf_counter()
        result = sync_connection(connection_id)
        elapsed = time.perf_counter() - started
    assert result.outcome == "complete", result
    return elapsed, result.rows


def resumed_sync(app) -> tuple[float, int]:
    """Like timed_sync, but past fitlink's own pace (250 calls a minute to Google Health) the
    import pauses and is resumed when it said, as the job queue would; the wait is not timed."""
    seconds = rows = 0
    with app.app_context():
        connection_id = db.session.execute(db.select(Connection.id)).scalar_one()
        while True:
            started = time.perf_counter()
            result = sync_connection(connection_id)
            seconds += time.perf_counter() - started
            rows += result.rows
            if result.outcome != "rate_limited":
                break
            time.sleep(max(0.0, (result.retry_at - clock.now()).total_seconds()))
    assert result.outcome == "complete", result
    return seconds, rows


def backfill(years: int, chunk_days: dict | None, workdir: Path) -> tuple[int, float, int]:
    """Import `years` of alex's Fitbit history; return API calls, seconds and rows written."""
    demo = create_demo_app({
        "SECRET_KEY": "bench", "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
        "DEMO_FITBIT_RATE_LIMIT": 10_000,
    })
    with serve_in_thread(demo) as provider:
        app = build_app(make_config(workdir, provider.url, BACKFILL_MAX_DAYS=365 * years, JOBS_IMMEDIATE=False))
        client = app.test_client()
        signup(client)
        connect(client, account="alex")  # queues the import; run it below, timed
        jobs.huey.flush()
        if chunk_days:
            use_chunks(app, chunk_days)
        reset_call_log(demo)
        seconds, rows = timed_sync(app)
        return len(call_log(demo)), seconds, rows


def fitbit_minimum(days: int, intraday_days: int) -> int:
    """The fewest Fitbit calls for `days` of alex's history: each endpoint's longest range (alex logs at
    most a workout a day: 100 days of the activity log list are one page), a call a day per minute series."""
    account = get_account("alex")
    days = min(days, (local_today(account.timezone) - account.member_since).days + 1)
    ranged = {metric: longest for metric, (_path, longest) in ENDPOINTS.items() if metric not in MINUTE_DETAILS}
    return minimum_calls(days, ranged) + len(MINUTE_DETAILS) * intraday_days


def consent(url: str, account: str = "alex") -> str:
    """Allow every scope on the built-in Google Health consent page; return the callback URL."""
    with requests.Session() as browser:
        page = browser.get(url)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        form = [("csrf_token", csrf), ("account", account), ("other_account", ""), ("allow", "Allow")]
        answer = browser.post(url, data=form + [("scopes", scope) for scope in SCOPES], allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def google_backfill(years: int, workdir: Path) -> tuple[int, int, float, int]:
    """Import `years` of alex's history from Google Health; return API calls, the minimum, seconds, rows."""
    demo = builtin_google_health.create_demo_app({
        "SECRET_KEY": "bench", "DEMO_GOOGLE_HEALTH_CLIENTS": {GOOGLE_ID: GOOGLE_SECRET},
        "DEMO_GOOGLE_HEALTH_RATE_LIMIT": 10_000,
    })
    with serve_in_thread(demo) as google:
        app = build_app(make_config(
            workdir, "http://127.0.0.1:9/demo-fitbit", BACKFILL_MAX_DAYS=365 * years, JOBS_IMMEDIATE=False,
            GOOGLE_HEALTH_CLIENT_ID=GOOGLE_ID, GOOGLE_HEALTH_CLIENT_SECRET=GOOGLE_SECRET,
            GOOGLE_HEALTH_AUTHORIZATION_URL=f"{google.url}/o/oauth2/v2/auth",
            GOOGLE_HEALTH_TOKEN_URL=f"{google.url}/token", GOOGLE_HEALTH_REVOKE_URL=f"{google.url}/revoke",
            GOOGLE_HEALTH_API_BASE_URL=google.url, GOOGLE_HEALTH_WEBHOOK_SECRET="Bearer bench"))
        client = app.test_client()
        signup(client)
        start = client.get("/google_health")
        assert start.status_code == 302, start.text
        client.get(local_path(consent(start.headers["Location"])))  # stores the grant, queues the import
        jobs.huey.flush()
        builtin_google_health.reset_call_log(demo)
        seconds, rows = resumed_sync(app)
        calls = len(builtin_google_health.call_log(demo))
        with app.app_context():
            connection = db.session.execute(db.select(Connection)).scalar_one()
            today = local_today(connection.timezone)
            floor = history_floor(connection.member_since, today, 365 * years)
    return calls, google_minimum(floor, today), seconds, rows


def google_minimum(first, last) -> int:
    """The fewest calls Google Health's documented limits allow for alex from first to last.

    One dailyRollUp per 90 days (steps, distance, floors, sedentary periods, Active Zone
    Minutes, time in heart-rate zones) or 14 days (total-calories; active-minutes, shared by
    very, fairly and lightly active), one list page per 25 sleeps (naps included) or
    exercises, one list page (10,000 points) each for resting heart rate, weight, body fat
    and the five daily types (HRV, SpO2, respiratory rate, sleep temperature, VO2 max); and
    for the minute series, INTRADAY_BACKFILL_DAYS back, one rollUp per 10,000 minutes for
    each of steps, heart rate and calories, plus one settings call for the time zone.
    """
    days = (last - first).days + 1
    span = [first + timedelta(days=n) for n in range(days)]
    sleeps = sum((daily_values("alex", day)["sleep"] is not None) + (nap_of("alex", day) is not None) for day in span)
    exercises = sum(len(day_detail("alex", day, v["steps"], v["calories"]).exercises)
                    for day, v in ((day, daily_values("alex", day)) for day in span))
    rollups = {"steps": gh.ROLLUP_DAYS, "distance": gh.ROLLUP_DAYS, "floors": gh.ROLLUP_DAYS,
               "total-calories": gh.SHORT_ROLLUP_DAYS, "active-minutes": gh.SHORT_ROLLUP_DAYS,
               "sedentary-period": gh.ROLLUP_DAYS, "active-zone-minutes": gh.ROLLUP_DAYS,
               "time-in-heart-rate-zone": gh.ROLLUP_DAYS}
    minute_days = min(days, 90)  # FITLINK_INTRADAY_BACKFILL_DAYS, the default
    zone = ZoneInfo(get_account("alex").timezone)
    minutes = (datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
               - datetime.combine(last - timedelta(days=minute_days - 1), datetime.min.time(), tzinfo=zone).astimezone(
                   timezone.utc)) // timedelta(minutes=1)
    return (minimum_calls(days, rollups) + max(1, -(-sleeps // gh.LISTS["sleep"][2]))
            + max(1, -(-exercises // gh.LISTS["exercises"][2])) + 8
            + 3 * -(-minutes // WINDOWS_PER_CALL) + 1)


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
    for noisy in ("werkzeug", "fitlink.request", "fitlink.job", "fitlink.jobs", "fitlink.sync",
                  "fitlink.google_health"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    intraday_days = make_config(Path("."), "")["INTRADAY_BACKFILL_DAYS"]
    print("| history | source | strategy | API calls | minimum | wall time (s) | rows |")
    print("|---|---|---|---|---|---|---|")
    for years in (1, 3):
        days = 365 * years
        history = f"{years} year{'s' * (years > 1)}"
        for name, chunks in STRATEGIES.items():
            with tempfile.TemporaryDirectory() as tmp:
                calls, seconds, rows = backfill(years, chunks, Path(tmp))
            print(f"| {history} | Fitbit | {name} | {calls} | {fitbit_minimum(days, intraday_days)} | "
                  f"{seconds:.2f} | {rows} |", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            calls, minimum, seconds, rows = google_backfill(years, Path(tmp))
        print(f"| {history} | Google Health | fitlink (documented limits) | {calls} | {minimum} | "
              f"{seconds:.2f} | {rows} |", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        p50, p99, queued = webhook_latency(Path(tmp))
    print(f"\nwebhook POST, signature checked and a sync queued (Huey on SQLite): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over 300 requests; {queued} jobs queued")


if __name__ == "__main__":
    main()
