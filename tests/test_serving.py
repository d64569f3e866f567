"""`make serve` and gunicorn.conf.py refuse to serve a development build (real commands, real processes)."""

import subprocess

import pytest
import requests

from services import BIN, ROOT, fitlink_env, flask, free_port, gunicorn, stop

pytestmark = pytest.mark.processes

REFUSAL = "Refusing to serve fitlink with FITLINK_ENV="


def development_env(tmp_path, **settings) -> dict:
    """A development configuration whose files all live in tmp_path."""
    return fitlink_env(
        SECRET_KEY="serving-test-secret",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fitlink.sqlite'}",
        HUEY_SQLITE_PATH=str(tmp_path / "huey.sqlite"),
        DEMO_FITBIT_CLIENT_SECRET="serving-test-client",
        DEMO_FITBIT_DATABASE_URI="sqlite://",
        DEMO_GOOGLE_HEALTH_DATABASE_URI="sqlite://",
        DEMO_GOOGLE_HEALTH_CLIENT_SECRET="serving-test-client",
        **settings,
    )


def test_gunicorn_refuses_without_fitlink_env_production(tmp_path):
    for settings in ({}, {"ENV": "staging"}, {"ALLOW_DEVELOPMENT_SERVE": "yes please"}):
        result = subprocess.run(
            [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{free_port()}",
             "wsgi:app"],
            cwd=ROOT, env=development_env(tmp_path, **settings), capture_output=True, text=True, timeout=60,
        )
        assert result.returncode != 0, settings
        assert REFUSAL in result.stderr and "FITLINK_ALLOW_DEVELOPMENT_SERVE=true" in result.stderr, result.stderr
        assert "Booting worker" not in result.stdout + result.stderr


def test_make_serve_refuses_before_migrating_or_starting_anything(tmp_path):
    env = development_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", f"VENV={BIN.parent}", "serve"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert REFUSAL + "development" in result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "fitlink.sqlite").exists()  # no `flask db upgrade` ran
    assert "huey" not in result.stdout.lower()


def test_gunicorn_serves_a_development_build_when_told_explicitly(tmp_path):
    env = development_env(tmp_path, ALLOW_DEVELOPMENT_SERVE="true", JOBS_IN_PROCESS="false")
    flask(["db", "upgrade"], env)
    port = free_port()
    server = gunicorn(port, env, tmp_path / "gunicorn.log", workers=1)
    try:
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        stop(server)
