"""The log-in throttle: per account and address, known browsers, account forms, IPv6 /64s, proxies."""

import logging

import pytest

from helpers import NO_PROVIDER, PASSWORD, build_app, make_config

from fitlink.auth import create_user
from fitlink.security import PROXY_WARNING
from fitlink.throttle import address_group

OWNER_HOME, OWNER_AWAY, ATTACKER = "198.51.100.7", "198.51.100.20", "203.0.113.9"
WRONG = "not the password at all"


@pytest.fixture
def accounts_app(tmp_path):
    """fitlink with the default throttle settings and Ada's account."""
    app = build_app(make_config(tmp_path, NO_PROVIDER))
    with app.app_context():
        create_user("ada@example.org", PASSWORD)
    return app


def browser(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client, password=PASSWORD, email="ada@example.org"):
    return client.post("/login", data={"email": email, "password": password})


def test_an_attackers_ten_failures_never_lock_the_owner_out(accounts_app):
    laptop = browser(accounts_app, OWNER_HOME)
    assert log_in(laptop).status_code == 302  # the laptop is known to Ada's account now
    laptop.post("/logout")

    attacker = browser(accounts_app, ATTACKER)
    for _ in range(10):
        assert log_in(attacker, WRONG).status_code == 400
    assert log_in(attacker).status_code == 429  # the attacker's address is done guessing Ada
    assert log_in(browser(accounts_app, ATTACKER)).status_code == 429  # a fresh stranger there too

    # Ada, from any other address, and from her laptop even at the attacker's address, gets in.
    assert log_in(browser(accounts_app, OWNER_AWAY)).status_code == 302
    laptop.environ_base["REMOTE_ADDR"] = ATTACKER
    assert log_in(laptop).status_code == 302


def test_a_password_change_ends_every_browsers_mark(accounts_app):
    old_laptop, phone = browser(accounts_app, ATTACKER), browser(accounts_app, OWNER_HOME)
    assert log_in(old_laptop).status_code == 302
    assert log_in(phone).status_code == 302
    new = "a brand new passphrase"
    changed = phone.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert changed.status_code == 302
    for _ in range(10):
        assert log_in(browser(accounts_app, ATTACKER), WRONG).status_code == 400
    # The old laptop's mark named the old session secret: it waits like a stranger.
    assert log_in(old_laptop, new).status_code == 429
    phone.post("/logout")
    phone.environ_base["REMOTE_ADDR"] = ATTACKER
    assert log_in(phone, new).status_code == 302  # marked again by the change


def test_a_known_browser_has_a_limit_of_its_own(tmp_path):
    app = build_app(make_config(tmp_path, NO_PROVIDER, THROTTLE_LOGIN_KNOWN_BROWSER="3 per 15 minutes"))
    with app.app_context():
        create_user("ada@example.org", PASSWORD)
    laptop = browser(app, OWNER_HOME)
    assert log_in(laptop).status_code == 302
    for _ in range(3):
        assert log_in(laptop, WRONG).status_code == 400
    refused = log_in(laptop)
    assert refused.status_code == 429 and "Too many attempts, try again in" in refused.text
    # The mark is for Ada's account only: another email from the laptop is a stranger's attempt.
    assert log_in(laptop, WRONG, email="bo@example.org").status_code == 400


def test_the_many_addresses_of_one_account_share_a_limit(tmp_path):
    app = build_app(make_config(tmp_path, NO_PROVIDER, THROTTLE_LOGIN_PER_ACCOUNT="4 per day"))
    with app.app_context():
        create_user("ada@example.org", PASSWORD)
    for number in range(4):
        assert log_in(browser(app, f"203.0.113.{number + 1}"), WRONG).status_code == 400
    assert log_in(browser(app, "203.0.113.99")).status_code == 429


