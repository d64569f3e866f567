"""Google Health webhooks: the endpoint verification, and notifications that queue syncs."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import date

import pytest
import tink
from helpers import signed_up_client
from services import free_port
from helpers.google_health import WEBHOOK_SECRET, build_fitlink, connect, stored_steps
from tink import signature

from fitlink import clock
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health import (
    call_log, deliver, keyset_fetches, notification, record_activity, reset_call_log,
    rotate_signing_key,
)
from fitlink.builtin_services.google_health.people import health_user_id
from fitlink.builtin_services.google_health.state import health_state
from fitlink.extensions import db
from fitlink.models import Connection, now_utc

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

URL = "/google-health/webhook"
VERIFY = {"type": "verification"}


@pytest.fixture
def fitlink_port():
    return free_port()


@pytest.fixture
def demo_settings(fitlink_port):
    # The service notifies fitlink's webhook, served by the tests on this port, as Google would.
    return {"DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": f"http://127.0.0.1:{fitlink_port}{URL}",
            "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": WEBHOOK_SECRET}


@pytest.fixture
def client(app):
    """Google's side of the webhook: a client with no session."""
    return app.test_client()


@pytest.fixture
def connected(app):
    """A browser signed up to fitlink and connected to alex's Google Health data."""
    browser = signed_up_client(app)
    connect(browser)
    return browser


def post(client, body, secret: str | None = WEBHOOK_SECRET, **headers):
    if secret is not None:
        headers["Authorization"] = secret
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data=data, headers=headers, content_type="application/json")


def alex_today() -> date:
    now = clock.now()
    return local_today(get_account("alex", now), now)


