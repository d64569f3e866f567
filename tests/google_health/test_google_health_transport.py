"""Where Google Health credentials may go: HTTPS anywhere, plain HTTP only to this machine."""

import os

import pytest
from flask import Flask

from fitlink.google_health.config import URL_SETTINGS
from fitlink.transport import UnsafeURL, allow_loopback_http, is_loopback, require_safe


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


def app_with(**urls) -> Flask:
    app = Flask(__name__)
    app.config.update({f"GOOGLE_HEALTH_{name.upper()}_URL": url for name, url in urls.items()})
    return app


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:5000/token", True), ("http://localhost/token", True), ("http://[::1]:80/x", True),
    ("http://127.8.9.1/x", True), ("http://192.168.1.5/token", False), ("http://localhost.evil.example/x", False),
    ("https://oauth2.googleapis.com/token", False),
])
def test_loopback_hosts(url, loopback):
    assert is_loopback(url) is loopback


def test_https_and_loopback_http_are_safe_and_nothing_else():
    assert require_safe("https://health.googleapis.com") == "https://health.googleapis.com"
    assert require_safe("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for url in ("http://health.googleapis.com", "ftp://127.0.0.1/x", "127.0.0.1:80"):
        with pytest.raises(UnsafeURL):
            require_safe(url)


def test_google_urls_leave_oauthlib_strict():
    allow_loopback_http(app_with(token="https://oauth2.googleapis.com/token",
                                 api_base="https://health.googleapis.com"), URL_SETTINGS)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_loopback_urls_let_oauthlib_use_plain_http():
    allow_loopback_http(app_with(token="http://127.0.0.1:5000/token", api_base="http://127.0.0.1:5000"), URL_SETTINGS)
    assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"


def test_plain_http_to_another_machine_stops_the_app():
    with pytest.raises(UnsafeURL, match="FITLINK_GOOGLE_HEALTH_TOKEN_URL"):
        allow_loopback_http(app_with(token="http://oauth2.example.org/token", api_base="http://127.0.0.1:1"), URL_SETTINGS)
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
