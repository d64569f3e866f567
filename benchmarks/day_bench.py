"""Time the day page and its JSON against the dashboard, and measure minute storage per person-day.

    .venv/bin/python benchmarks/day_bench.py                  # build (once) and measure
    .venv/bin/python benchmarks/day_bench.py --pg postgresql://postgres@127.0.0.1:5432/postgres

The database is the dashboard benchmark's (benchmarks/dashboard_bench.py: 1,000 people,
three years of daily values, a Fitbit connection each), grown with a year of minute
data per person for `--minute-users` people (default all): heart rate, steps and calories
packed as the store packs them (fitlink/minutes.py), a night's sleep with stages every
day (a nap one day in ten), a workout one day in three. The minute days are generated
once, POOL distinct realistic days (a night's low heart rate, walks, a workout's peak,
gaps where the tracker was off), and each person-day takes one of them, shifted by
person: the bytes are real packed series, and building stays within minutes on a small
machine.

Requests go through the Flask test client, as in the dashboard benchmark. The dashboard
at 30 days, the day page and the day JSON are requested in turn, round after round, so
the machine's drifting load falls on all three alike; the ratio of the day's p95 to the
dashboard's is the target (<= 1.5). Storage is the bytes of the minute_series table and
its index (SQLite's dbstat; PostgreSQL's pg_total_relation_size on a database of its own,
with --pg) divided by the person-days they hold.
"""

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import dashboard_bench  # noqa: E402
from fitlink import create_app, minutes  # noqa: E402
from fitlink.extensions import db  # noqa: E402
from fitlink.models import MinuteSeriesRow  # noqa: E402

DAYS = 365
POOL = 365
SOURCE = dashboard_bench.SOURCE
STAMP = dashboard_bench.STAMP


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--minute-users", type=int, default=1000, help="people given a year of minute data")
    parser.add_argument("--requests", type=int, default=300, help="timed requests of each kind")
    parser.add_argument("--db", type=Path, default=ROOT / "instance" / "day_bench.sqlite")
    parser.add_argument("--pg", help="a PostgreSQL URL whose server may host a database day_bench_storage")
    parser.add_argument("--pg-users", type=int, default=20)
    return parser.parse_args()


# A realistic day, as {minute: value} series plus sleep and workout rows, wall-clock minutes.

def walk_bouts(rng: random.Random) -> list[tuple[int, int, int]]:
    """Return (start minute, minutes, steps per minute) of the day's walks."""
    bouts = [(rng.randint(470, 520), rng.randint(8, 25), rng.randint(95, 120)),
             (rng.randint(740, 790), rng.randint(10, 30), rng.randint(90, 115)),
             (rng.randint(1050, 1110), rng.randint(10, 40), rng.randint(95, 125))]
    bouts += [(rng.randint(430, 1300), rng.randint(2, 8), rng.randint(60, 100)) for _ in range(rng.randint(4, 12))]
    return bouts


def realistic_day(rng: random.Random) -> dict:
    """Generate one day: minute heart rate, steps, calories, a night's stages, maybe a nap and a workout."""
    wake_up = rng.randint(375, 450)
    bedtime = rng.randint(1350, 1439)
    workout = (rng.randint(1020, 1140), rng.randint(25, 60)) if rng.random() < 1 / 3 else None
    steps: dict[int, float] = {}
    for start, length, rate in walk_bouts(rng):
        for minute in range(start, min(1440, start + length)):
            steps[minute] = rate + rng.randint(-8, 8)
    for minute in range(wake_up, bedtime):
        if minute not in steps:
            steps[minute] = rng.randint(1, 30) if rng.random() < 0.12 else 0
    if workout:
        for minute in range(workout[0], workout[0] + workout[1]):
            steps[minute] = rng.randint(140, 165)
    heart: dict[int, float] = {}
    level = 58.0
    off = rng.randint(600, 1300)  # the tracker charging for a while
    for minute in range(1440):
        if off <= minute < off + rng.choice((0, 20, 45)):
            continue
        asleep = minute < wake_up or minute >= bedtime
        target = 54 if asleep else 68 + min(60, steps.get(minute, 0) * 0.35)
        if workout and workout[0] <= minute < workout[0] + workout[1]:
            target = 135 + 20 * ((minute - workout[0]) / workout[1])
        level += (target - level) * 0.3 + rng.gauss(0, 1.0 if asleep else 1.8)
        heart[minute] = round(level + rng.random(), 1)
    # As Fitbit counts them: the basal rate while still, more with steps, from the heart rate when it is high.
    basal = round(rng.uniform(0.95, 1.25), 4)
    calories = {minute: round(basal + steps.get(minute, 0) * 0.045 + max(0, heart.get(minute, 0) - 100) * 0.09, 4)
                for minute in range(1440)}
    return {"heart_rate": heart, "steps": steps, "calories": calories, "wake_up": wake_up,
            "night": night_stages(rng, wake_up), "nap": rng.random() < 0.1, "workout": workout}