def signed(demo, body) -> tuple[bytes, str]:
    """Return the body's bytes and the signature the built-in service puts on them."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return data, health_state(demo).signer.sign(data)


def post_signed(client, demo, body, secret: str | None = None, header="GOOGLE-HEALTH-API-SIGNATURE"):
    data, value = signed(demo, body)
    return post(client, data, secret=secret, **{header: value})


def steps_note(account="alex", data_type="steps") -> dict:
    return notification(health_user_id(account), data_type, alex_today(), "Europe/Berlin")


def test_verification_with_the_secret_is_created(client):
    assert post(client, VERIFY).status_code == 201


@pytest.mark.parametrize("secret", [None, "", "Bearer wrong", WEBHOOK_SECRET + " "])
def test_verification_without_the_secret_is_unauthorized(client, secret):
    assert post(client, VERIFY, secret=secret).status_code == 401


def test_without_a_configured_secret_nothing_is_accepted(tmp_path, server, monkeypatch):
    app = build_fitlink(tmp_path, server.url, monkeypatch, GOOGLE_HEALTH_WEBHOOK_SECRET=None)
    assert post(app.test_client(), VERIFY, secret="").status_code == 401
    assert post(app.test_client(), VERIFY, secret="None").status_code == 401


def test_webhook_needs_no_csrf_token(tmp_path, server, monkeypatch):
    app = build_fitlink(tmp_path, server.url, monkeypatch, WTF_CSRF_ENABLED=True)
    assert post(app.test_client(), VERIFY).status_code == 201


def test_body_over_the_limit_is_refused_before_reading(client, app):
    limit = app.config["GOOGLE_HEALTH_WEBHOOK_MAX_BYTES"]
    assert limit >= 100 * 1024  # Google's largest batches are about 100 KB
    assert post(client, b"[" + b" " * limit + b"]").status_code == 413


def test_malformed_json_is_a_bad_request(client):
    assert post(client, b'{"type": ').status_code == 400


def test_notification_of_an_unknown_user_is_accepted_and_ignored(client, demo):
    reset_call_log(demo)
    note = {"data": {"healthUserId": "nobody", "dataType": "steps", "operation": "UPSERT"}}
    assert post(client, note).status_code == 204
    assert call_log(demo) == []


def test_notification_from_google_refreshes_the_named_data(app, connected, demo, fitlink_port):
    reset_call_log(demo)
    with serve_in_thread(app, port=fitlink_port):
        statuses = record_activity(demo, "alex", 500)
    # (the built-in service runs on the real clock here, as fitlink does)
    assert statuses == [204, 204]  # one notification per changed type: steps, distance
    # Steps refresh the day's total and its minutes (rollUp, placed by the person's time zone).
    assert {call.path for call in call_log(demo)} == {
        "/v4/users/me/dataTypes/steps/dataPoints:dailyRollUp", "/v4/users/me/dataTypes/steps/dataPoints:rollUp",
        "/v4/users/me/settings", "/v4/users/me/dataTypes/distance/dataPoints:dailyRollUp"}
    steps = stored_steps(app)
    assert steps[alex_today()] == daily_values("alex", alex_today())["steps"] + 500


def test_notification_for_a_broken_connection_queues_nothing(app, connected, demo):
    with app.app_context():
        connection = db.session.execute(db.select(Connection)).scalar_one()
        connection.broken_at = now_utc()
        db.session.commit()
    reset_call_log(demo)
    note = {"healthUserId": health_user_id("alex"), "dataType": "sleep"}
    assert post(connected, note).status_code == 204
    assert call_log(demo) == []


# --- batches and signatures (Google's live deliveries) ---

def test_a_signed_batch_of_99_syncs_the_connected_person_once(connected, app, demo, fitlink_port):
    record_activity(demo, "alex", 777)  # fitlink is not listening yet: only the batch below tells it
    batch = [steps_note()] + [
        notification(f"9{n:017d}", kind, alex_today(), "Europe/Berlin")
        for n in range(49) for kind in ("steps", "sleep")]
    assert len(batch) == 99 and len(json.dumps(batch)) > 8 * 1024
    reset_call_log(demo)
    with serve_in_thread(app, port=fitlink_port):
        assert deliver(demo, batch) == 204
    assert Counter(call.path for call in call_log(demo)) == {
        "/v4/users/me/dataTypes/steps/dataPoints:dailyRollUp": 1, "/v4/users/me/dataTypes/steps/dataPoints:rollUp": 1,
        "/v4/users/me/settings": 1}
    steps = daily_values("alex", alex_today())["steps"] + 777
    assert f"{steps:,}" in connected.get("/dashboard").text


@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_NOTIFY_WITH_SECRET": False,
                                      "DEMO_GOOGLE_HEALTH_BATCH_NOTIFICATIONS": True}])
def test_signed_notifications_without_the_secret_are_accepted(app, connected, demo, fitlink_port):
    with serve_in_thread(app, port=fitlink_port):
        assert record_activity(demo, "alex", 321) == [204]
    steps = stored_steps(app)
    assert steps[alex_today()] == daily_values("alex", alex_today())["steps"] + 321


def test_the_older_signature_header_name_is_read_too(client, demo):
    assert post_signed(client, demo, [steps_note("nobody")], header="X-HEALTHAPI-SIGNATURE").status_code == 204


def other_key_signature(body: bytes) -> str:
    handle = tink.new_keyset_handle(signature.signature_key_templates.ECDSA_P256)
    return base64.b64encode(handle.primitive(signature.PublicKeySign).sign(body)).decode()


@pytest.mark.parametrize("forge", ["other body", "unknown key", "truncated", "not base64", "no prefix"])
def test_a_bad_signature_is_refused_even_with_the_secret(connected, demo, forge):
    body = json.dumps([steps_note()]).encode()
    value = {
        "other body": signed(demo, body + b" ")[1],
        "unknown key": other_key_signature(body),
        "truncated": signed(demo, body)[1][:40],
        "not base64": "%%%" + signed(demo, body)[1],
        "no prefix": base64.b64encode(base64.b64decode(signed(demo, body)[1])[5:]).decode(),
    }[forge]
    reset_call_log(demo)
    answer = post(connected, body, secret=WEBHOOK_SECRET, **{"GOOGLE-HEALTH-API-SIGNATURE": value})
    assert answer.status_code == 401
    assert call_log(demo) == []  # nothing synced


def test_a_rotated_key_is_accepted_after_one_refetch(client, demo):
    body = [steps_note("nobody")]
    assert post_signed(client, demo, body).status_code == 204
    assert keyset_fetches(demo) == 1
    assert post_signed(client, demo, body).status_code == 204
    assert keyset_fetches(demo) == 1  # kept
    rotate_signing_key(demo)
    assert post_signed(client, demo, body).status_code == 204
    assert keyset_fetches(demo) == 2
    # Another unknown key within the minute: refused without fetching again.
    data = json.dumps(body).encode()
    assert post(client, data, secret=None, **{"GOOGLE-HEALTH-API-SIGNATURE": other_key_signature(data)}
                ).status_code == 401
    assert keyset_fetches(demo) == 2


def test_unsigned_notification_without_the_secret_is_refused(client):
    assert post(client, [steps_note("nobody")], secret=None).status_code == 401


def test_verification_needs_the_secret_even_when_signed(client, demo):
    # Google's second verification POST comes without the secret and must get 401.
    assert post_signed(client, demo, VERIFY).status_code == 401
    assert post_signed(client, demo, VERIFY, secret=WEBHOOK_SECRET).status_code == 201


def test_a_keyset_that_cannot_be_used_leaves_the_secret_to_decide(tmp_path, server, demo, monkeypatch):
    def oversized(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"key": [' + b" " * (100 * 1024) + b"]}"]

    with serve_in_thread(oversized) as keys:
        app = build_fitlink(tmp_path, server.url, monkeypatch,
                            GOOGLE_HEALTH_WEBHOOK_KEYSET_URL=f"{keys.url}/keyset.json")
        client = app.test_client()
        # Unchecked, not refused: Google retries a 503; the secret alone still lets it in.
        assert post_signed(client, demo, [steps_note("nobody")]).status_code == 503
        assert post_signed(client, demo, [steps_note("nobody")], secret=WEBHOOK_SECRET).status_code == 204
