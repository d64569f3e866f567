"""Google Health configured only through FITLINK_GOOGLE_HEALTH_*: `flask run` against a separate strict
OAuth 2.0 server serving the v4 methods (the built-in service on its own port, its own client)."""

import pytest
from helpers.google_health import decide

from helpers import build_app, job_lines, make_config, steps_on
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health import call_log, create_demo_app
from services import BIN, Browser, fitlink_env, free_port, start, stop, wait_for_http, wait_until

pytestmark = pytest.mark.processes


def test_flask_run_connects_a_google_health_server_named_by_the_environment(tmp_path):
    provider = create_demo_app({"SECRET_KEY": "independent-google", "TESTING": True,
                                "DEMO_GOOGLE_HEALTH_CLIENTS": {"independent-client": "independent-secret"}})
    port = free_port()
    database = f"sqlite:///{tmp_path / 'fitlink.sqlite'}"
    build_app(make_config(tmp_path, "http://127.0.0.1:9", SQLALCHEMY_DATABASE_URI=database, REDIS_URL=None))
    with serve_in_thread(provider) as google:
        env = fitlink_env(
            SECRET_KEY="configured-test-secret", SQLALCHEMY_DATABASE_URI=database,
            HUEY_SQLITE_PATH=str(tmp_path / "huey.sqlite"),
            DEMO_FITBIT_DATABASE_URI=f"sqlite:///{tmp_path / 'demo_fitbit.sqlite'}",
            GOOGLE_HEALTH_CLIENT_ID="independent-client",
            GOOGLE_HEALTH_CLIENT_SECRET="independent-secret",
            GOOGLE_HEALTH_AUTHORIZATION_URL=f"{google.url}/o/oauth2/v2/auth",
            GOOGLE_HEALTH_TOKEN_URL=f"{google.url}/token",
            GOOGLE_HEALTH_REVOKE_URL=f"{google.url}/revoke",
            GOOGLE_HEALTH_API_BASE_URL=google.url,
        )
        env.update(FLASK_RUN_HOST="127.0.0.1", FLASK_RUN_PORT=str(port))
        log = tmp_path / "flask-run.log"
        server = start([str(BIN / "flask"), "--app", "wsgi", "run"], env, log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/health", server, log)
            browser = Browser()
            browser.sign_up(base, "kiri@example.org")
            start_page = browser.get(f"{base}/google_health", allow_redirects=False)
            assert start_page.status_code == 302 and start_page.headers["Location"].startswith(google.url)
            landed = browser.get(decide(start_page.headers["Location"], account="kiri"))
            assert "Connected to Google Health" in landed.text
            today = local_today(get_account("kiri"))
            expected = daily_values("kiri", today)["steps"]
            wait_until(lambda: steps_on(database, today) == expected, timeout=60,
                       message=f"today's steps never arrived:\n{log.read_text()}")
            syncs = wait_until(lambda: [line for line in job_lines(log) if line["name"] == "sync_task"
                                        and line["status"] == "done"], timeout=30)
            assert syncs[0]["result"] == "complete"
            # Every data call went to the configured server, and the built-in one was never mounted.
            assert call_log(provider) and browser.get(f"{base}/demo-google-health/token").status_code == 404
        finally:
            stop(server)
