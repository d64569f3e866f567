"""Load test: fitlink as deployed (gunicorn + a Huey consumer on PostgreSQL and Redis),
logged-in people viewing dashboards while signed webhook notifications stream in.

    .venv/bin/python benchmarks/loadtest.py                  # 150 s, 50 people, 16 browsers
    .venv/bin/python benchmarks/loadtest.py --duration 30    # a quick look

Everything runs on loopback: a fresh PostgreSQL database (dropped afterwards), a
Redis database of its own, gunicorn with gunicorn.conf.py, one huey_consumer,
and the built-in Fitbit-compatible service in this process, which records each
person's new steps and posts the signed notification to fitlink's webhook.
Reports requests per second, latency percentiles and errors per kind of
request, then checks that every notification became exactly one completed
sync job (from the consumer's job log lines) and that every person's steps
for today in fitlink's database equal what the service serves.
"""

import argparse
import itertools
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from services import Browser, free_port, production_stack, wait_until  # noqa: E402

from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today  # noqa: E402
from fitlink.builtin_services.fitbit import record_activity  # noqa: E402


@dataclass
class Samples:
    """Latencies (ms) and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, error: str | None) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies.append(elapsed)
            if error:
                self.errors[error] += 1

    def row(self, name: str, seconds: float) -> str:
        ordered = sorted(self.latencies)
        if not ordered:
            return f"| {name} | 0 | 0 | - | - | - | {sum(self.errors.values())} |"
        cuts = statistics.quantiles(ordered, n=100, method="inclusive")
        return (f"| {name} | {len(ordered)} | {len(ordered) / seconds:.1f} | {cuts[49]:.0f} | "
                f"{cuts[94]:.0f} | {cuts[98]:.0f} | {sum(self.errors.values())} |")


def view_dashboards(browsers: list[Browser], base: str, until: float, samples: Samples) -> None:
    """One browser tab per thread, cycling through its people's dashboards."""
    for browser in itertools.cycle(browsers):
        if time.monotonic() >= until:
            return
        started = time.perf_counter()
        try:
            answer = browser.get(f"{base}/dashboard", allow_redirects=False)
            error = None if answer.status_code == 200 and "Log out" in answer.text else f"HTTP {answer.status_code}"
        except Exception as err:  # a failed request is a result here, not a crash
            error = type(err).__name__
        samples.add(started, error)


def notify(demo, accounts: list[str], rate: float, until: float, samples: Samples,
           sent: Counter) -> None:
    """Record steps for one person after another at `rate` per second; each posts a signed notification."""
    interval = 1 / rate
    next_at = time.monotonic()
    for number, account in enumerate(itertools.cycle(accounts)):
        if time.monotonic() >= until:
            return
        steps = 100 + number % 900
        started = time.perf_counter()
        try:
            statuses = record_activity(demo, account, steps)
            error = None if statuses == [204] else f"statuses {statuses}"
        except Exception as err:
            error = type(err).__name__
        samples.add(started, error)
        sent[account] += steps
        sent["notifications"] += 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


def sign_up_and_connect(base: str, people: int) -> list[tuple[Browser, str]]:
    """Create `people` accounts, each connected to its own account on the built-in service."""
    browsers = []
    for number in range(people):
        browser, account = Browser(), f"load{number:03d}"
        browser.sign_up(base, f"{account}@example.org")
        assert browser.connect(base, account=account).status_code == 200
        browsers.append((browser, account))
    return browsers


def imports_done(engine, people: int) -> bool:
    with engine.connect() as connection:
        pending = connection.execute(text(
            "SELECT count(*) FROM sync_states WHERE NOT backfill_done")).scalar_one()
        users = connection.execute(text("SELECT count(DISTINCT connection_id) FROM sync_states")).scalar_one()
    return users == people and pending == 0


def completed_syncs(stack) -> Counter:
    return Counter(job["result"] for job in stack.jobs("consumer"))


