"""Google Health webhooks: the endpoint verification, and notifications that queue syncs."""

from __future__ import annotations

import json

import pytest
from conftest import signup
from services import free_port
from test_google_health_connect import WEBHOOK_SECRET, build_fitlink, connect, stored
from test_google_health_source import CLIENT_ID, CLIENT_SECRET, FROZEN, alex_today

from fitlink import clock
from fitlink.demo_fitbit.accounts import daily_values
from fitlink.demo_fitbit.server import serve_in_thread
from fitlink.demo_google_health import call_log, create_demo_app, record_activity, reset_call_log
from fitlink.demo_google_health.models import health_db
from fitlink.demo_google_health.people import health_user_id
from fitlink.extensions import db
from fitlink.models import DailyMetric, OAuth, now_utc

URL = "/google-health/webhook"
VERIFY = {"type": "verification"}


@pytest.fixture
def fitlink_port():
    return free_port()


@pytest.fixture
def demo(fitlink_port):
    # The service notifies fitlink's webhook, served below on this port, as Google would.
    clock.travel_to(FROZEN)  # for fitlink and the service alike
    app = create_demo_app({"SECRET_KEY": "demo-gh-secret", "TESTING": True,
                           "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET},
                           "DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": f"http://127.0.0.1:{fitlink_port}{URL}",
                           "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": WEBHOOK_SECRET})
    yield app
    with app.app_context():
        health_db.engine.dispose()


@pytest.fixture
def google(demo):
    with serve_in_thread(demo) as handle:
        yield handle


@pytest.fixture
def app(tmp_path, google, monkeypatch):
    app = build_fitlink(tmp_path, google.url, monkeypatch)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, body, secret: str | None = WEBHOOK_SECRET, **headers):
    if secret is not None:
        headers["Authorization"] = secret
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data=data, headers=headers, content_type="application/json")


def test_verification_with_the_secret_is_created(client):
    assert post(client, VERIFY).status_code == 201


@pytest.mark.parametrize("secret", [None, "", "Bearer wrong", WEBHOOK_SECRET + " "])
def test_verification_without_the_secret_is_unauthorized(client, secret):
    assert post(client, VERIFY, secret=secret).status_code == 401


def test_without_a_configured_secret_nothing_is_accepted(tmp_path, google, monkeypatch):
    app = build_fitlink(tmp_path, google.url, monkeypatch, GOOGLE_HEALTH_WEBHOOK_SECRET=None)
    assert post(app.test_client(), VERIFY, secret="").status_code == 401
    assert post(app.test_client(), VERIFY, secret="None").status_code == 401


def test_webhook_needs_no_csrf_token(tmp_path, google, monkeypatch):
    app = build_fitlink(tmp_path, google.url, monkeypatch, WTF_CSRF_ENABLED=True)
    assert post(app.test_client(), VERIFY).status_code == 201


def test_large_body_is_refused_before_reading(client):
    assert post(client, b"{" + b" " * 9000 + b"}").status_code == 413


def test_malformed_json_is_a_bad_request(client):
    assert post(client, b'{"type": ').status_code == 400


def test_notification_of_an_unknown_user_is_accepted_and_ignored(client, demo):
    reset_call_log(demo)
    note = {"data": {"healthUserId": "nobody", "dataType": "steps", "operation": "UPSERT"}}
    assert post(client, note).status_code == 204
    assert call_log(demo) == []


def test_notification_from_google_refreshes_the_named_data(app, demo, fitlink_port):
    client = app.test_client()
    signup(client)
    connect(client)
    reset_call_log(demo)
    with serve_in_thread(app, port=fitlink_port):
        statuses = record_activity(demo, "alex", 500)
    assert statuses == [204, 204]  # one notification per changed type: steps, distance
    assert {call.data_type for call in call_log(demo)} == {"steps", "distance"}
    steps = {row.day: row.value for row in stored(app, DailyMetric) if row.metric == "steps"}
    assert steps[alex_today()] == daily_values("alex", alex_today())["steps"] + 500


def test_notification_for_a_broken_connection_queues_nothing(app, client, demo):
    signup(client)
    connect(client)
    with app.app_context():
        connection = db.session.execute(db.select(OAuth)).scalar_one()
        connection.broken_at = now_utc()
        db.session.commit()
    reset_call_log(demo)
    note = {"healthUserId": health_user_id("alex"), "dataType": "sleep"}
    assert post(client, note).status_code == 204
    assert call_log(demo) == []
