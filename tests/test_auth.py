"""Accounts: sign up, log in, log out, sessions and CSRF."""

import re

import pytest
from cryptography.fernet import Fernet

from helpers import NO_PROVIDER, PASSWORD, build_app, login, make_config, signup
from services import redis_database

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


def test_passwords_get_werkzeugs_full_scrypt_unless_configured(tmp_path):
    # The suite's apps name a cheaper scrypt (helpers.TEST_PASSWORD_HASH_METHOD); fitlink's own default
    # is werkzeug's: scrypt at 2**15 rounds.
    config = make_config(tmp_path, NO_PROVIDER)
    del config["PASSWORD_HASH_METHOD"]
    app = build_app(config)
    client = app.test_client()
    signup(client)
    with app.app_context():
        assert db.session.execute(db.select(User.password_hash)).scalar_one().startswith("scrypt:32768:8:1$")
    client.post("/logout")
    assert login(client).headers["Location"].endswith("/dashboard")


def test_signup_errors_are_plain(client):
    page = client.post("/signup", data={"email": "not-an-email", "password": "short", "confirm": "short"})
    assert page.status_code == 400
    assert "Enter a valid email address." in page.text
    assert "Use at least 8 characters." in page.text


def signup_error(client, password, email="ada@example.org"):
    page = client.post("/signup", data={"email": email, "password": password, "confirm": password})
    assert page.status_code == 400
    return re.search(r'class="field-error" id="password-error">([^<]*)<', page.text).group(1)


def test_password_policy_follows_nist_800_63b(client):
    # Long passphrases of any characters are welcome (a 201-character one used to be refused).
    assert signup(client, password="x" * 201 + " é ✓").status_code == 302
    client.post("/logout")
    assert signup_error(client, "x" * 257, email="bo@example.org") == "Use at most 256 characters."
    for common in ("password1", "Password123", "iloveyou2", "qwertyuiop"):
        assert signup_error(client, common, email="bo@example.org") == \
            "This password is too common; choose one that is harder to guess."
    assert signup_error(client, "my bob.smith@example.org pw", email="bob.smith@example.org") == \
        "Do not use your email address in your password."
    assert signup_error(client, "bob.smith-2026", email="bob.smith@example.org") == \
        "Do not use your email address in your password."
    # No composition rules: lower-case letters and spaces only is fine.
    assert signup(client, email="bo@example.org", password="purple tractor mornings").status_code == 302


def outcome(response):
    """What a visitor can see of a sign-up: status, where it leads, what it says."""
    return response.status_code, response.headers.get("Location"), response.text


def test_signup_does_not_reveal_whether_an_email_has_an_account(mail_app):
    owner = mail_app.test_client()
    signup(owner)
    stranger = mail_app.test_client()
    taken = stranger.post("/signup", data={"email": "ADA@example.org", "password": "another passphrase",
                                           "confirm": "another passphrase"})
    newcomer = mail_app.test_client()
    fresh = newcomer.post("/signup", data={"email": "new@example.org", "password": "another passphrase",
                                           "confirm": "another passphrase"})
    assert outcome(taken) == outcome(fresh)
    assert taken.status_code == 302 and taken.headers["Location"] == "/dashboard"
    # The stranger got no way into Ada's account; Ada got an email about it.
    assert "ada@example.org" not in stranger.get("/dashboard", follow_redirects=True).text
    [message] = mail_app.inbox.wait_for(1)
    assert message["To"] == "ada@example.org" and "already has one" in message.get_payload()
    with mail_app.app_context():
        assert db.session.execute(db.select(User).filter_by(email="ada@example.org")).scalar_one() \
            .password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert login(mail_app.test_client()).status_code == 302  # Ada's password is unchanged


