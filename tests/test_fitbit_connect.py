"""Connect Fitbit over OAuth 1.0a against the built-in service on a real port."""

import socket
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from requests_oauthlib import OAuth1Session

from helpers import (
    CLIENT_SECRET, authorize_on_provider, build_app, connect, local_path, make_config, signed_up_client, signup,
)

from fitlink import clock, create_app
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app
from fitlink.extensions import db
from fitlink.models import DailyMetric, Connection

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports


def stored(app, model=Connection):
    with app.app_context():
        return db.session.execute(db.select(model)).scalars().all()


def test_whole_journey_shows_todays_numbers(app, client):
    signup(client)
    response = connect(client, account="alex")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").text
    account = get_account("alex")
    today = daily_values("alex", local_today(account))
    assert account.display_name in page
    assert f'data-metric="steps">{today["steps"]:,}<' in page
    assert "Disconnect" in page and "Sync now" in page
    (link,) = stored(app)
    assert link.provider_user_id == account.encoded_id
    assert link.timezone == account.timezone


def test_data_is_stored_once_per_day_and_refetch_updates(app, client):
    signup(client)
    connect(client)
    rows = stored(app, DailyMetric)
    keys = {(r.user_id, r.metric, r.day) for r in rows}
    assert len(keys) == len(rows)
    assert client.post("/sync").status_code == 302
    assert len(stored(app, DailyMetric)) == len(rows)


def test_decline_stores_nothing_and_offers_connect_again(app, client):
    signup(client)
    response = connect(client, allow=False)
    assert response.status_code == 302
    page = client.get("/dashboard").text
    assert "You declined access on Fitbit" in page
    assert "Connect Fitbit" in page
    assert stored(app) == []


def declined_then_allowed(client, decline_query) -> tuple[str, str]:
    """Start a connect; send the callback decline_query(issued token) and then the provider's
    allowed callback for that connect; return the dashboard after each."""
    start = client.get("/fitbit")
    issued = dict(parse_qsl(urlsplit(start.headers["Location"]).query))["oauth_token"]
    allowed = local_path(authorize_on_provider(start.headers["Location"]))
    assert client.get("/fitbit/authorized?" + decline_query(issued)).status_code == 302
    after_decline = client.get("/dashboard").text
    client.get(allowed)
    return after_decline, client.get("/dashboard").text


DECLINED = "You declined access on Fitbit, so nothing was connected."


def check_declined_then_refused(app, declined: str, after: str) -> None:
    """The decline said so (and nothing else); the connect's allowed callback after it was refused; nothing stored."""
    assert DECLINED in declined and "not valid for this session" not in declined
    assert "not valid for this session" in after
    assert stored(app) == []


def test_decline_with_the_issued_token_discards_it(app, client):
    signup(client)
    declined, after = declined_then_allowed(client, lambda token: urlencode({"oauth_token": token, "denied": token}))
    assert DECLINED in declined
    assert "not valid for this session" in after  # the connect's request token went with the decline
    assert stored(app) == []


def test_decline_without_any_token_says_declined(app, client):
    signup(client)
    declined, after = declined_then_allowed(client, lambda token: "denied=1")
    check_declined_then_refused(app, declined, after)


def test_decline_with_another_sessions_token_says_declined(app, client):
    signup(client)
    other = signed_up_client(app, email="eve@example.org")
    eve = dict(parse_qsl(urlsplit(other.get("/fitbit").headers["Location"]).query))["oauth_token"]
    declined, after = declined_then_allowed(client, lambda token: urlencode({"oauth_token": eve, "denied": eve}))
    check_declined_then_refused(app, declined, after)


def test_callback_with_another_sessions_token_is_refused(app, client):
    signup(client)
    other = signed_up_client(app, email="eve@example.org")
    start = other.get("/fitbit")
    callback = authorize_on_provider(start.headers["Location"], account="sam")
    # Ada's browser is sent the callback meant for Eve's session.
    client.get("/fitbit")
    response = client.get(local_path(callback))
    assert response.status_code == 302
    assert "not valid for this session" in client.get("/dashboard").text
    assert stored(app) == []


def test_tampered_callback_token_is_refused(app, client):
    signup(client)
    start = client.get("/fitbit")
    callback = authorize_on_provider(start.headers["Location"])
    query = dict(parse_qsl(urlsplit(callback).query))
    query["oauth_token"] = query["oauth_token"][::-1]
    client.get("/fitbit/authorized?" + urlencode(query))
    assert "not valid for this session" in client.get("/dashboard").text
    assert stored(app) == []


def test_replayed_callback_stores_nothing_more(app, client):
    signup(client)
    start = client.get("/fitbit")
    callback = local_path(authorize_on_provider(start.headers["Location"]))
    client.get(callback)
    assert len(stored(app)) == 1
    client.get("/dashboard")  # consume the success message
    again = client.get(callback)
    assert again.status_code == 302
    assert "not valid for this session" in client.get("/dashboard").text
    assert len(stored(app)) == 1


def test_provider_down_shows_a_message(tmp_path, provider):
    with socket_that_refuses() as closed_url:
        app = build_app(make_config(tmp_path, closed_url))
        client = app.test_client()
        signup(client)
        response = client.get("/fitbit")
    assert response.status_code == 302
    page = client.get("/dashboard").text
    assert "could not be reached" in page and "Connect Fitbit" in page
    assert stored(app) == []


