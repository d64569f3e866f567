"""`make run` with Redis configured: the consumer inside `flask run` runs the jobs, from the start."""


import pytest

from helpers import build_app, job_lines, make_config, steps_on
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from services import BIN, Browser, fitlink_env, free_port, redis_database, start, stop, wait_for_http, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.services]


def test_flask_run_on_redis_syncs_a_new_connection(tmp_path):
    port = free_port()
    database = f"sqlite:///{tmp_path / 'fitlink.sqlite'}"
    build_app(make_config(tmp_path, "http://127.0.0.1:9", SQLALCHEMY_DATABASE_URI=database, REDIS_URL=None))
    with redis_database() as redis_url:
        # What `make run` gives the app (the built-in service mounted at /demo-fitbit), and Redis;
        # nothing says where jobs run.
        env = fitlink_env(SECRET_KEY="make-run-test-secret", SQLALCHEMY_DATABASE_URI=database,
                          REDIS_URL=redis_url, DEMO_FITBIT_CLIENT_SECRET="make-run-test-client-secret",
                          DEMO_FITBIT_DATABASE_URI=f"sqlite:///{tmp_path / 'demo_fitbit.sqlite'}")
        env.update(FLASK_RUN_HOST="127.0.0.1", FLASK_RUN_PORT=str(port))
        log = tmp_path / "flask-run.log"
        server = start([str(BIN / "flask"), "--app", "wsgi", "run"], env, log)
        try:
            # Before any request reaches it, the server runs a consumer, and it beats.
            wait_until(lambda: "embedded job consumer started" in log.read_text(), timeout=30,
                       message=f"no job consumer started:\n{log.read_text()}")
            assert "Serving Flask app" not in log.read_text().split("embedded job consumer started")[0]
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/health", server, log)
            browser = Browser()
            assert browser.get(f"{base}/health").json()["jobs"]["consumers"] == 1

            browser.sign_up(base, "ada@example.org")
            browser.connect(base, "alex")
            today = local_today(get_account("alex"))
            expected = daily_values("alex", today)["steps"]
            wait_until(lambda: steps_on(database, today) == expected, timeout=60,
                       message=f"today's steps never arrived:\n{log.read_text()}")
            syncs = wait_until(lambda: [line for line in job_lines(log) if line["name"] == "sync_task"], timeout=30)
            assert (syncs[0]["status"], syncs[0]["result"]) == ("done", "complete")
            assert browser.get(f"{base}/health").json()["jobs"]["queued"] == 0
        finally:
            stop(server)
