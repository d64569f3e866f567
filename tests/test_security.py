"""Security headers, bounded input, sessions, trusted hosts, and tokens encrypted at rest."""

import base64
import hashlib
import hmac
import json
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from flask import render_template_string, request
from sqlalchemy import JSON, String, Text, inspect, select, text

from helpers import CLIENT_SECRET, build_app, connect, make_config, signup

from fitlink.crypto import EncryptedJSON
from fitlink.extensions import db
from fitlink.models import Connection
from fitlink.security import body_limit

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_security_headers_on_every_page(app, client, provider):
    for page in ("/", "/login", "/health", "/no-such-page"):
        response = client.get(page)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers  # development is plain HTTP
        csp = csp_directives(response)
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert csp["default-src"] == csp["script-src"] == csp["style-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        # The OAuth round trips leave for the providers' authorization pages.
        provider_origin = "{0.scheme}://{0.netloc}".format(urlsplit(provider.url))
        google_origin = "{0.scheme}://{0.netloc}".format(urlsplit(app.config["GOOGLE_HEALTH_AUTHORIZATION_URL"]))
        assert csp["form-action"] == ["'self'", provider_origin, google_origin]


def test_hsts_in_production(tmp_path, provider):
    app = build_app(make_config(tmp_path, provider.url, ENV="production", TRUSTED_HOSTS=["localhost"],
                                TOKEN_KEYS=[Fernet.generate_key().decode()]))
    assert "max-age=" in app.test_client().get("/").headers["Strict-Transport-Security"]


def test_personal_pages_are_never_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    signup(client)
    for page in ("/dashboard", "/account", "/account/export"):
        assert client.get(page).headers["Cache-Control"] == "private, no-store"


def test_templates_have_no_inline_styles_or_scripts():
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        assert not re.search(r"\sstyle=", source), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", source), path
        assert not re.search(r"\son[a-z]+=", source), path


def test_goal_and_sleep_bars_are_drawn_without_style_attributes(app):
    card = {"key": "sleep", "title": "Sleep", "value": "7 h", "unit": None, "empty": "", "goal_percent": 64,
            "stages": [{"key": "deep", "name": "Deep", "percent": 20, "minutes": 60},
                       {"key": "light", "name": "Light", "percent": 55, "minutes": 200},
                       {"key": "rem", "name": "REM", "percent": 25, "minutes": 80}],
            "note": None, "updated_at": None}
    with app.test_request_context():
        html = render_template_string(
            '{% from "dashboard/_cards.html" import card %}{{ card(c, "UTC", None) }}', c=card)
    assert "style=" not in html
    assert '<rect class="bar-steps" width="64" height="1"/>' in html
    assert [(x, w) for x, w in re.findall(r'class="bar-\w+" x="(\d+)" width="(\d+)"', html)] == \
        [("0", "20"), ("20", "55"), ("75", "25")]


def test_request_bodies_are_bounded(app):
    @app.post("/test-upload")
    @body_limit(3 * 1024 * 1024)
    def upload():
        return str(len(request.get_data()))

    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "Traceback" not in response.text and "<main" in response.text
    assert client.post("/test-upload", data=b"x" * (2 * 1024 * 1024)).text == str(2 * 1024 * 1024)
    assert client.post("/test-upload", data=b"x" * (3 * 1024 * 1024 + 1)).status_code == 413


def signed_post(client, body: bytes, **headers):
    signature = base64.b64encode(hmac.new((CLIENT_SECRET + "&").encode(), body, hashlib.sha1).digest()).decode()
    return client.post("/fitbit/webhook", data=body, content_type="application/json",
                       headers={"X-Fitbit-Signature": signature, **headers})


def test_webhook_refuses_large_malformed_and_deeply_nested_bodies(client):
    assert signed_post(client, b"[" + b" " * (16 * 1024) + b"]").status_code == 413
    assert signed_post(client, b"not json").status_code == 400
    assert signed_post(client, b"[" * 5000 + b"]" * 5000).status_code == 400  # RecursionError, not 500
    assert signed_post(client, b"[]").status_code == 204


def test_webhook_limit_is_checked_before_reading(app, client):
    # Content-Length alone decides: the body is never read, so a client cannot tie up a worker.
    response = client.post("/fitbit/webhook", headers={"X-Fitbit-Signature": "x"}, environ_overrides={
        "wsgi.input": _Unreadable(), "CONTENT_LENGTH": str(10 * 1024 * 1024), "CONTENT_TYPE": "application/json"})
    assert response.status_code == 413


class _Unreadable:
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_anonymous_visits_store_no_sessions(tmp_path, provider):
    # Sessions in the database, as on one machine (with Redis, expiry is Redis's own).
    app = build_app(make_config(tmp_path, provider.url, REDIS_URL=None,
                                SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'sessions.sqlite'}"))
    client = app.test_client()
    for _ in range(20):
        assert client.get("/").status_code == 200
        assert client.get("/health").status_code == 200
    assert client.get_cookie("session") is None
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM sessions")).scalar() == 0
    # Expired sessions are purged as requests come (Flask-Session's cleanup, about every N requests).
    assert app.session_interface.cleanup_n_requests == app.config["SESSION_CLEANUP_N_REQUESTS"] > 0


def test_untrusted_host_headers_are_refused(tmp_path, provider):
    app = build_app(make_config(tmp_path, provider.url, TRUSTED_HOSTS=["fitlink.test", "localhost"]))
    client = app.test_client()
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "does not answer to that host name" in refused.text
    assert client.get("/", base_url="http://fitlink.test").status_code == 200
    signup(client)
    # Refused before the OAuth callback URL is built from the Host header.
    response = client.get("/fitbit", headers={"Host": "evil.example"})
    assert response.status_code == 400 and "Location" not in response.headers


def text_columns(app):
    """Yield (table, column) for every column that can hold text."""
    with app.app_context():
        inspector = inspect(db.engine)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if isinstance(column["type"], (String, Text, JSON)):
                    yield table, column["name"]


def stored_anywhere(app, needle: str) -> list[str]:
    found = []
    with app.app_context():
        for table, column in text_columns(app):
            for (value,) in db.session.execute(text(f'SELECT "{column}" FROM "{table}"')):
                if value is not None and needle in str(value):
                    found.append(f"{table}.{column}")
    return found


@pytest.mark.usefixtures("provider")
def test_oauth_tokens_are_encrypted_at_rest(app, client):
    signup(client)
    assert connect(client).status_code == 302
    with app.app_context():
        token = db.session.execute(select(Connection)).scalar_one().token
    assert len(token["oauth_token"]) >= 16 and len(token["oauth_token_secret"]) >= 16
    assert stored_anywhere(app, token["oauth_token"]) == []
    assert stored_anywhere(app, token["oauth_token_secret"]) == []
    assert stored_anywhere(app, "oauth_token") == []  # not even the JSON keys
    assert list(text_columns(app))  # the search looked at something


def raw_token(app) -> str:
    with app.app_context():
        return db.session.execute(text("SELECT token FROM oauth")).scalar_one()


def test_tokens_rotate_to_a_new_key(tmp_path, provider):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = build_app(make_config(tmp_path, provider.url, TOKEN_KEYS=[old]))
    client = app.test_client()
    signup(client)
    with app.app_context():
        user_id = db.session.execute(text("SELECT id FROM users")).scalar_one()
        db.session.add(Connection(provider="fitbit", provider_user_id="FB", user_id=user_id,
                             token={"oauth_token": "tok-123", "oauth_token_secret": "sec-456"}))
        db.session.commit()
        # A row written before encryption (plain JSON) is read, and rotated like the rest.
        db.session.execute(text("INSERT INTO oauth (provider, provider_user_id, user_id, token, created_at, "
                                "timezone, distance_unit, weight_unit) VALUES ('legacy', 'L', :u, "
                                "'{\"oauth_token\": \"plain-1\"}', '2026-01-01', 'UTC', 'METRIC', 'METRIC')"),
                           {"u": user_id})
        db.session.commit()
    assert json.loads(Fernet(old).decrypt(raw_token_of(app, "fitbit"))) == {
        "oauth_token": "tok-123", "oauth_token_secret": "sec-456"}

    rotated = build_app_keeping_data(tmp_path, provider, [new, old])
    result = rotated.test_cli_runner().invoke(args=["tokens", "rotate"])
    assert result.exit_code == 0 and "Re-encrypted 2 token(s)" in result.output
    only_new = build_app_keeping_data(tmp_path, provider, [new])
    with only_new.app_context():
        tokens = {row.provider: row.token for row in db.session.execute(select(Connection)).scalars()}
    assert tokens == {"fitbit": {"oauth_token": "tok-123", "oauth_token_secret": "sec-456"},
                      "legacy": {"oauth_token": "plain-1"}}
    assert Fernet(new).decrypt(raw_token_of(only_new, "legacy"))


def raw_token_of(app, provider: str) -> bytes:
    with app.app_context():
        return db.session.execute(text("SELECT token FROM oauth WHERE provider = :p"), {"p": provider}) \
            .scalar_one().encode()


def build_app_keeping_data(tmp_path, provider, keys):
    """Another app on the same database (build_app would empty it)."""
    from fitlink import create_app

    return create_app(make_config(tmp_path, provider.url, TOKEN_KEYS=keys))


def test_development_token_key_lives_in_instance(app):
    path = Path(app.instance_path) / "token_keys"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(path.read_text().strip())  # a valid key


def test_sqlite_database_file_is_private(tmp_path, provider):
    build_app(make_config(tmp_path, provider.url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'own.sqlite'}"))
    assert stat.S_IMODE((tmp_path / "own.sqlite").stat().st_mode) == 0o600


def test_encrypted_column_type_is_on_the_token():
    assert isinstance(Connection.__table__.c.token.type, EncryptedJSON)