def test_signing_up_with_a_taken_address_never_logs_in_even_with_its_password(mail_app):
    owner = mail_app.test_client()
    signup(owner)
    guesser = mail_app.test_client()
    again = signup(guesser, email="ADA@example.org")  # the right password
    assert again.status_code == 302 and again.headers["Location"] == "/dashboard"
    assert guesser.get("/account").status_code == 302  # not logged in: sign-up is no way to try passwords
    [message] = mail_app.inbox.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert login(guesser).status_code == 302  # the log-in form, with its throttle, is the way in


def throttled_app(tmp_path, **settings):
    limits = {"THROTTLE_LOGIN_PER_ACCOUNT": "3 per 15 minutes", "THROTTLE_LOGIN_PER_ADDRESS": "5 per 15 minutes",
              "THROTTLE_SIGNUP_PER_ADDRESS": "4 per hour"}
    return build_app(make_config(tmp_path, NO_PROVIDER, **{**limits, **settings}))


def test_failed_logins_are_throttled_per_account(tmp_path):
    client = throttled_app(tmp_path).test_client()
    signup(client)
    client.post("/logout")
    for _ in range(3):
        assert login(client, password="wrong password").status_code == 400
    refused = login(client)  # even the right password waits now
    assert refused.status_code == 429
    assert re.search(r"Too many attempts, try again in 1[45] minutes\.", refused.text)
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    # Another account from the same address is not locked by Ada's failures.
    assert login(client, email="bo@example.org", password="wrong password").status_code == 400


def test_failed_logins_are_throttled_per_address(tmp_path):
    client = throttled_app(tmp_path).test_client()
    for number in range(5):
        assert login(client, email=f"user{number}@example.org").status_code == 400
    assert login(client, email="someone.else@example.org").status_code == 429
    other_address = client.application.test_client()
    response = other_address.post("/login", data={"email": "x@example.org", "password": "nope"},
                                  environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 400


def test_successful_logins_do_not_count(tmp_path):
    client = throttled_app(tmp_path).test_client()
    signup(client)
    for _ in range(6):
        client.post("/logout")
        assert login(client).status_code == 302


def test_signups_are_throttled_per_address(tmp_path):
    client = throttled_app(tmp_path).test_client()
    for number in range(4):
        client.post("/logout")
        assert signup(client, email=f"user{number}@example.org").status_code == 302
    client.post("/logout")
    assert signup(client, email="user9@example.org").status_code == 429


@pytest.mark.services
def test_throttling_holds_across_processes_with_redis(tmp_path):
    with redis_database() as url:
        first = throttled_app(tmp_path, REDIS_URL=url).test_client()
        for _ in range(3):
            assert login(first, password="wrong password").status_code == 400
        # A second app (another worker or host) on the same Redis sees the same count.
        second = throttled_app(tmp_path, REDIS_URL=url).test_client()
        assert login(second, password="wrong password").status_code == 429


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
def csrf_client(tmp_path):
    """A client of an app with CSRF on, as in production."""
    return build_app(make_config(tmp_path, NO_PROVIDER, WTF_CSRF_ENABLED=True)).test_client()


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


def test_csrf_is_enforced(tmp_path):
    app = build_app(make_config(tmp_path, NO_PROVIDER, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": "ada@example.org", "password": PASSWORD, "confirm": PASSWORD}
    refused = client.post("/signup", data=data)
    assert refused.status_code == 400 and "expired" in refused.text
    assert client.post("/signup", data={**data, "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_secure_cookie_and_required_secret_in_production(tmp_path):
    with pytest.raises(RuntimeError, match="FITLINK_SECRET_KEY"):
        build_app(make_config(tmp_path, NO_PROVIDER, ENV="production", SECRET_KEY=None))
    with pytest.raises(RuntimeError, match="FITLINK_TOKEN_KEYS"):
        build_app(make_config(tmp_path, NO_PROVIDER, ENV="production", TRUSTED_HOSTS=["localhost"]))
    keys = [Fernet.generate_key().decode()]
    app = build_app(make_config(tmp_path, NO_PROVIDER, ENV="production", TOKEN_KEYS=keys,
                                TRUSTED_HOSTS=["localhost"]))
    assert app.config["SESSION_COOKIE_SECURE"] is True