def stored_today(engine, accounts: list[str]) -> dict[str, float]:
    with engine.connect() as connection:
        return {
            account: connection.execute(text(
                "SELECT m.value FROM daily_metrics m JOIN users u ON u.id = m.user_id"
                " WHERE u.email = :email AND m.metric = 'steps' AND m.day = :day"),
                {"email": f"{account}@example.org", "day": local_today(get_account(account))},
            ).scalar_one()
            for account in accounts
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=150, help="seconds of load (default 150)")
    parser.add_argument("--people", type=int, default=50, help="signed-up, connected people (default 50)")
    parser.add_argument("--browsers", type=int, default=16, help="concurrent dashboard viewers (default 16)")
    parser.add_argument("--notify-rate", type=float, default=5, help="notifications per second (default 5)")
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--job-workers", type=int, default=4, help="consumer threads (default 4)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the in-process service's request lines

    workdir = Path(tempfile.mkdtemp(prefix="fitlink-load-"))
    port = free_port()
    # Every simulated person signs up and logs in from 127.0.0.1: lift the per-address throttle.
    with production_stack(workdir, subscriber_port=port, BACKFILL_MAX_DAYS=30,
                          THROTTLE_SIGNUP_PER_ADDRESS="10000 per hour",
                          THROTTLE_LOGIN_PER_ADDRESS="10000 per hour") as (stack, demo):
        engine = create_engine(stack.database_url, pool_size=2)
        base = stack.web(port, workers=args.web_workers)
        stack.consumer("consumer", workers=args.job_workers)
        # The consumer's catch-up at start would count as one more sync: let it pass first.
        wait_until(lambda: stack.jobs("consumer", task="refresh_stale"), timeout=30,
                   message="the consumer did not start")
        print(f"setting up {args.people} connected people ...", flush=True)
        people = sign_up_and_connect(base, args.people)
        wait_until(lambda: imports_done(engine, args.people), timeout=300, interval=1,
                   message="the history imports did not finish")
        # A job's log line follows its last commit: wait for the imports' own lines.
        wait_until(lambda: completed_syncs(stack)["complete"] >= args.people, timeout=30,
                   message="the imports' job lines are missing")
        before = completed_syncs(stack)

        print(f"load for {args.duration:.0f} s: {args.browsers} browsers, "
              f"{args.notify_rate}/s notifications ...", flush=True)
        dashboards, webhooks, sent = Samples(), Samples(), Counter()
        until = time.monotonic() + args.duration
        started = time.monotonic()
        accounts = [account for _, account in people]
        threads = [threading.Thread(target=notify, args=(demo, accounts, args.notify_rate, until, webhooks, sent))]
        for number in range(args.browsers):
            mine = [browser for browser, _ in people[number::args.browsers]]
            threads.append(threading.Thread(target=view_dashboards, args=(mine, base, until, dashboards)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        notifications = sent.pop("notifications")
        drained = time.monotonic()
        # Wait for the queue to drain: every notification's job, plus any retry of a locked one.
        try:
            wait_until(lambda: (completed_syncs(stack) - before)["complete"] >= notifications,
                       timeout=120, interval=0.5)
        except AssertionError:
            pass
        time.sleep(3)  # a duplicate, were there one, would show up now
        drain_seconds = time.monotonic() - drained
        jobs = completed_syncs(stack) - before

        expected = {account: daily_values(account, local_today(get_account(account)))["steps"] + sent[account]
                    for account in accounts}
        stored = stored_today(engine, accounts)
        wrong = {account: (stored[account], expected[account])
                 for account in accounts if stored[account] != expected[account]}
        engine.dispose()

    print()
    print(f"{elapsed:.0f} s of load on {stack_description(args)}")
    print("| request | count | per second | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    print(dashboards.row("GET /dashboard (logged in)", elapsed))
    print(webhooks.row("POST /fitbit/webhook (signed)", elapsed))
    total = len(dashboards.latencies) + len(webhooks.latencies)
    print(f"| all | {total} | {total / elapsed:.1f} | | | | "
          f"{sum(dashboards.errors.values()) + sum(webhooks.errors.values())} |")
    print()
    print(f"notifications sent: {notifications}; sync jobs after them: {dict(jobs)} "
          f"(queue drained {drain_seconds:.1f} s after the load stopped)")
    print(f"people whose steps for today differ from the service's: {len(wrong)} {wrong or ''}")
    for kind, samples in (("dashboard", dashboards), ("webhook", webhooks)):
        if samples.errors:
            print(f"{kind} errors: {dict(samples.errors)}")
    ok = (not dashboards.errors and not webhooks.errors and not wrong
          and jobs["complete"] == notifications and sum(jobs.values()) - jobs["locked"] == notifications)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def stack_description(args) -> str:
    workers = args.web_workers
    web = f"{workers} gunicorn workers" if workers else "gunicorn (workers from gunicorn.conf.py)"
    return f"{web}, 1 huey_consumer with {args.job_workers} threads, PostgreSQL + Redis"


if __name__ == "__main__":
    sys.exit(main())
