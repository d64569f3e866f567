"""Real PostgreSQL databases, Redis databases and processes for the production tests.

Every run makes its own PostgreSQL database and claims a Redis database of its
own, so these tests always run (CI and every developer machine have both
servers on loopback) and never touch another run's data.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PG_ADMIN_URL = os.environ.get(
    "FITLINK_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_SERVER = os.environ.get("FITLINK_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
# Redis databases these tests may claim; CI's suite run uses 14 for itself.
REDIS_DATABASES = (15, 13, 12, 11, 10, 9, 8)
CLAIM_KEY = "fitlink-test:claimed-by"


@contextmanager
def postgres_database():
    """Create an empty PostgreSQL database, yield its URL, drop it afterwards."""
    name = f"fitlink_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_database():
    """Claim an empty Redis database no other test run is using; yield its URL; empty it afterwards."""
    owner = uuid.uuid4().hex
    for number in REDIS_DATABASES:
        client = Redis.from_url(f"{REDIS_SERVER}/{number}")
        if client.set(CLAIM_KEY, owner, nx=True, ex=1800):
            break
        client.close()
    else:
        raise RuntimeError(f"every Redis database in {REDIS_DATABASES} is claimed by another test run")
    try:
        for key in client.scan_iter():
            if key != CLAIM_KEY.encode():
                client.delete(key)
        yield f"{REDIS_SERVER}/{number}"
    finally:
        client.flushdb()
        client.close()


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fitlink_env(**settings) -> dict:
    """Return an environment for a fitlink process: FITLINK_* from settings, nothing from the caller's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FITLINK_")}
    env.update({f"FITLINK_{key}": str(value) for key, value in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a process in its own process group, its output going to log."""
    out = log.open("ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen, signal_number: int = 15) -> None:
    """Send signal_number to the process's group and wait for it to end."""
    if process.poll() is None:
        os.killpg(process.pid, signal_number)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def gunicorn(port: int, env: dict, log: Path, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn on a loopback port with fitlink's config and wait until /health answers."""
    process = start(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "wsgi:app"],
        env, log,
    )
    wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
    return process


def huey_consumer(env: dict, log: Path, workers: int = 2) -> subprocess.Popen:
    """Start a Huey consumer process on the configured queue."""
    return start(
        [str(BIN / "huey_consumer"), "fitlink.worker.huey", "--workers", str(workers),
         "--worker-type", "thread", "--delay", "0.05", "--max-delay", "0.2"],
        env, log,
    )


def flask(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run a flask command against the fitlink app; raise with its output if it fails."""
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Wait until url answers 200, failing early (with the log) if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"process exited:\n{log.read_text()}"
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout}s:\n{log.read_text()}")


def wait_until(condition, timeout: float = 60, interval: float = 0.2, message: str = ""):
    """Poll condition() until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met in {timeout}s")
