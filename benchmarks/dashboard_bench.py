"""Time the dashboard on a big SQLite database: 1,000 users with 3 years of data each.

    .venv/bin/python benchmarks/dashboard_bench.py            # build (once) and measure
    .venv/bin/python benchmarks/dashboard_bench.py --rebuild  # start from an empty database

The database is filled with bulk inserts (about 10 million rows) and kept in
instance/ for the next run. Each page is requested through the Flask test client;
the time printed is the server's time for the whole request (session, user,
queries, rendering), wall clock and CPU time of the serving thread (the latter
barely moves when other programs load the machine), and the query count is every
SQL statement the request ran.
"""

import argparse
import json
import logging
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import event, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fitlink import create_app  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.models import OAuth, SyncState, User  # noqa: E402
from fitlink.sources import METRICS  # noqa: E402

RANGES = (7, 30, 90, 365)
TIMEZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Pacific/Kiritimati")
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=3 * 365)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per range")
    parser.add_argument("--db", type=Path, default=ROOT / "instance" / "dashboard_bench.sqlite")
    parser.add_argument("--ranges", type=int, nargs="+", default=list(RANGES))
    parser.add_argument("--rebuild", action="store_true")
    return parser.parse_args()


def build_app(db_path: Path):
    """A production-like app on the benchmark database (no built-in service, no job consumer)."""
    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "FITBIT_CLIENT_KEY": "bench", "FITBIT_CLIENT_SECRET": "bench",
        "FITBIT_API_BASE_URL": "http://127.0.0.1:9", "JOBS_IN_PROCESS": False,
        "HUEY_SQLITE_PATH": str(db_path.with_suffix(".huey")),
    })
    # One JSON line per request would drown the results.
    logging.getLogger("fitlink.request").setLevel(logging.WARNING)
    return app


def day_rows(user_id: int, day: date, rng: random.Random, stamp: str) -> list[tuple]:
    """One user's rows for one day, like the built-in service's data (weight 3 days in 10)."""
    steps = rng.randint(2000, 20000)
    rows = [
        (user_id, "steps", day, steps), (user_id, "distance", day, round(steps * 0.00075, 2)),
        (user_id, "calories", day, 1800 + steps // 10), (user_id, "floors", day, steps // 1200),
        (user_id, "very_active_minutes", day, rng.randint(0, 90)),
        (user_id, "fairly_active_minutes", day, rng.randint(5, 40)),
        (user_id, "resting_heart_rate", day, rng.randint(52, 68)),
    ]
    out = [(u, m, d.isoformat(), float(v), None, stamp) for u, m, d, v in rows]
    asleep = rng.randint(300, 500)
    deep, rem, wake = asleep // 6, asleep // 5, rng.randint(20, 60)
    details = {"type": "stages", "stages": {"deep": deep, "light": asleep - deep - rem, "rem": rem, "wake": wake},
               "minutes_awake": wake, "time_in_bed": asleep + wake, "efficiency": 90}
    out.append((user_id, "sleep", day.isoformat(), float(asleep), json.dumps(details), stamp))
    if rng.random() < 0.3:
        out.append((user_id, "weight", day.isoformat(), round(rng.uniform(60, 90), 1), None, stamp))
    return out


def fill(app, users: int, days: int) -> None:
    """Create the schema and bulk-insert users, links, sync states and daily rows."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = datetime.now(timezone.utc)
        today = now.date()
        db.session.execute(insert(User), [
            {"id": i, "email": f"user{i}@example.org", "password_hash": "-", "created_at": now}
            for i in range(1, users + 1)])
        db.session.execute(insert(OAuth), [
            {"provider": "fitbit", "provider_user_id": f"U{i:05d}", "user_id": i, "token": {},
             "display_name": f"User {i}", "timezone": TIMEZONES[i % len(TIMEZONES)],
             "distance_unit": "METRIC" if i % 3 else "en_US", "weight_unit": "METRIC" if i % 3 else "en_US",
             "goals": {"steps": 10000}, "created_at": now}
            for i in range(1, users + 1)])
        db.session.execute(insert(SyncState), [
            {"user_id": i, "resource": metric, "oldest_synced": today - timedelta(days=days),
             "newest_synced": today, "backfill_done": True, "last_success": now}
            for i in range(1, users + 1) for metric in METRICS])
        db.session.commit()
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA journal_mode=OFF")
            raw.execute("PRAGMA synchronous=OFF")
            stamp = now.strftime(STAMP)
            sql = ("INSERT INTO daily_metrics (user_id, metric, day, value, details, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)")
            for user_id in range(1, users + 1):
                rng = random.Random(user_id)
                rows = [row for offset in range(days + 2)
                        for row in day_rows(user_id, today + timedelta(days=1 - offset), rng, stamp)]
                raw.executemany(sql, rows)
                if user_id % 100 == 0:
                    raw.commit()
                    print(f"  {user_id} users filled", flush=True)
            raw.commit()
            raw.execute("ANALYZE")
        finally:
            raw.close()


def use_wal(app) -> None:
    """Put the database file in WAL mode, as a production SQLite should be: the session
    write every request makes then costs a fraction of a millisecond instead of several."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()


def filled_users(app) -> int:
    with app.app_context():
        try:
            db.session.execute(select(OAuth).limit(1)).all()  # fails on a database of an older schema
            return db.session.execute(select(func.count()).select_from(User)).scalar_one()
        except Exception:
            return 0


def logged_in_client(app, user_id: int):
    """A test client whose session belongs to user_id, as after logging in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def count_queries(app, client, path: str) -> int:
    """Return the SQL statements one request runs (counted apart: a listener slows every query)."""
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def measure(app, users: int, requests: int, ranges: list[int]) -> None:
    """Request the dashboard at each range for random users; print p50/p95 and queries per page."""
    rng = random.Random(7)
    clients = {uid: logged_in_client(app, uid) for uid in rng.sample(range(1, users + 1), min(users, 100))}
    ids = list(clients)
    print(f"{'range':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'queries':>8} {'page KB':>8}")
    for days in ranges:
        path = f"/dashboard?range={days}"
        for uid in ids:  # log each client in once (its first request writes the session) and warm caches
            clients[uid].get(path)
        times, cpu, size = [], [], 0
        for _ in range(requests):
            client = clients[rng.choice(ids)]
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.status_code
            size = len(response.data)
        queries = {count_queries(app, clients[uid], path) for uid in ids[:10]}
        p95, cpu_p95 = statistics.quantiles(times, n=20)[-1], statistics.quantiles(cpu, n=20)[-1]
        print(f"{days:>6} {statistics.median(times):>8.1f} {p95:>8.1f} {max(times):>8.1f} "
              f"{statistics.median(cpu):>8.1f} {cpu_p95:>8.1f} "
              f"{'/'.join(map(str, sorted(queries))):>8} {size / 1024:>8.0f}", flush=True)


def main() -> None:
    args = parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    app = build_app(args.db)
    if args.rebuild or filled_users(app) != args.users:
        print(f"Filling {args.db} with {args.users} users x {args.days} days ...", flush=True)
        started = time.perf_counter()
        fill(app, args.users, args.days)
        print(f"  done in {time.perf_counter() - started:.0f} s, "
              f"{args.db.stat().st_size / 2**20:.0f} MiB", flush=True)
    use_wal(app)
    measure(app, args.users, args.requests, args.ranges)


if __name__ == "__main__":
    main()
