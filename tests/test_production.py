"""fitlink as deployed: two gunicorn servers (several workers each) and a Huey consumer
sharing one PostgreSQL database and one Redis, over real HTTP on loopback."""

import time

import pytest
import requests
from sqlalchemy import create_engine, text

from fitlink.builtin_services.fitbit import call_log, record_activity, reset_call_log
from services import Browser, free_port, production_stack, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.services]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Servers A and B, one consumer; the built-in service notifies B's webhook."""
    workdir = tmp_path_factory.mktemp("production")
    port_a, port_b = free_port(), free_port()
    with production_stack(workdir, subscriber_port=port_b) as (stack, demo):
        a, b = stack.web(port_a), stack.web(port_b)
        stack.consumer()
        engine = create_engine(stack.database_url)
        yield stack, demo, a, b, engine
        engine.dispose()


def backfill_done(engine, email: str) -> bool:
    with engine.connect() as connection:
        states = connection.execute(text(
            "SELECT s.backfill_done FROM sync_states s JOIN oauth o ON o.id = s.connection_id JOIN users u ON u.id = o.user_id"
            " WHERE u.email = :email"), {"email": email}).scalars().all()
    return bool(states) and all(states)


def test_health_reports_database_and_redis(deployment):
    _, _, a, b, _ = deployment
    for base in (a, b):
        # The consumer's first heartbeat may come a moment after the servers answer.
        answer = wait_until(lambda: _alive(requests.get(f"{base}/health", timeout=5)), timeout=30)
        assert answer.status_code == 200
        body = answer.json()
        assert (body["status"], body["checks"]) == ("ok", {"database": "ok", "redis": "ok", "jobs": "ok"})
        assert body["jobs"]["consumers"] == 1  # the one huey_consumer; gunicorn's workers run none


def _alive(answer: requests.Response) -> requests.Response | None:
    return answer if answer.json()["jobs"]["consumers"] else None


def test_logged_in_on_one_server_is_logged_in_on_the_other(deployment):
    _, _, a, b, _ = deployment
    browser = Browser()
    signed_up = browser.sign_up(a, "shared@example.org")
    assert signed_up.url == f"{a}/dashboard"

    # Many requests, so both of B's workers answer some of them.
    for _ in range(8):
        page = browser.get(f"{b}/dashboard", allow_redirects=False)
        assert page.status_code == 200
        assert "Log out" in page.text and "Connect Fitbit" in page.text

    stranger = requests.get(f"{b}/dashboard", allow_redirects=False, timeout=5)
    assert stranger.status_code == 302


def test_a_notification_received_by_one_server_runs_one_job(deployment):
    stack, demo, a, b, engine = deployment
    browser = Browser()
    browser.sign_up(a, "notified@example.org")
    connected = browser.connect(a, account="kiri")
    assert connected.status_code == 200
    # The import's job commits its last range before it logs its line: wait for both, or its line would
    # count as the notification's job (CI saw that once).
    wait_until(lambda: backfill_done(engine, "notified@example.org")
               and [job["result"] for job in stack.jobs("consumer")][-1:] == ["complete"], timeout=60,
               message="the backfill job did not finish")
    jobs_before = len(stack.jobs("consumer"))
    steps_before = latest_steps(engine, "notified@example.org")
    reset_call_log(demo)

    assert record_activity(demo, "kiri", 4321) == [204]  # posted to B's webhook

    wait_until(lambda: len(stack.jobs("consumer")) > jobs_before, timeout=30,
               message="the notification's job never ran")
    time.sleep(2)  # time for a duplicate to show up, were there one
    jobs = stack.jobs("consumer")[jobs_before:]
    assert [job["result"] for job in jobs] == ["complete"]
    assert jobs[0]["duration_ms"] > 0
    # One job: the steps series once, and each refreshed day's minute steps once.
    steps_calls = [call.path for call in call_log(demo) if "/activities/steps/" in call.path]
    minute_calls = [path for path in steps_calls if path.endswith("/1d/1min.json")]
    assert len(steps_calls) - len(minute_calls) == 1
    assert minute_calls and len(minute_calls) == len(set(minute_calls))
    assert latest_steps(engine, "notified@example.org") == steps_before + 4321


def latest_steps(engine, email: str) -> float:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT m.value FROM daily_metrics m JOIN users u ON u.id = m.user_id"
            " WHERE u.email = :email AND m.metric = 'steps' ORDER BY m.day DESC LIMIT 1"),
            {"email": email}).scalar_one()
