"""Time the dashboard and its polling endpoint on a big SQLite database: 1,000 users with 3 years of data each.

    .venv/bin/python benchmarks/dashboard_bench.py            # build (once) and measure
    .venv/bin/python benchmarks/dashboard_bench.py --rebuild  # start from an empty database
    .venv/bin/python benchmarks/dashboard_bench.py --ten-years  # "All" over ten years against 365 days

--ten-years builds its own database (instance/dashboard_bench_10y.sqlite): --users people
(default 30) with ten years of every daily metric, the newer ones included, in `daily_metrics`
only (the dashboard reads nothing else). It then requests /dashboard?range=365 and
/dashboard?range=all for random people, alternating the two so the machine's drift touches
both alike, and prints each one's times and the ratio of their p95s (target: All's <= 365's).

The database is filled with bulk inserts and kept in instance/ for the next run:
a Fitbit connection per user with its sync states, and each user's rows in both
`daily_metrics` (shown) and `source_metrics` (per source), about 8 million rows
each. One user in ten is still importing (120 days so far); the page polls
`/dashboard/live` for those, which is timed both when nothing changed (204, the
page's stamp passed as ?seen=) and when it renders. Each request goes through
the Flask test client; the time printed is the server's time for the whole
request (session, user, queries, rendering), wall clock and CPU time of the
serving thread (the latter barely moves when other programs load the machine),
and the query count is every SQL statement the request ran.
"""

import argparse
import gc
import html
import json
import logging
import random
import re
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fitlink import create_app  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.models import DailyMetric, Connection, SourceMetric, SyncState, User  # noqa: E402
from fitlink.sources import METRICS  # noqa: E402

RANGES = (7, 30, 90, 365)
TIMEZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Pacific/Kiritimati")
STAMP = "%Y-%m-%d %H:%M:%S.%f"
SOURCE = "fitbit"
IMPORTED_DAYS = 120  # what a user still importing has so far


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=3 * 365)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per range")
    parser.add_argument("--db", type=Path, default=ROOT / "instance" / "dashboard_bench.sqlite")
    parser.add_argument("--ranges", type=int, nargs="+", default=list(RANGES))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--ten-years", action="store_true", help="All over ten years against the 365-day view")
    parser.add_argument("--no-gc-freeze", action="store_true", help="with --ten-years: leave the whole heap to the GC")
    args = parser.parse_args()
    if args.ten_years:
        args.days = 3653
        args.users = 30 if args.users == 1000 else args.users
        args.requests = 150 if args.requests == 300 else args.requests
        if args.db == parser.get_default("db"):
            args.db = ROOT / "instance" / "dashboard_bench_10y.sqlite"
    return args


def build_app(db_path: Path):
    """A production-like app on the benchmark database (no built-in service, no job consumer)."""
    # One JSON line per request would drown the results.
    for noisy in ("fitlink.request", "fitlink.transport"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "FITBIT_CLIENT_KEY": "bench", "FITBIT_CLIENT_SECRET": "bench",
        "FITBIT_API_BASE_URL": "http://127.0.0.1:9", "JOBS_IN_PROCESS": False,
        "HUEY_SQLITE_PATH": str(db_path.with_suffix(".huey")),
    })
    return app


def health_rows(user_id: int, day: date, rng: random.Random, stamp: str) -> list[tuple]:
    """The newer metrics of one day: nightly HRV, SpO2, breathing, skin temperature, the day's minutes;
    cardio fitness one day in seven, body fat with a weigh-in (3 days in 10)."""
    rows = [("hrv", rng.randint(25, 70)), ("spo2", round(rng.uniform(93, 98), 1)),
            ("breathing_rate", round(rng.uniform(12, 17), 1)), ("skin_temperature", round(rng.gauss(0, 0.4), 1)),
            ("active_zone_minutes", rng.randint(0, 80)), ("lightly_active_minutes", rng.randint(100, 300)),
            ("sedentary_minutes", rng.randint(500, 800))]
    if day.toordinal() % 7 == 0:
        rows.append(("vo2max", round(rng.uniform(38, 46), 1)))
    if rng.random() < 0.3:
        rows.append(("body_fat", round(rng.uniform(15, 30), 1)))
    return [(user_id, metric, day.isoformat(), float(value), None, SOURCE, stamp) for metric, value in rows]


