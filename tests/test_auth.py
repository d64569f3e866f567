"""Accounts: sign up, log in, log out, sessions and CSRF."""

import re

import pytest

from conftest import PASSWORD, build_app, login, make_config, signup

from fitlink.extensions import db
from fitlink.models import User


def test_home_offers_sign_up_and_log_in(client):
    page = client.get("/").text
    assert "Sign up" in page and "Log in" in page
    assert "<main" in page and 'name="viewport"' in page


def test_signup_hashes_password_normalises_email_and_logs_in(app, client):
    response = signup(client, email="  Ada@Example.ORG ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    with app.app_context():
        user = db.session.execute(db.select(User)).scalar_one()
        assert user.email == "ada@example.org"
        assert PASSWORD not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert "Connect Fitbit" in client.get("/dashboard").text


def test_signup_errors_are_plain(client):
    page = client.post("/signup", data={"email": "not-an-email", "password": "short", "confirm": "short"})
    assert page.status_code == 400
    assert "Enter a valid email address." in page.text
    assert "Use at least 8 characters." in page.text
    signup(client)
    client.post("/logout")
    again = signup(client, email="ADA@example.org")
    assert again.status_code == 400
    assert "An account with this email already exists." in again.text


def test_wrong_password_and_unknown_email_get_the_same_message(client):
    signup(client)
    client.post("/logout")
    wrong = login(client, password="wrong password")
    unknown = login(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert login(client).status_code == 302


def test_logout_really_logs_out(client):
    signup(client)
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_next_is_followed_only_when_local(client):
    signup(client)
    client.post("/logout")
    assert login_to(client, "/dashboard") == "/dashboard"
    client.post("/logout")
    for outside in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert login_to(client, outside) == "/dashboard"
        client.post("/logout")


def login_to(client, next_url):
    response = client.post(
        "/login", query_string={"next": next_url}, data={"email": "ada@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    return response.headers["Location"]


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


@pytest.fixture
def csrf_client(tmp_path, provider):
    """A client of an app with CSRF on, as in production."""
    return build_app(make_config(tmp_path, provider.url, WTF_CSRF_ENABLED=True)).test_client()


def post_form(client, page, data, action=None):
    """GET a page, then POST data with the CSRF token the page carries."""
    html = client.get(page).text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    return client.post(action or page, data={**data, "csrf_token": token})


CREDENTIALS = {"email": "ada@example.org", "password": PASSWORD}


def test_session_id_changes_at_login_and_logout(csrf_client):
    client = csrf_client
    client.get("/signup")
    anonymous = session_cookie(client)
    assert anonymous
    post_form(client, "/signup", {**CREDENTIALS, "confirm": PASSWORD})
    after_signup = session_cookie(client)
    assert after_signup and after_signup != anonymous
    post_form(client, "/dashboard", {}, action="/logout")
    assert session_cookie(client) != after_signup
    client.get("/login")
    anonymous = session_cookie(client)
    assert anonymous
    assert post_form(client, "/login", CREDENTIALS).status_code == 302
    assert session_cookie(client) not in (None, anonymous)


def test_old_session_id_is_worthless_after_login(csrf_client):
    client = csrf_client
    client.get("/signup")
    planted = session_cookie(client)
    post_form(client, "/signup", {**CREDENTIALS, "confirm": PASSWORD})
    assert client.get("/dashboard").status_code == 200
    attacker = client.application.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/dashboard").status_code == 302


def test_session_cookie_flags(client):
    cookie = signup(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development runs on plain http


def test_csrf_is_enforced(tmp_path, provider):
    app = build_app(make_config(tmp_path, provider.url, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD}
    refused = client.post("/signup", data=data)
    assert refused.status_code == 400 and "expired" in refused.text
    assert client.post("/signup", data={**data, "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_secure_cookie_and_required_secret_in_production(tmp_path, provider):
    with pytest.raises(RuntimeError, match="FITLINK_SECRET_KEY"):
        build_app(make_config(tmp_path, provider.url, ENV="production", SECRET_KEY=None))
    app = build_app(make_config(tmp_path, provider.url, ENV="production"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