class socket_that_refuses:
    """A URL on loopback where nothing listens."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc):
        self.sock.close()


@pytest.fixture
def failing_provider():
    """A provider that answers 500 to everything."""

    def app(environ, start_response):
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"boom"]

    with serve_in_thread(app) as server:
        yield server.url


def test_provider_error_shows_a_message(tmp_path, failing_provider):
    app = build_app(make_config(tmp_path, failing_provider))
    client = app.test_client()
    signup(client)
    assert client.get("/fitbit").status_code == 302
    assert "could not be reached or refused" in client.get("/dashboard").text
    assert stored(app) == []


def test_provider_rejects_access_token_signed_without_request_token_secret(provider):
    consumer = OAuth1Session("fitlink-builtin", client_secret=CLIENT_SECRET, callback_uri="http://localhost/cb")
    token = consumer.fetch_request_token(provider.url + "/oauth/request_token")
    callback = authorize_on_provider(provider.url + "/oauth/authorize?oauth_token=" + token["oauth_token"])
    verifier = dict(parse_qsl(urlsplit(callback).query))["oauth_verifier"]
    # What Flask-Dance 7.1.0 sends: the request token without its secret.
    lenient = OAuth1Session(
        "fitlink-builtin", client_secret=CLIENT_SECRET,
        resource_owner_key=token["oauth_token"], resource_owner_secret="", verifier=verifier,
    )
    answer = lenient.post(provider.url + "/oauth/access_token")
    assert answer.status_code == 401


def test_token_survives_a_restart(tmp_path, provider):
    config = make_config(tmp_path, provider.url)
    first = build_app(config)
    client = first.test_client()
    signup(client)
    connect(client)
    cookie = client.get_cookie("session").value
    again = create_app(config)
    later = again.test_client()
    later.set_cookie("session", cookie)
    page = later.get("/dashboard").text
    assert "Disconnect" in page and get_account("alex").display_name in page


def test_two_users_never_see_each_others_data(app, client):
    signup(client)
    connect(client, account="alex")
    other = app.test_client()
    signup(other, email="bo@example.org")
    connect(other, account="sam")
    alex, sam = get_account("alex"), get_account("sam")
    mine, theirs = client.get("/dashboard").text, other.get("/dashboard").text
    assert alex.display_name in mine and sam.display_name not in mine
    assert sam.display_name in theirs and alex.display_name not in theirs
    alex_steps = daily_values("alex", local_today(alex))["steps"]
    assert f'data-metric="steps">{alex_steps:,}<' not in theirs


def test_same_fitbit_account_cannot_link_two_users_but_relinking_works(app, client):
    signup(client)
    connect(client, account="alex")
    connect(client, account="alex")
    assert len(stored(app)) == 1
    other = app.test_client()
    signup(other, email="bo@example.org")
    connect(other, account="alex")
    assert "already connected to another fitlink account" in other.get("/dashboard").text
    assert len(stored(app)) == 1


def test_disconnect_removes_token_and_data(app, client):
    signup(client)
    connect(client)
    assert stored(app, DailyMetric)
    response = client.post("/connections/fitbit/disconnect")
    assert response.status_code == 302
    page = client.get("/dashboard").text
    assert "disconnected" in page and "Connect Fitbit" in page
    assert stored(app) == [] and stored(app, DailyMetric) == []


@pytest.mark.parametrize("account", ["kiri", "noa"])
def test_today_is_the_fitbit_users_local_date(app, client, account):
    signup(client)
    connect(client, account=account)
    profile = get_account(account)
    today = local_today(profile)
    page = client.get("/dashboard").text
    assert f"({profile.timezone})" in page
    assert f"{today:%A} {today.day} {today:%B %Y}" in page
    with app.app_context():
        newest = db.session.execute(db.select(db.func.max(DailyMetric.day))).scalar()
    assert newest == today
    assert abs((today - clock.now().date()).days) <= 1


def test_connect_requires_login(client):
    response = client.get("/fitbit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_journey_against_a_provider_named_only_by_fitbit_variables(tmp_path, monkeypatch):
    """Another RFC 5849 server, configured the way an operator would: FITLINK_FITBIT_* only."""
    other = create_demo_app({
        "SECRET_KEY": "other", "DEMO_FITBIT_CLIENTS": {"operator-key": "operator-secret"},
    })
    with serve_in_thread(other) as server:
        for name, value in {
            "FITBIT_CLIENT_KEY": "operator-key",
            "FITBIT_CLIENT_SECRET": "operator-secret",
            "FITBIT_REQUEST_TOKEN_URL": server.url + "/oauth/request_token",
            "FITBIT_AUTHORIZATION_URL": server.url + "/oauth/authorize",
            "FITBIT_ACCESS_TOKEN_URL": server.url + "/oauth/access_token",
            "FITBIT_API_BASE_URL": server.url,
        }.items():
            monkeypatch.setenv("FITLINK_" + name, value)
        config = make_config(tmp_path, "http://127.0.0.1:9/unused")
        del config["DEMO_FITBIT_URL"], config["DEMO_FITBIT_CLIENT_SECRET"]
        app = build_app(config)
        assert not app.config.get("BUILTIN_FITBIT")
        client = app.test_client()
        signup(client)
        start = client.get("/fitbit")
        assert start.headers["Location"].startswith(server.url + "/oauth/authorize?")
        client.get(local_path(authorize_on_provider(start.headers["Location"], account="noa")))
        page = client.get("/dashboard").text
        account = get_account("noa")
        steps = daily_values("noa", local_today(account))["steps"]
        assert account.display_name in page and f'data-metric="steps">{steps:,}<' in page
        assert client.get("/demo-fitbit/oauth/authorize").status_code == 404
