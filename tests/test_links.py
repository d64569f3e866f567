"""Links in mails: never built from a forged Host in production (fitlink/links.py, config.py)."""

import re

import pytest
from cryptography.fernet import Fernet

from helpers import PASSWORD, build_app, mail_config, make_config

from fitlink.auth import create_user

pytestmark = pytest.mark.usefixtures("provider")  # the built-in Fitbit service: marked ports

FORGED = {"Host": "evil.example"}


def production_config(tmp_path, provider, port: int, **overrides) -> dict:
    return make_config(tmp_path, provider.url, ENV="production", TOKEN_KEYS=[Fernet.generate_key().decode()],
                       **mail_config(port), **overrides)


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_payload(decode=True).decode())


def test_production_refuses_to_start_without_trusted_hosts_or_a_base_url(tmp_path, provider, smtp):
    port, _ = smtp
    with pytest.raises(RuntimeError, match="FITLINK_BASE_URL .* or FITLINK_TRUSTED_HOSTS"):
        build_app(production_config(tmp_path, provider, port))
    with pytest.raises(RuntimeError, match="must be an http\\(s\\) URL"):
        build_app(production_config(tmp_path, provider, port, BASE_URL="fitlink.example.org"))
    with pytest.raises(RuntimeError, match="no user, query or fragment"):
        build_app(production_config(tmp_path, provider, port, BASE_URL="https://fitlink.example.org/?next=x"))
    # Either one is enough; a comma-separated FITLINK_TRUSTED_HOSTS becomes Flask's list.
    assert build_app(production_config(tmp_path, provider, port, BASE_URL="https://fitlink.example.org"))
    app = build_app(production_config(tmp_path, provider, port, TRUSTED_HOSTS="fitlink.example.org, localhost"))
    assert app.config["TRUSTED_HOSTS"] == ["fitlink.example.org", "localhost"]


def test_reset_and_account_exists_mails_link_to_the_base_url_whatever_the_host(tmp_path, provider, smtp):
    port, inbox = smtp
    app = build_app(production_config(tmp_path, provider, port, BASE_URL="https://fitlink.example.org/app"))
    with app.app_context():
        create_user("ada@example.org", PASSWORD)
    client = app.test_client()
    assert client.post("/account/forgot", data={"email": "ada@example.org"}, headers=FORGED).status_code == 302
    (reset,) = inbox.wait_for(1)
    (link,) = links_in(reset)
    assert link.startswith("https://fitlink.example.org/app/account/reset?token=")
    # Someone signs up with the taken address: its owner's mail points home too.
    taken = {"email": "ada@example.org", "password": "another good passphrase", "confirm": "another good passphrase"}
    client.post("/signup", data=taken, headers=FORGED)
    exists = inbox.wait_for(2)[1]
    assert links_in(exists) == ["https://fitlink.example.org/app/login",
                                "https://fitlink.example.org/app/account/forgot"]
    assert all("evil.example" not in str(message) for message in inbox.messages)


def test_with_trusted_hosts_a_forged_host_gets_no_mail(tmp_path, provider, smtp):
    port, inbox = smtp
    app = build_app(production_config(tmp_path, provider, port, TRUSTED_HOSTS=["fitlink.example.org"]))
    with app.app_context():
        create_user("ada@example.org", PASSWORD)
    client = app.test_client()
    refused = client.post("/account/forgot", data={"email": "ada@example.org"}, headers=FORGED)
    assert refused.status_code == 400 and "does not answer to that host name" in refused.text
    asked = client.post("/account/forgot", data={"email": "ada@example.org"},
                        headers={"Host": "fitlink.example.org"})
    assert asked.status_code == 302
    (message,) = inbox.wait_for(1)
    assert links_in(message)[0].startswith("http://fitlink.example.org/account/reset?token=")