def day_rows(user_id: int, day: date, rng: random.Random, stamp: str) -> list[tuple]:
    """One user's rows for one day, like the built-in service's data (weight 3 days in 10)."""
    steps = rng.randint(2000, 20000)
    rows = [
        ("steps", steps), ("distance", round(steps * 0.00075, 2)), ("calories", 1800 + steps // 10),
        ("floors", steps // 1200), ("very_active_minutes", rng.randint(0, 90)),
        ("fairly_active_minutes", rng.randint(5, 40)), ("resting_heart_rate", rng.randint(52, 68)),
    ]
    out = [(user_id, metric, day.isoformat(), float(value), None, SOURCE, stamp) for metric, value in rows]
    asleep = rng.randint(300, 500)
    deep, rem, wake = asleep // 6, asleep // 5, rng.randint(20, 60)
    details = {"type": "stages", "stages": {"deep": deep, "light": asleep - deep - rem, "rem": rem, "wake": wake},
               "minutes_awake": wake, "time_in_bed": asleep + wake, "efficiency": 90}
    out.append((user_id, "sleep", day.isoformat(), float(asleep), json.dumps(details), SOURCE, stamp))
    if rng.random() < 0.3:
        out.append((user_id, "weight", day.isoformat(), round(rng.uniform(60, 90), 1), None, SOURCE, stamp))
    return out


def importing(user_id: int) -> bool:
    """One user in ten is still importing: the dashboard polls /dashboard/live for them."""
    return user_id % 10 == 0


def fill(app, users: int, days: int, health: bool = False) -> None:
    """Create the schema and bulk-insert users, Fitbit connections, sync states and rows in both tables.

    Every row is Fitbit's, so `source_metrics` holds the same rows as `daily_metrics`
    (what the sync engine's store writes for one source). A user still importing has
    the last IMPORTED_DAYS of it and sync states that say so.
    """
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = datetime.now(timezone.utc)
        today = now.date()
        db.session.execute(insert(User), [
            {"id": i, "email": f"user{i}@example.org", "password_hash": "-", "created_at": now}
            for i in range(1, users + 1)])
        db.session.execute(insert(Connection), [
            {"id": i, "provider": SOURCE, "provider_user_id": f"U{i:05d}", "user_id": i, "token": {},
             "display_name": f"User {i}", "timezone": TIMEZONES[i % len(TIMEZONES)],
             "member_since": today - timedelta(days=days + 30),
             "distance_unit": "METRIC" if i % 3 else "en_US", "weight_unit": "METRIC" if i % 3 else "en_US",
             "goals": {"steps": 10000}, "created_at": now}
            for i in range(1, users + 1)])
        db.session.execute(insert(SyncState), [
            {"connection_id": i, "resource": metric, "newest_synced": today, "last_success": now,
             **({"oldest_synced": today - timedelta(days=IMPORTED_DAYS - 1), "backfill_done": False}
                if importing(i) else {"oldest_synced": today - timedelta(days=days), "backfill_done": True})}
            for i in range(1, users + 1) for metric in METRICS])
        db.session.commit()
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA journal_mode=OFF")
            raw.execute("PRAGMA synchronous=OFF")
            stamp = now.strftime(STAMP)
            columns = "user_id, metric, day, value, details, source, updated_at"
            sql = f"INSERT INTO daily_metrics ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)"
            for user_id in range(1, users + 1):
                rng = random.Random(user_id)
                span = IMPORTED_DAYS if importing(user_id) else days + 2
                rows = [row for offset in range(span)
                        for row in day_rows(user_id, today + timedelta(days=1 - offset), rng, stamp)]
                if health:
                    rows += [row for offset in range(span)
                             for row in health_rows(user_id, today + timedelta(days=1 - offset), rng, stamp)]
                raw.executemany(sql, rows)
                if health:
                    if user_id % 10 == 0:
                        raw.commit()
                        print(f"  {user_id} users filled", flush=True)
                    continue  # the dashboard reads daily_metrics only: source_metrics is left empty here
                if user_id % 100 == 0:
                    # Copied by SQLite itself: the same rows, as Fitbit's in source_metrics.
                    raw.execute(f"INSERT INTO source_metrics ({columns}) SELECT {columns} FROM daily_metrics "
                                "WHERE user_id > ? AND user_id <= ?", (user_id - 100, user_id))
                    raw.commit()
                    print(f"  {user_id} users filled", flush=True)
            if not health:
                raw.execute(f"INSERT INTO source_metrics ({columns}) SELECT {columns} FROM daily_metrics "
                            "WHERE user_id > ?", (users - users % 100,))
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
            # Fails on a database of an older schema (no source column, no source_metrics).
            for columns in (DailyMetric.source, SourceMetric.id, SyncState.connection_id):
                db.session.execute(select(columns).limit(1)).all()
            return db.session.execute(select(func.count()).select_from(User)).scalar_one()
        except Exception:
            return 0


def logged_in_client(app, user_id: int):
    """A test client whose session belongs to user_id, as after logging in."""
    client = app.test_client()
    with app.app_context():
        login_id = db.session.get(User, user_id).get_id()  # the id and the account's session secret
    with client.session_transaction() as session:
        session["_user_id"] = login_id
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


def timed(clients: dict, paths: dict, requests: int, status: int, rng: random.Random) -> tuple[list, list, int]:
    """Request paths[uid] for random uids; return wall and CPU milliseconds per request, and the last size."""
    ids = list(paths)
    times, cpu, size = [], [], 0
    for _ in range(requests):
        uid = rng.choice(ids)
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = clients[uid].get(paths[uid])
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        assert response.status_code == status, (paths[uid], response.status_code)
        size = len(response.data)
    return times, cpu, size


def report(label: str, times: list, cpu: list, queries: set, size: int) -> None:
    p95, cpu_p95 = statistics.quantiles(times, n=20)[-1], statistics.quantiles(cpu, n=20)[-1]
    print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} | "
          f"{statistics.median(cpu):.1f} | {cpu_p95:.1f} | {'/'.join(map(str, sorted(queries)))} | "
          f"{size / 1024:.0f} |", flush=True)


