"""Google Health: the calls for N days (default 90) of intraday detail, next to the fewest the limits allow.

Runs the built-in Google Health service on a loopback port, consents as a demo account,
and fetches the minute series (steps, heart rate, calories) the way the sync engine plans
them (INTRADAY_BACKFILL_DAYS back, chunks of the source's max_days), then counts the API
calls in the service's call log.

The fewest calls, from the documented limits (google-health-api.md, fitlink/google_health/intraday.py):
one rollUp answers at most 10,000 one-minute windows (the range limits, 14 or 90 days, are
wider than that), so N local days need ceil(minutes / 10,000) calls per series, plus one
users.getSettings call for the person's time zone (rollUp windows are physical time).
For comparison it also counts what list would take for heart rate: the service's samples
over the same days at 10,000 points a page (Google caps pages near 5,000 in practice).

    .venv/bin/python benchmarks/google_health_calls.py [--days 90] [--account alex]
"""

import argparse
import math
import os
import re
import sys
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from requests_oauthlib import OAuth2Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fitlink import clock  # noqa: E402
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today  # noqa: E402
from fitlink.builtin_services.common.server import serve_in_thread  # noqa: E402
from fitlink.builtin_services.google_health import call_log, create_demo_app, reset_call_log  # noqa: E402
from fitlink.builtin_services.google_health.intraday import day_detail  # noqa: E402
from fitlink.google_health.blueprint import SCOPES  # noqa: E402
from fitlink.google_health.client import Credentials, GoogleHealthClient  # noqa: E402
from fitlink.google_health.intraday import MINUTE_TYPES, WINDOWS_PER_CALL  # noqa: E402
from fitlink.google_health.source import GoogleHealthSource  # noqa: E402
from fitlink.models import SyncState  # noqa: E402
from fitlink.sync import plan  # noqa: E402

CLIENT_ID, CLIENT_SECRET = "fitlink-bench.apps.googleusercontent.com", "bench-secret"
REDIRECT = "http://127.0.0.1:9/google_health/authorized"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)  # a fixed day: the counts do not drift


def consent(url: str, account: str) -> dict:
    """Allow the benchmark's client on the service's consent page; return the token."""
    oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=SCOPES, pkce="S256")
    authorize, _ = oauth.authorization_url(f"{url}/o/oauth2/v2/auth", access_type="offline", prompt="consent")
    with requests.Session() as browser:
        page = browser.get(authorize, timeout=10)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        form = [("csrf_token", csrf), ("account", account), ("other_account", ""), ("allow", "Allow")]
        answer = browser.post(authorize, data=form + [("scopes", s) for s in SCOPES], allow_redirects=False,
                              timeout=10)
    return oauth.fetch_token(f"{url}/token", authorization_response=answer.headers["Location"],
                             client_secret=CLIENT_SECRET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, help="days of intraday detail (FITLINK_INTRADAY_BACKFILL_DAYS)")
    parser.add_argument("--account", default="alex", help="demo account (alex: Europe/Berlin)")
    args = parser.parse_args()
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the service listens on loopback only
    clock.travel_to(NOW)
    app = create_demo_app({"SECRET_KEY": "bench", "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET}})
    account = get_account(args.account)
    today = local_today(account)
    floor = today - timedelta(days=args.days - 1)
    with serve_in_thread(app) as server:
        creds = Credentials(server.url, f"{server.url}/token", CLIENT_ID, CLIENT_SECRET)
        source = GoogleHealthSource(GoogleHealthClient(creds, consent(server.url, args.account), lambda token: None))
        reset_call_log(app)
        chunks = plan.order([chunk for detail in MINUTE_TYPES
                             for chunk in plan.chunks(detail, SyncState(), today, floor, source.max_days(detail))])
        days = Counter()
        for chunk in chunks:
            days[chunk.metric] += len(source.fetch(chunk.metric, chunk.start, chunk.end))
        calls = Counter(call.data_type or call.path.rsplit("/", 1)[-1] for call in call_log(app))
        source.close()

    zone = ZoneInfo(account.timezone)
    # Physical minutes: a day clocks go back has 1,500, one they go forward 1,380.
    minutes = (datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
               - datetime.combine(floor, time(0), tzinfo=zone).astimezone(timezone.utc)) // timedelta(minutes=1)
    fewest = math.ceil(minutes / WINDOWS_PER_CALL)
    samples = 0
    for n in range(args.days):
        day = floor + timedelta(days=n)
        values = daily_values(args.account, day)
        samples += len(day_detail(args.account, day, values["steps"], values["calories"]).beats)

    print(f"Google Health intraday detail: {args.days} days for {args.account} ({account.timezone}), "
          f"{floor}..{today}, {minutes:,} minutes")
    print(f"{'series':<22}{'data type':<16}{'days':>6}{'calls':>8}{'fewest':>8}")
    for detail, (data_type, *_) in MINUTE_TYPES.items():
        print(f"{detail:<22}{data_type:<16}{days[detail]:>6}{calls[data_type]:>8}{fewest:>8}")
    print(f"{'time zone':<22}{'settings':<16}{'':>6}{calls['settings']:>8}{1:>8}")
    total = sum(calls.values())
    print(f"{'total':<44}{total:>8}{3 * fewest + 1:>8}")
    print(f"list instead of rollUp for heart rate: {samples:,} samples = {math.ceil(samples / 10_000)} pages "
          f"of 10,000 ({math.ceil(samples / 5_000)} at the ~5,000 live cap) against {fewest} rollUp calls")


if __name__ == "__main__":
    main()
