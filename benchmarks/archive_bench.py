"""Import a 10-year Fitbit archive: wall time, peak memory (RSS) and rows per second.

Generates the archive with tests/archive_gen.py (minute steps, distance and
calories, daily activity, resting heart rate, sleep with stages, weight, padding,
a heart-rate file for every day with a sample every 5-10 s while worn, workouts,
the daily health CSVs, split into parts), then imports it in a fresh process
(so its peak RSS is the import's alone) into a SQLite database through the real
importer: daily values, minute series, sleep sessions and workouts.

    .venv/bin/python benchmarks/archive_bench.py [--years 10]
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def generate_archive(folder: Path, years: int) -> list[Path]:
    from archive_gen import Spec, generate

    started = time.perf_counter()
    days = round(years * 365.25)
    spec = Spec(start=date(2016, 1, 1), days=days, zone="America/New_York", parts=3,
                heart_rate_days=days, junk_bytes=20_000_000, compresslevel=1)
    archive = generate(folder, spec)
    size = sum(path.stat().st_size for path in archive.parts)
    print(f"generated {spec.days:,} days, {archive.files:,} files, {size / 2 ** 20:,.0f} MB zipped "
          f"in {time.perf_counter() - started:.1f} s")
    return archive.parts


def import_into_sqlite(workdir: Path, parts: list[Path]) -> None:
    """Run in a child process: import the parts for one user and print the numbers."""
    import logging

    from conftest import build_app, make_config

    from fitlink import sources
    from fitlink.archive import SOURCE, import_archive
    from fitlink.extensions import db
    from fitlink.models import MinuteSeriesRow, SleepRow, User, WorkoutRow

    logging.disable(logging.INFO)
    app = build_app(make_config(workdir, "http://127.0.0.1:9/demo-fitbit", TESTING=False))
    with app.app_context():
        if sources.get(SOURCE.name) is None:
            sources.init_app(app, [SOURCE])
            db.create_all()
        user = User(email="bench@example.org", password_hash="x")
        db.session.add(user)
        db.session.commit()
        # The yardstick runs just before and just after the import, so it sees the same machine load.
        floor_before = inflate_and_parse(parts)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_archive(user.id, parts, keep_files=True)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        detail = {model.__tablename__: db.session.query(model).count()
                  for model in (MinuteSeriesRow, SleepRow, WorkoutRow)}
    rows = sum(report.rows.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB, {rows:,} daily rows "
          f"({rows / wall:,.0f} rows/s), {report.files_read:,} files read, {report.files_skipped:,} skipped, "
          f"{report.days_found:,} days; detail rows: " + ", ".join(f"{count:,} {name}" for name, count in detail.items()))
    print(report.summary())
    floor_after = inflate_and_parse(parts)
    floor, floor_cpu = ((before + after) / 2 for before, after in zip(floor_before, floor_after))
    print(f"inflating and parsing the same health files alone (mean of a run before and one after): "
          f"{floor:.1f} s wall, {floor_cpu:.1f} s CPU; import / that = {wall / floor:.2f} (wall), "
          f"{cpu / floor_cpu:.2f} (CPU)")


def inflate_and_parse(parts: list[Path]) -> tuple[float, float]:
    """Return the seconds (wall, CPU) it takes only to inflate and parse the health files an import reads.

    The yardstick the import is measured against in the same run (machine load cancels out):
    every JSON file an import reads (the heart-rate files included) and the CSVs, read whole and
    parsed with the standard json and csv modules.
    """
    import csv
    import io
    import json
    import zipfile

    from fitlink.archive.layout import classify

    started, cpu_started = time.perf_counter(), time.process_time()
    for path in parts:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                entry = classify(info.filename)
                if entry is None:
                    continue
                data = archive.read(info)
                if data.strip() == b"no data":
                    continue
                if info.filename.endswith(".json"):
                    json.loads(data)
                else:
                    list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--import-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("parts", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_into:
        import_into_sqlite(args.import_into, args.parts)
        return
    with tempfile.TemporaryDirectory() as workdir:
        parts = generate_archive(Path(workdir) / "archive", args.years)
        subprocess.run([sys.executable, __file__, "--import-into", workdir, *map(str, parts)], check=True)


if __name__ == "__main__":
    main()