def night_stages(rng: random.Random, wake_up: int) -> tuple[int, list, list]:
    """Return the night's length in seconds, its stages [[offset, seconds, level]] and short wakes."""
    length = (24 * 60 - rng.randint(1350, 1439) + wake_up) * 60
    stages, at = [], 0
    stages.append([0, rng.randint(300, 1200), "wake"])
    at = stages[0][1]
    while at < length - 600:
        for level, low, high in (("light", 900, 2400), ("deep", 600, 2400), ("light", 600, 1800), ("rem", 600, 2100)):
            seconds = min(rng.randint(low, high) // 30 * 30, length - at)
            if seconds <= 0:
                break
            stages.append([at, seconds, level])
            at += seconds
    if at < length:
        stages.append([at, length - at, "wake"])
    wakes = [[stage[0] + 120, 60, "wake"] for stage in stages if stage[2] == "light" and stage[1] > 600
             and rng.random() < 0.5]
    return length, stages, wakes


def pool(seed: int = 15) -> list[dict]:
    """Generate POOL days and pack their series once."""
    rng = random.Random(seed)
    days = []
    for _ in range(POOL):
        one = realistic_day(rng)
        one["packed"] = {metric: minutes.pack(metric, one[metric]) for metric in ("heart_rate", "steps", "calories")}
        one["minutes_asleep"] = sum(s[1] for s in one["night"][1] if s[2] != "wake") // 60
        days.append(one)
    return days


def rows_for(user_id: int, day: date, one: dict, stamp: str) -> tuple[list, list, list]:
    """Return the minute_series, sleep_sessions and workouts rows of one person-day."""
    series = [(user_id, SOURCE, metric, day.isoformat(), one["packed"][metric], stamp)
              for metric in ("heart_rate", "steps", "calories")]
    midnight = datetime.combine(day, datetime.min.time())
    length, stages, wakes = one["night"]
    end = midnight + timedelta(minutes=one["wake_up"])
    start = end - timedelta(seconds=length)
    sleep = [(user_id, SOURCE, day.isoformat(), start.strftime(STAMP), end.strftime(STAMP), 1, "stages",
              one["minutes_asleep"], json.dumps(stages), json.dumps(wakes) if wakes else None, stamp)]
    if one["nap"]:
        nap = midnight + timedelta(hours=14)
        sleep.append((user_id, SOURCE, day.isoformat(), nap.strftime(STAMP), (nap + timedelta(minutes=35)).strftime(STAMP),
                      0, "classic", 30, json.dumps([[0, 1800, "asleep"], [1800, 300, "awake"]]), None, stamp))
    workouts = []
    if one["workout"]:
        begin, length_min = one["workout"]
        workouts.append((user_id, SOURCE, day.isoformat(), (midnight + timedelta(minutes=begin)).strftime(STAMP),
                         length_min * 60, "Run", 11.0 * length_min, round(length_min * 0.16, 2), 148,
                         150 * length_min, json.dumps({"Cardio": length_min // 2, "Peak": length_min // 4}), stamp))
    return series, sleep, workouts


SERIES_SQL = "INSERT INTO minute_series (user_id, source, metric, day, data, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
SLEEP_SQL = ("INSERT INTO sleep_sessions (user_id, source, day, start, \"end\", main, kind, minutes_asleep, stages, "
             "short_wakes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
WORKOUT_SQL = ("INSERT INTO workouts (user_id, source, day, start, seconds, type, calories, distance_km, "
               "average_heart_rate, steps, heart_rate_zones, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def minute_days(last: date) -> list[date]:
    """The year of days given minute data: the DAYS days up to `last`."""
    return [last - timedelta(days=offset) for offset in range(DAYS)]


def grow(app, users: int, days: list[date], pooled: list[dict]) -> None:
    """Add a year of minute data, sleep and workouts for people 1..users (raw bulk inserts)."""
    stamp = datetime.now(timezone.utc).strftime(STAMP)
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA journal_mode=OFF")
            raw.execute("PRAGMA synchronous=OFF")
            for user_id in range(1, users + 1):
                shift = random.Random(user_id).randrange(POOL)
                series, sleep, workouts = [], [], []
                for index, day in enumerate(days):
                    a, b, c = rows_for(user_id, day, pooled[(index + shift) % POOL], stamp)
                    series += a
                    sleep += b
                    workouts += c
                raw.executemany(SERIES_SQL, series)
                raw.executemany(SLEEP_SQL, sleep)
                raw.executemany(WORKOUT_SQL, workouts)
                if user_id % 100 == 0:
                    raw.commit()
                    print(f"  {user_id} people given a year of minute data", flush=True)
            raw.commit()
            raw.execute("ANALYZE")
        finally:
            raw.close()


def grown_users(app) -> int:
    with app.app_context():
        try:
            return db.session.execute(select(func.count(func.distinct(MinuteSeriesRow.user_id)))).scalar_one()
        except Exception:
            return 0


def sqlite_bytes(app) -> tuple[int, int, int]:
    """Return the bytes of minute_series and its index, the person-days it holds and their packed bytes (dbstat)."""
    with app.app_context():
        size = db.session.execute(text(
            "SELECT SUM(pgsize) FROM dbstat WHERE name = 'minute_series' OR "
            "name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'minute_series' AND type = 'index')"
        )).scalar_one()
        person_days, payload = db.session.execute(text(
            "SELECT COUNT(DISTINCT user_id || ' ' || day), SUM(LENGTH(data)) FROM minute_series")).one()
    return size, person_days, payload


def postgres_bytes(url: str, users: int, days: list[date], pooled: list[dict]) -> tuple[int, int]:
    """Fill a database of its own on the server with `users` people's year; return its minute bytes and person-days."""
    name = "day_bench_storage"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = make_url(url).set(database=name).render_as_string(hide_password=False)
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": target, "JOBS_IN_PROCESS": False,
                      "FITBIT_CLIENT_KEY": "bench", "FITBIT_CLIENT_SECRET": "bench"})
    try:
        with app.app_context():
            db.create_all()
            db.session.execute(text("INSERT INTO users (id, email, password_hash, created_at, session_secret) "
                                    "SELECT g, 'u' || g || '@example.org', '-', now(), 's' || g "
                                    "FROM generate_series(1, :n) g"), {"n": users})
            rows = []
            for user_id in range(1, users + 1):
                shift = random.Random(user_id).randrange(POOL)
                for index, day in enumerate(days):
                    one = pooled[(index + shift) % POOL]
                    rows += [{"user_id": user_id, "source": SOURCE, "metric": metric, "day": day,
                              "data": one["packed"][metric], "updated_at": datetime.now(timezone.utc)}
                             for metric in ("heart_rate", "steps", "calories")]
            db.session.execute(MinuteSeriesRow.__table__.insert(), rows)
            db.session.commit()
            db.session.execute(text("ANALYZE minute_series"))
            size = db.session.execute(text("SELECT pg_total_relation_size('minute_series')")).scalar_one()
            db.session.remove()
            db.engine.dispose()
        return size, users * len(days)
    finally:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(app, users: int, minute_users: int, days: list[date], requests: int) -> dict[str, float]:
    """Request the dashboard, a day page and a day's JSON in turn; print their times; return their p95s."""
    rng = random.Random(15)
    sample = rng.sample(range(1, minute_users + 1), min(minute_users, 100))
    clients = {uid: dashboard_bench.logged_in_client(app, uid) for uid in sample}
    for uid in sample:  # log each client in once and warm caches
        clients[uid].get("/dashboard?range=30")
        clients[uid].get(f"/day/{days[1]}")
    kinds = {
        "/dashboard?range=30": lambda uid: "/dashboard?range=30",
        "/day/D (page)": lambda uid: f"/day/{rng.choice(days[1:])}",
        "/day/D.json": lambda uid: f"/day/{rng.choice(days[1:])}.json",
    }
    wall = {kind: [] for kind in kinds}
    cpu = {kind: [] for kind in kinds}
    size = {kind: [] for kind in kinds}
    for _ in range(requests):
        for kind, path_of in kinds.items():
            uid = rng.choice(sample)
            path = path_of(uid)
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = clients[uid].get(path)
            wall[kind].append((time.perf_counter() - start) * 1000)
            cpu[kind].append((time.thread_time() - start_cpu) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            size[kind].append(len(response.data))
    empty_day = days[-1] - timedelta(days=400)  # before the minute data: a day with nothing but daily values
    print("| request | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | queries (full day / empty day) | KB |")
    print("|---|---|---|---|---|---|---|---|")
    p95 = {}
    for kind, path_of in kinds.items():
        queries = {dashboard_bench.count_queries(app, clients[uid], path_of(uid)) for uid in sample[:10]}
        if kind != "/dashboard?range=30":
            suffix = ".json" if kind.endswith("json") else ""
            queries |= {dashboard_bench.count_queries(app, clients[uid], f"/day/{empty_day}{suffix}") for uid in sample[:5]}
        p95[kind] = statistics.quantiles(wall[kind], n=20)[-1]
        cpu_p95 = statistics.quantiles(cpu[kind], n=20)[-1]
        print(f"| {kind} | {statistics.median(wall[kind]):.1f} | {p95[kind]:.1f} | {max(wall[kind]):.1f} | "
              f"{statistics.median(cpu[kind]):.1f} | {cpu_p95:.1f} | {'/'.join(map(str, sorted(queries)))} | "
              f"{statistics.mean(size[kind]) / 1024:.0f} |", flush=True)
        p95[kind + " cpu"] = cpu_p95
    return p95


def main() -> None:
    args = parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    app = dashboard_bench.build_app(args.db)
    last = datetime.now(timezone.utc).date() - timedelta(days=1)  # yesterday in UTC: past for every zone
    days = minute_days(last)
    if dashboard_bench.filled_users(app) != args.users:
        print(f"Filling {args.db} with the dashboard benchmark's {args.users} people ...", flush=True)
        started = time.perf_counter()
        dashboard_bench.fill(app, args.users, 3 * 365)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    pooled: list[dict] = []
    if grown_users(app) != args.minute_users or args.pg:
        started = time.perf_counter()
        pooled = pool()
        print(f"{POOL} realistic days generated and packed in {time.perf_counter() - started:.1f} s", flush=True)
    if grown_users(app) != args.minute_users:
        print(f"Growing it with {DAYS} days of minute data for {args.minute_users} people ...", flush=True)
        started = time.perf_counter()
        grow(app, args.minute_users, days, pooled)
        print(f"  done in {time.perf_counter() - started:.0f} s, {args.db.stat().st_size / 2**20:.0f} MiB", flush=True)
    dashboard_bench.use_wal(app)
    size, person_days, payload = sqlite_bytes(app)
    print(f"\nStorage, SQLite: minute_series and its index hold {size / 2**20:.1f} MiB for {person_days:,} person-days: "
          f"{size / person_days:,.0f} bytes per person-day for heart rate, steps and calories (target < 2,048); "
          f"the packed series alone {payload / person_days:,.0f} bytes")
    if args.pg:
        pg_size, pg_days = postgres_bytes(args.pg, args.pg_users, days, pooled)
        print(f"Storage, PostgreSQL: {pg_size / 2**20:.1f} MiB for {pg_days:,} person-days ({args.pg_users} people): "
              f"{pg_size / pg_days:,.0f} bytes per person-day (target < 2,048)")
    # The pool's million small objects would make the collector's full passes slow whichever request meets one.
    del pooled
    gc.collect()
    print(f"\n{args.requests} requests of each kind, in turn, for 100 random people of {args.minute_users} "
          f"with minute data (of {args.users}), random days of their year:\n")
    p95 = measure(app, args.users, args.minute_users, days, args.requests)
    dash = p95["/dashboard?range=30"]
    for kind in ("/day/D (page)", "/day/D.json"):
        print(f"{kind}: p95 {p95[kind]:.1f} ms = {p95[kind] / dash:.2f}x the dashboard's p95 at 30 days "
              f"(CPU {p95[kind + ' cpu'] / p95['/dashboard?range=30 cpu']:.2f}x); target <= 1.5x")


if __name__ == "__main__":
    main()
