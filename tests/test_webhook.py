"""The subscriptions webhook: verification, signatures, enqueueing, revoked access."""

import json
from datetime import timedelta

import pytest

from helpers import CLIENT_SECRET, build_app, connect, make_config, notification, post, sign, signup

from fitlink import clock, jobs
from fitlink.builtin_services.common.accounts import get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app, record_activity
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection, SyncRequest
from fitlink.sync.pending import names

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


@pytest.fixture
def queued_app(tmp_path, provider):
    """An app whose jobs go to a real (SQLite) queue instead of running at once."""
    app = build_app(make_config(tmp_path, provider.url, JOBS_IMMEDIATE=False,
                                FITBIT_SUBSCRIBER_VERIFICATION_CODE="s3cret-code"))
    client = app.test_client()
    signup(client)
    connect(client, account="alex")
    jobs.huey.flush()
    with app.app_context():  # the flushed import's place in the queue goes with it
        db.session.execute(db.delete(SyncRequest))
        db.session.commit()
    return app


def pending(app) -> list:
    return [(task.name, task.args, task.kwargs) for task in jobs.huey.pending()]


def test_verification_code(queued_app):
    client = queued_app.test_client()
    assert client.get("/fitbit/webhook?verify=s3cret-code").status_code == 204
    assert client.get("/fitbit/webhook?verify=wrong").status_code == 404
    assert client.get("/fitbit/webhook").status_code == 404


def test_no_code_configured_answers_404(app):
    assert app.test_client().get("/fitbit/webhook?verify=").status_code == 404


def test_bad_signature_is_404_and_enqueues_nothing(queued_app):
    client = queued_app.test_client()
    body = notification(get_account("alex").encoded_id)
    assert post(client, body, signature="AAAA").status_code == 404
    assert post(client, body, signature=sign(body, "another secret")).status_code == 404
    assert post(client, body + b" ", signature=sign(body)).status_code == 404
    assert pending(queued_app) == []


def test_good_signature_enqueues_the_right_sync_and_answers_204(queued_app):
    client = queued_app.test_client()
    owner = get_account("alex").encoded_id
    batch = json.loads(notification(owner)) + json.loads(notification(owner, "sleep")) + \
        json.loads(notification("UNKNOWN")) + json.loads(notification(owner, "foods"))
    body = json.dumps(batch).encode()
    response = post(client, body)
    assert response.status_code == 204 and response.data == b""
    ((name, args, _kwargs),) = pending(queued_app)
    assert name.endswith("sync_task") and args[0] == 1
    with queued_app.app_context():
        asked = db.session.get(SyncRequest, 1)
        assert (asked.everything, asked.manual, asked.token) == (False, False, args[1])
        # activities and sleep: what the tracker's activity sync and the night bring; foods: nothing fitlink keeps.
        assert set(names(asked.metrics)) == {
            "steps", "distance", "calories", "floors", "very_active_minutes", "fairly_active_minutes",
            "resting_heart_rate", "vo2max", "active_zone_minutes", "lightly_active_minutes", "sedentary_minutes",
            "steps_minutes", "heart_rate_minutes", "calories_minutes", "exercises",
            "sleep", "hrv", "spo2", "breathing_rate", "skin_temperature"}


def test_garbage_with_a_good_signature_is_accepted_and_ignored(queued_app):
    client = queued_app.test_client()
    for body in (b'{"a": 1}', b"[1, 2, {}]"):
        assert post(client, body).status_code == 204
    assert post(client, b"not json").status_code == 400  # see test_security.py for more
    assert pending(queued_app) == []


def test_revoked_access_removes_the_token_and_keeps_the_data(queued_app):
    client = queued_app.test_client()
    with queued_app.app_context():
        assert jobs.run_sync(1) == "complete"
    clock.travel_to(clock.now() + timedelta(days=2))  # a revocation dated after the connection was made
    alex = get_account("alex")
    body = notification(alex.encoded_id, "userRevokedAccess", local_today(alex).isoformat())
    assert post(client, body).status_code == 204
    with queued_app.app_context():
        link = db.session.get(Connection, 1)
        assert link.token == {} and link.broken_at is not None
        assert db.session.execute(db.select(db.func.count()).select_from(DailyMetric)).scalar() > 0
    assert pending(queued_app) == []


def test_built_in_service_notifies_and_fitlink_syncs_the_change(tmp_path):
    """End to end: the service records activity, signs a notification, fitlink syncs it."""
    with serve_in_thread(lambda e, s: fitlink_app(e, s)) as fitlink_server:
        demo = create_demo_app({
            "SECRET_KEY": "demo", "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": CLIENT_SECRET},
            "DEMO_FITBIT_SUBSCRIBER_URL": fitlink_server.url + "/fitbit/webhook",
        })
        with serve_in_thread(demo) as provider:
            app = build_app(make_config(tmp_path, provider.url))
            fitlink_app.target = app
            client = app.test_client()
            signup(client)
            connect(client, account="kiri")
            today = local_today(get_account("kiri"))
            before = steps_on(app, today)
            assert record_activity(demo, "kiri", 1234) == [204]
            assert steps_on(app, today) == before + 1234


def fitlink_app(environ, start_response):
    return fitlink_app.target(environ, start_response)


def steps_on(app, day) -> float:
    with app.app_context():
        return db.session.execute(
            db.select(DailyMetric.value).filter_by(metric="steps", day=day)
        ).scalar_one()


def test_a_revocation_that_names_no_date_is_checked_with_the_provider(queued_app):
    client = queued_app.test_client()
    body = notification(get_account("alex").encoded_id, "userRevokedAccess", day=None)
    assert post(client, body).status_code == 204
    ((name, args, _kwargs),) = pending(queued_app)  # a sync whose 401 would break the connection
    with queued_app.app_context():
        link = db.session.get(Connection, 1)
        assert link.broken_at is None and link.token
        assert names(db.session.get(SyncRequest, 1).metrics) == ("steps",)
