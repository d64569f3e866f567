"""Connect Google Health from fitlink's pages: OAuth 2.0 with PKCE against the built-in service on a real port."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import local_path
from helpers.google_health import SCOPES, alex_today, connect, decide, start, stored, stored_steps

from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health import call_log, expire_access_tokens, reset_call_log
from fitlink.builtin_services.google_health.people import health_user_id
from fitlink.extensions import db
from fitlink.google_health import SOURCE
from fitlink.google_health.client import NOT_LINKED
from fitlink.models import DailyMetric, Connection
from fitlink.sources import TokenRejected

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own


def test_connect_asks_for_offline_access_with_pkce_and_the_read_scopes(client):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"][0].split() == SCOPES
    assert query["redirect_uri"] == ["http://localhost/google_health/authorized"]


def test_whole_journey_stores_the_connection_and_imports(app, client):
    answer = connect(client)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard")
    (connection,) = stored(app)
    assert connection.provider == "google_health"
    assert connection.provider_user_id == health_user_id("alex")
    assert connection.timezone == "Europe/Berlin"
    assert connection.token["refresh_token"] and connection.token["access_token"]
    page = client.get("/dashboard").text
    assert "Connected to Google Health as Google Health user" in page
    steps = stored_steps(app)
    assert steps and max(steps) == alex_today() and all(row.source == "google_health"
                                                       for row in stored(app, DailyMetric))


def test_declining_stores_nothing(app, client):
    answer = connect(client, allow=False)
    assert answer.status_code == 302
    assert "You declined access on Google Health, so nothing was connected." in client.get("/dashboard").text
    assert stored(app) == []


def test_tampered_state_stores_nothing(app, client):
    callback = decide(start(client))
    tampered = callback.replace("state=", "state=x")
    answer = client.get(local_path(tampered))
    assert answer.status_code == 302
    assert "not valid for this session" in client.get("/dashboard").text
    assert stored(app) == []


def test_callback_without_a_login_started_stores_nothing(app, client):
    answer = client.get("/google_health/authorized?code=abc&state=xyz")
    assert answer.status_code == 302 and stored(app) == []


def test_account_without_google_health_is_told_what_to_do(app, client):
    connect(client, account="unlinked")
    assert NOT_LINKED.split(".")[0] in client.get("/dashboard").text
    assert stored(app) == []


def garbage_token_endpoint(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<html>Bad Gateway</html>"]


def failing_token_endpoint(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/html")])
    return [b"<html>down</html>"]


@pytest.mark.parametrize("endpoint", [garbage_token_endpoint, failing_token_endpoint, None])
def test_token_endpoint_trouble_is_a_plain_message(app, client, endpoint):
    callback = decide(start(client))
    if endpoint is None:
        app.config["GOOGLE_HEALTH_TOKEN_URL"] = "http://127.0.0.1:9/token"  # nothing listens there
        answer = client.get(local_path(callback))
    else:
        with serve_in_thread(endpoint) as broken:
            app.config["GOOGLE_HEALTH_TOKEN_URL"] = f"{broken.url}/token"
            answer = client.get(local_path(callback))
    assert answer.status_code == 302
    assert "Google Health could not be reached or refused the request" in client.get("/dashboard").text
    assert stored(app) == []


def test_connect_needs_a_fitlink_login(app):
    answer = app.test_client().get("/google_health")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_reconnecting_over_an_expired_stored_token_works(app, client):
    connect(client)
    with app.app_context():
        connection = db.session.execute(db.select(Connection)).scalar_one()
        connection.token = {**connection.token, "expires_at": 1}
        db.session.commit()
    answer = connect(client)
    assert answer.status_code == 302
    (connection,) = stored(app)
    assert connection.token["expires_at"] > 1


def test_refreshed_token_is_stored_on_the_connection_at_once(app, client, demo):
    connect(client)
    (before,) = stored(app)
    expire_access_tokens(demo)
    with app.app_context():
        connection = db.session.get(Connection, before.id)
        source = SOURCE.open(connection)
        assert source.fetch("steps", alex_today() - timedelta(days=1), alex_today())
        source.close()
        db.session.remove()
    (after,) = stored(app)
    assert after.token["refresh_token"] != before.token["refresh_token"]
    assert after.token["access_token"] != before.token["access_token"]


def test_revoking_ends_the_grant_at_google(app, client, demo):
    connect(client)
    with app.app_context():
        connection = db.session.execute(db.select(Connection)).scalar_one()
        SOURCE.revoke(connection)
        reset_call_log(demo)
        source = SOURCE.open(connection)
        with pytest.raises(TokenRejected):
            source.fetch("steps", alex_today(), alex_today())
        source.close()
    assert call_log(demo)


def test_disconnect_revokes_and_forgets(app, client, demo):
    connect(client)
    (connection,) = stored(app)
    assert client.post("/connections/google_health/disconnect").status_code == 302
    assert stored(app) == [] and stored(app, DailyMetric) == []
    with app.app_context():
        source = SOURCE.open(connection)
        with pytest.raises(TokenRejected):
            source.fetch("steps", alex_today(), alex_today())


def test_tokens_stay_out_of_the_logs(app, client, demo, caplog):
    caplog.set_level(logging.DEBUG)
    connect(client)
    expire_access_tokens(demo)
    (connection,) = stored(app)
    with app.app_context():
        source = SOURCE.open(db.session.get(Connection, connection.id))
        source.fetch("steps", alex_today(), alex_today())
        source.close()
    (refreshed,) = stored(app)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /token" in logged  # the refresh happened, and was logged without its answer
    for token in (connection.token, refreshed.token):
        assert token["access_token"] not in logged and token["refresh_token"] not in logged