@pytest.mark.parametrize("form", ["password", "delete"])
def test_the_password_forms_are_limited_per_account(accounts_app, form):
    home, away = browser(accounts_app, OWNER_HOME), browser(accounts_app, OWNER_AWAY)
    assert log_in(home).status_code == 302 and log_in(away).status_code == 302
    new = "a brand new passphrase"
    data = {"current": WRONG, "password": new, "confirm": new} if form == "password" else {"password": WRONG}
    for number in range(5):
        client = (home, away)[number % 2]  # the account's failures add up whatever the address
        assert client.post(f"/account/{form}", data=data).status_code == 400
    assert away.post(f"/account/{form}", data=data).status_code == 429
    assert home.get("/account").status_code == 200  # still logged in, only the form waits
    # Another account is not held up by Ada's count.
    with accounts_app.app_context():
        create_user("bo@example.org", PASSWORD)
    bo = browser(accounts_app, OWNER_HOME)
    assert log_in(bo, email="bo@example.org").status_code == 302
    assert bo.post(f"/account/{form}", data=data).status_code == 400


def test_ipv6_addresses_count_by_their_64():
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert address_group("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert address_group("::ffff:192.0.2.7") == address_group("192.0.2.7") == "192.0.2.7"
    assert address_group("fe80::1%eth0") == "fe80::/64"
    assert address_group("not an address") == "not an address" and address_group(None) == "unknown"


def test_one_64_is_one_address_to_the_limit(tmp_path):
    app = build_app(make_config(tmp_path, NO_PROVIDER, THROTTLE_LOGIN_PER_ADDRESS="3 per 15 minutes"))
    for number in range(3):
        client = browser(app, f"2001:db8:77:1::{number + 1:x}")
        assert log_in(client, WRONG, email=f"user{number}@example.org").status_code == 400
    assert log_in(browser(app, "2001:db8:77:1:ffff::1"), WRONG, email="x@example.org").status_code == 429
    assert log_in(browser(app, "2001:db8:77:2::1"), WRONG, email="x@example.org").status_code == 400


def test_a_proxy_is_warned_about_once_when_no_proxy_is_trusted(tmp_path, caplog):
    app = build_app(make_config(tmp_path, NO_PROVIDER))
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/")
        assert PROXY_WARNING not in caplog.text
        for address in ("192.0.2.1", "192.0.2.2"):
            client.get("/login", headers={"X-Forwarded-For": address})
    assert caplog.text.count(PROXY_WARNING) == 1


def test_a_trusted_proxy_gives_each_client_its_own_count(tmp_path, caplog):
    app = build_app(make_config(tmp_path, NO_PROVIDER, TRUSTED_PROXIES=1, THROTTLE_LOGIN_PER_ADDRESS="2 per hour"))
    client = app.test_client()
    behind = lambda address: {"X-Forwarded-For": address}  # noqa: E731
    with caplog.at_level(logging.WARNING):
        for number in range(2):
            data = {"email": f"user{number}@example.org", "password": WRONG}
            assert client.post("/login", data=data, headers=behind("192.0.2.1")).status_code == 400
        data = {"email": "x@example.org", "password": WRONG}
        assert client.post("/login", data=data, headers=behind("192.0.2.1")).status_code == 429
        assert client.post("/login", data=data, headers=behind("192.0.2.2")).status_code == 400
    assert PROXY_WARNING not in caplog.text


def test_a_body_too_large_to_read_leaves_the_counts_where_they_are(accounts_app, caplog):
    """Refused (413) without Flask-Limiter taking its store for unreachable: that would count in this
    process's memory for a while, apart from the other processes' counts, and lose those counts after."""
    attacker = browser(accounts_app, ATTACKER)
    for _ in range(5):
        assert log_in(attacker, WRONG).status_code == 400
    with caplog.at_level(logging.WARNING):
        too_large = attacker.post("/login", data={"email": "ada@example.org", "password": "x" * (1024 * 1024 + 1)})
    assert too_large.status_code == 413
    assert not [record for record in caplog.records if "falling back" in record.getMessage()]
    for _ in range(5):
        assert log_in(attacker, WRONG).status_code == 400
    assert log_in(attacker).status_code == 429