def live_stamp(client, days: int) -> str:
    """The status stamp the dashboard page hands its polling script, as a browser would read it."""
    page = client.get(f"/dashboard?range={days}").text
    return html.unescape(re.search(r'id="live"[^>]*data-stamp="([^"]*)"', page)[1])


def measure(app, users: int, requests: int, ranges: list[int]) -> None:
    """Request the dashboard at each range for random users, and the polling endpoint for users importing."""
    rng = random.Random(7)
    sample = rng.sample(range(1, users + 1), min(users, 100))
    polling = [uid for uid in range(1, users + 1) if importing(uid)][:100]
    clients = {uid: logged_in_client(app, uid) for uid in sample + polling}
    for uid in clients:  # log each client in once (its first request writes the session) and warm caches
        clients[uid].get("/dashboard")
    print("| request | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | queries | KB |")
    print("|---|---|---|---|---|---|---|---|")
    for days in ranges:
        paths = {uid: f"/dashboard?range={days}" for uid in sample}
        for uid in sample:  # warm this range for every user
            clients[uid].get(paths[uid])
        times, cpu, size = timed(clients, paths, requests, 200, rng)
        queries = {count_queries(app, clients[uid], f"/dashboard?range={days}") for uid in sample[:10] + polling[:3]}
        report(f"/dashboard?range={days}", times, cpu, queries, size)
    unchanged = {uid: f"/dashboard/live?range=30&seen={quote(live_stamp(clients[uid], 30))}" for uid in polling}
    changed = {uid: "/dashboard/live?range=30&seen=stale" for uid in polling}
    for label, paths, status in (("/dashboard/live?range=30, unchanged (204)", unchanged, 204),
                                 ("/dashboard/live?range=30, changed (200)", changed, 200)):
        for uid in polling:
            clients[uid].get(paths[uid])
        times, cpu, size = timed(clients, paths, requests, status, rng)
        queries = {count_queries(app, clients[uid], paths[uid]) for uid in polling[:10]}
        report(label, times, cpu, queries, size)


