"""Real PostgreSQL databases, Redis databases and processes for the production tests.

Every run makes its own PostgreSQL database and claims a Redis database of its
own, so these tests always run (CI and every developer machine have both
servers on loopback) and never touch another run's data.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpers import CLIENT_SECRET, INTRADAY_DAYS, PASSWORD, authorize_on_provider
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PG_ADMIN_URL = os.environ.get(
    "FITLINK_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_SERVER = os.environ.get("FITLINK_TEST_REDIS_SERVER", "redis://127.0.0.1:6379")
# Redis databases these tests may claim; CI's suite run uses 14 and, for its second and
# third xdist workers, 13 and 12 (helpers.worker_redis_url).
REDIS_DATABASES = (15, 11, 10, 9, 8, 7, 6)
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
    # As few days of minute series as helpers.make_config's: the default 90 days would outrun
    # the built-in Fitbit service's 150 calls an hour on a first sync.
    settings.setdefault("INTRADAY_BACKFILL_DAYS", INTRADAY_DAYS)
    env.update({f"FITLINK_{key}": str(value) for key, value in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a process in its own process group, its output going to log."""
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
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


def gunicorn(port: int, env: dict, log: Path, workers: int | None = 2) -> subprocess.Popen:
    """Start gunicorn on a loopback port with fitlink's config and wait until /health answers
    (workers=None: as many as gunicorn.conf.py picks)."""
    command = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = start(command + ["wsgi:app"], env, log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, log)
    except BaseException:
        stop(process)
        raise
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
        except requests.RequestException:
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


class Stack:
    """fitlink as deployed: gunicorn processes and Huey consumers on one PostgreSQL and Redis,
    talking to the built-in Fitbit-compatible service on a real port."""

    def __init__(self, workdir: Path, database_url: str, redis_url: str, provider_url: str,
                 **settings):
        self.workdir = workdir
        self.database_url = database_url
        self.processes: list[subprocess.Popen] = []
        self.env = fitlink_env(
            ENV="production",
            SECRET_KEY="production-test-secret",
            TOKEN_KEYS=json.dumps([Fernet.generate_key().decode()]),
            SESSION_COOKIE_SECURE="false",  # plain HTTP on loopback
            TRUSTED_HOSTS="127.0.0.1",
            SQLALCHEMY_DATABASE_URI=database_url,
            REDIS_URL=redis_url,
            FITBIT_CLIENT_KEY="fitlink-builtin",
            FITBIT_CLIENT_SECRET=CLIENT_SECRET,
            FITBIT_REQUEST_TOKEN_URL=f"{provider_url}/oauth/request_token",
            FITBIT_AUTHORIZATION_URL=f"{provider_url}/oauth/authorize",
            FITBIT_ACCESS_TOKEN_URL=f"{provider_url}/oauth/access_token",
            FITBIT_API_BASE_URL=provider_url,
            FITBIT_TIMEOUT=5,
            **{"JOBS_IN_PROCESS": "false", **settings},  # huey_consumer processes run the jobs
        )
        flask(["db", "upgrade"], self.env)

    def web(self, port: int, workers: int | None = 2) -> str:
        """Start gunicorn on port; return its base URL once /health answers."""
        self.processes.append(gunicorn(port, self.env, self.workdir / f"web-{port}.log", workers))
        return f"http://127.0.0.1:{port}"

    def consumer(self, name: str = "consumer", workers: int = 2) -> subprocess.Popen:
        """Start a Huey consumer whose log is workdir/<name>.log."""
        process = huey_consumer(self.env, self.workdir / f"{name}.log", workers)
        self.processes.append(process)
        return process

    def log_lines(self, name: str) -> list[dict]:
        """Return the JSON log lines a process wrote to workdir/<name>.log."""
        lines = []
        for line in (self.workdir / f"{name}.log").read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def jobs(self, name: str, task: str = "sync_task") -> list[dict]:
        """Return the job lines fitlink.logs wrote in a consumer's log for one task."""
        return [line for line in self.log_lines(name)
                if line.get("event") == "job" and line.get("name") == task]

    def stop(self, signal_number: int = 15) -> None:
        """Stop every process of the stack with signal_number (SIGTERM: a graceful stop)."""
        for process in reversed(self.processes):
            stop(process, signal_number)
        self.processes.clear()


@contextmanager
def production_stack(workdir: Path, subscriber_port: int | None = None, api_delay: float = 0,
                     **settings):
    """Yield (stack, demo_app): fitlink's production processes on a fresh PostgreSQL database
    and Redis database, and the built-in service notifying subscriber_port's webhook
    (answering each data call after api_delay seconds)."""
    subscriber = f"http://127.0.0.1:{subscriber_port}/fitbit/webhook" if subscriber_port else None
    demo = create_demo_app({
        "SECRET_KEY": "demo-production-test",
        "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
        "DEMO_FITBIT_SUBSCRIBER_URL": subscriber,
        "DEMO_FITBIT_RATE_LIMIT": 100_000,
    })
    if api_delay:
        demo.wsgi_app = SlowDataCalls(demo.wsgi_app, api_delay)
    with postgres_database() as database_url, redis_database() as redis_url, \
            serve_in_thread(demo) as provider:
        stack = Stack(workdir, database_url, redis_url, provider.url, **settings)
        try:
            yield stack, demo
        finally:
            stack.stop()


class SlowDataCalls:
    """WSGI middleware: answer the Fitbit API's data calls after a delay, like a distant provider."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/1/", "/1.2/")) and not path.endswith("/profile.json"):
            time.sleep(self.seconds)
        return self.app(environ, start_response)


class Browser:
    """A person's browser on fitlink: one cookie jar, forms posted with their CSRF token."""

    def __init__(self):
        self.session = requests.Session()

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.session.get(url, timeout=10, **kwargs)

    def post_form(self, url: str, data: dict, **kwargs) -> requests.Response:
        page = self.get(url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token, page.text
        return self.session.post(url, data={**data, "csrf_token": token.group(1)}, timeout=10, **kwargs)

    def sign_up(self, base: str, email: str) -> requests.Response:
        return self.post_form(f"{base}/signup",
                              {"email": email, "password": PASSWORD, "confirm": PASSWORD})

    def connect(self, base: str, account: str) -> requests.Response:
        """Run Connect Fitbit through the provider's page and back to fitlink's callback."""
        start = self.get(f"{base}/fitbit", allow_redirects=False)
        assert start.status_code == 302, start.text
        return self.get(authorize_on_provider(start.headers["Location"], account=account))
