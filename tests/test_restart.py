"""Stop every process in the middle of a history import, start again: the import
finishes with every day stored once and nothing missing."""

import signal
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from fitlink.builtin_services.common.accounts import daily_values
from fitlink.builtin_services.fitbit import call_log
from services import Browser, free_port, production_stack, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.services]

ACCOUNT = "sam"
EMAIL = "restart@example.org"


@pytest.fixture
def deployment(tmp_path):
    # Slow data calls make the import several seconds long, so there is a middle to stop in.
    # The killed consumer's sync lease runs out after SYNC_LEASE_SECONDS; the new
    # consumer's sync of that user waits for it, then resumes the import.
    with production_stack(tmp_path, api_delay=0.4, SYNC_LEASE_SECONDS=3) as (stack, demo):
        engine = create_engine(stack.database_url)
        yield stack, demo, engine
        engine.dispose()


def data_calls(demo) -> list[str]:
    return [call.path for call in call_log(demo) if not call.path.endswith("/profile.json")]


def sync_states(engine) -> dict:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT resource, backfill_done, oldest_synced, newest_synced FROM sync_states"
            " JOIN oauth ON oauth.id = sync_states.connection_id"
            " JOIN users ON users.id = oauth.user_id WHERE users.email = :email"),
            {"email": EMAIL}).all()
    return {row.resource: row for row in rows}


def import_done(engine) -> bool:
    states = sync_states(engine)
    return bool(states) and all(state.backfill_done for state in states.values())


def stored_steps(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT day, value FROM daily_metrics JOIN users ON users.id = daily_metrics.user_id"
            " WHERE users.email = :email AND metric = 'steps' ORDER BY day"), {"email": EMAIL}).all()


def test_killed_mid_import_resumes_and_stores_each_day_once(deployment):
    stack, demo, engine = deployment
    port = free_port()
    base = stack.web(port)
    first_consumer = stack.consumer("consumer-1")
    browser = Browser()
    browser.sign_up(base, EMAIL)
    assert browser.connect(base, account=ACCOUNT).status_code == 200

    wait_until(lambda: len(data_calls(demo)) >= 3, timeout=30, message="the import never started")
    stack.stop(signal.SIGKILL)  # every process at once, as a power cut would
    assert first_consumer.returncode == -signal.SIGKILL
    assert not import_done(engine), "the import finished before the stop"
    calls_before_restart = len(data_calls(demo))

    stack.web(port)
    stack.consumer("consumer-2")
    wait_until(lambda: import_done(engine), timeout=90, message="the import did not finish after the restart")

    steps = sync_states(engine)["steps"]
    days = [steps.oldest_synced + timedelta(days=n)
            for n in range((steps.newest_synced - steps.oldest_synced).days + 1)]
    stored = stored_steps(engine)
    assert len(days) > 30
    assert [row.day for row in stored] == days  # each day once, none missing
    assert [row.value for row in stored] == [daily_values(ACCOUNT, day)["steps"] for day in days]
    # The restart went on where the stop left it: only a range in flight may be asked for twice.
    calls = data_calls(demo)
    assert len(calls) > calls_before_restart
    assert len(calls) - len(set(calls)) <= 1, calls
    assert browser.get(f"{base}/dashboard").status_code == 200  # the session outlived the restart
