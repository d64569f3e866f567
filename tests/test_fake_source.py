"""A fourth OAuth 2.0 source, not part of fitlink (tests/fakesource/), registered with one line.

Its own provider runs on a real port; connecting, the first sync, the
dashboard, its webhook, a token refresh in a job, Disconnect and account
deletion all go through fitlink's shared code.
"""

import json
from datetime import timedelta

import pytest
from helpers import PASSWORD, TEST_DATABASE_URI, authorize_on_provider, local_path, make_config, signup
from fakesource import SOURCE as FAKE
from fakesource import blueprint as fake_blueprint
from fakesource.provider import create_provider, steps_on
from fakesource.webhook import signature
from flask_login import login_user
from sqlalchemy import select

from fitlink import SOURCES, create_app
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.dates import local_today
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection, SourceMetric, User
from fitlink.sync import sync_connection

CLIENT_ID, CLIENT_SECRET = "fitlink-test", "fake-client-secret"


@pytest.fixture
def provider():
    app = create_provider(CLIENT_ID, CLIENT_SECRET)
    with serve_in_thread(app) as handle:
        handle.state = app.extensions["fake_provider"]
        yield handle


@pytest.fixture
def app(tmp_path, provider, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    config = make_config(tmp_path, "http://127.0.0.1:9/demo-fitbit", BACKFILL_MAX_DAYS=40,
                         FAKE_CLIENT_ID=CLIENT_ID, FAKE_CLIENT_SECRET=CLIENT_SECRET,
                         FAKE_AUTHORIZATION_URL=f"{provider.url}/authorize", FAKE_TOKEN_URL=f"{provider.url}/token",
                         FAKE_REVOKE_URL=f"{provider.url}/revoke", FAKE_API_BASE_URL=provider.url)
    app = create_app(config, source_kinds=(*SOURCES, FAKE))  # the one line that adds the source
    with app.app_context():
        if TEST_DATABASE_URI:
            db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def connect(client, allow=True):
    """Sign up, click Connect Fake Health, decide on the provider's page, follow the callback; return the dashboard.

    (`client` is conftest's fixture, on this module's app.)
    """
    signup(client)
    start = client.get("/fake")
    assert start.status_code == 302
    callback = authorize_on_provider(start.headers["Location"], account="alex", allow=allow)
    assert client.get(local_path(callback)).status_code == 302
    return client.get("/dashboard").text


def connection(app) -> Connection | None:
    with app.app_context():
        return db.session.execute(select(Connection).filter_by(provider="fake")).scalar_one_or_none()


def rows(app, model) -> int:
    with app.app_context():
        return len(db.session.execute(select(model).filter_by(source="fake")).all())


def post_note(client, changed: list, secret=CLIENT_SECRET):
    body = json.dumps({"changed": changed}).encode()
    return client.post("/fake/webhook", data=body, headers={"X-Fake-Signature": signature(body, secret)})


def test_the_dashboard_offers_it_in_its_own_words(client):
    signup(client)
    page = client.get("/dashboard").text
    assert "Connect Fake Health" in page and "Connect Fitbit" in page and "Import a Fitbit archive" in page


def test_connect_stores_the_connection_and_the_first_sync_imports_the_history(app, client, provider):
    page = connect(client)
    assert "Connected to Fake Health as Alex. Importing your data now." in page
    assert "Fake Health" in page and "Disconnect Fake Health" in page and "Connect Fake Health" not in page
    stored = connection(app)
    assert stored.provider_user_id == "FAKE-alex" and stored.display_name == "Alex"
    with app.app_context():
        today = local_today("UTC")
        steps = dict(db.session.execute(select(DailyMetric.day, DailyMetric.value)
                                        .filter_by(metric="steps", source="fake")).all())
    oldest = today - timedelta(days=39)  # BACKFILL_MAX_DAYS=40, today included
    assert len(steps) == 40 and steps[today] == steps_on(today) and steps[oldest] == steps_on(oldest)
    assert f"{steps_on(today):,}" in page
    # The calls the plan allows: the profile, then 40 days in two ranges of at most 30, newest first.
    assert provider.state.calls == ["/me", f"/steps {today - timedelta(days=29)}..{today}",
                                    f"/steps {oldest}..{today - timedelta(days=30)}"]


def test_the_token_is_read_through_flask_dance_storage(app, client):
    connect(client)
    with app.test_request_context():
        login_user(db.session.execute(select(User)).scalar_one())
        assert fake_blueprint.token["access_token"] == connection(app).token["access_token"]


def test_a_declined_consent_connects_nothing(app, client):
    page = connect(client, allow=False)
    assert "You declined access on Fake Health, so nothing was connected." in page
    assert connection(app) is None


def test_its_consent_page_is_a_permitted_form_target(app, client, provider):
    signup(client)
    policy = client.get("/dashboard").headers["Content-Security-Policy"]
    form_targets = policy.split("form-action")[1].split(";")[0].split()
    assert provider.url in form_targets


def test_a_signed_notification_syncs_the_named_account(app, client, provider):
    connect(client)
    provider.state.calls.clear()
    assert post_note(client, [{"account": "FAKE-alex", "metrics": ["steps"]}]).status_code == 204
    assert len(provider.state.calls) == 1 and provider.state.calls[0].startswith("/steps")
    assert post_note(client, [{"account": "FAKE-nobody"}]).status_code == 204
    assert post_note(client, [{"account": "FAKE-alex"}], secret="wrong").status_code == 404
    assert len(provider.state.calls) == 1


def test_a_job_refreshes_an_expired_token_and_stores_it(app, client, provider):
    connect(client)
    before = connection(app).token
    with app.app_context():
        row = db.session.get(Connection, connection(app).id)
        row.token = {**row.token, "expires_at": 1.0}
        db.session.commit()
        assert sync_connection(row.id, manual=True).outcome == "complete"
    after = connection(app).token
    assert after["access_token"] != before["access_token"] and after["refresh_token"] != before["refresh_token"]
    assert after["expires_at"] > 1.0


def test_disconnect_revokes_the_grant_and_deletes_its_data(app, client, provider):
    connect(client)
    assert rows(app, SourceMetric) == 40
    client.post("/connections/fake/disconnect")
    page = client.get("/dashboard").text
    assert "Fake Health is disconnected, and the data fitlink had from it is deleted." in page
    assert provider.state.revoked == ["alex"]
    assert connection(app) is None and rows(app, SourceMetric) == 0 and rows(app, DailyMetric) == 0


def test_deleting_the_account_revokes_the_grant_and_deletes_everything(app, client, provider):
    connect(client)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert provider.state.revoked == ["alex"]
    assert connection(app) is None and rows(app, SourceMetric) == 0 and rows(app, DailyMetric) == 0