def measure_history(app, users: int, requests: int, freeze: bool = True) -> None:
    """Request the 365-day view and All for random people, alternating, and compare their p95s.

    With `freeze`, the objects alive after warm-up (the app, its modules, caches) are moved out of
    the collector's sight (gc.freeze(), as a server that preloads its app does before forking):
    otherwise a full collection of the whole process heap, 150,000 objects and 0.2-0.4 s on this
    shared machine, lands on whichever request triggers it, and All, allocating 2.5 times the
    objects of a year's page (its tables have 132 rows a chart against 53), triggers more of them.
    """
    rng = random.Random(15)
    sample = [uid for uid in range(1, users + 1) if not importing(uid)]
    clients = {uid: logged_in_client(app, uid) for uid in sample}
    paths = {"365": "/dashboard?range=365", "all": "/dashboard?range=all"}
    for uid in sample:  # log in and warm caches
        clients[uid].get("/dashboard")
        for path in paths.values():
            assert clients[uid].get(path).status_code == 200
    steps = clients[sample[0]].get(paths["all"]).text.split('data-chart="steps"')[1].split("</figure>")[0]
    months = len(re.findall(r'<tr><th scope="row"><a[^>]*>[A-Z][a-z]{2} \d{4}</a>', steps))
    print(f"All shows {months} months for person {sample[0]}; gc.freeze() after warm-up: {freeze}", flush=True)
    if freeze:
        gc.collect()
        gc.freeze()
    times = {name: [] for name in paths}
    cpu = {name: [] for name in paths}
    sizes = {}
    for _ in range(requests):
        uid = rng.choice(sample)
        for name in rng.sample(list(paths), 2):  # both views for the same person, in random order
            wall, thread, sizes[name] = timed({uid: clients[uid]}, {uid: paths[name]}, 1, 200, rng)
            times[name] += wall
            cpu[name] += thread
    print("| request | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | queries | KB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, path in paths.items():
        queries = {count_queries(app, clients[uid], path) for uid in sample[:5]}
        report(f"{path} (ten years held)", times[name], cpu[name], queries, sizes[name])
    # The first view of All after a sync or import (which changes the status stamp): nothing kept.
    cold, cold_cpu = [], []
    for _ in range(max(20, requests // 5)):
        uid = rng.choice(sample)
        app.extensions["fitlink.dashboard.history"].clear()
        wall, thread, size = timed({uid: clients[uid]}, {uid: paths["all"]}, 1, 200, rng)
        cold += wall
        cold_cpu += thread
    report("/dashboard?range=all, first view after a sync (nothing kept)", cold, cold_cpu, {9}, size)
    wall95 = {name: statistics.quantiles(times[name], n=20)[-1] for name in paths}
    cpu95 = {name: statistics.quantiles(cpu[name], n=20)[-1] for name in paths}
    print(f"\nAll / 365 days, p95: wall {wall95['all'] / wall95['365']:.2f}, "
          f"CPU {cpu95['all'] / cpu95['365']:.2f} (target <= 1.00)", flush=True)
    cold95 = statistics.quantiles(cold, n=20)[-1]
    print(f"All's first view after a sync / 365 days, p95: wall {cold95 / wall95['365']:.2f}", flush=True)


def main() -> None:
    args = parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    app = build_app(args.db)
    if args.rebuild or filled_users(app) != args.users:
        print(f"Filling {args.db} with {args.users} users x {args.days} days ...", flush=True)
        started = time.perf_counter()
        fill(app, args.users, args.days, health=args.ten_years)
        print(f"  done in {time.perf_counter() - started:.0f} s, "
              f"{args.db.stat().st_size / 2**20:.0f} MiB", flush=True)
        app = build_app(args.db)  # its sessions table is made when the app starts: fill dropped it
    use_wal(app)
    if args.ten_years:
        measure_history(app, args.users, args.requests, freeze=not args.no_gc_freeze)
    else:
        measure(app, args.users, args.requests, args.ranges)


if __name__ == "__main__":
    main()
