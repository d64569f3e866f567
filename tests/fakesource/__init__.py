"""A complete OAuth 2.0 source that is not part of fitlink: what adding a fourth source takes.

Its package is this folder; registering it is one line (create_app's
source_kinds, in tests/test_fake_source.py). Nothing outside it names it.
"""

from flask import Flask

from fitlink.oauth2 import OAuth2SourceBlueprint
from fitlink.sources import SourceKind

from . import webhook
from .source import FakeSource, open_source, revoke

DEFAULTS = {
    "FAKE_CLIENT_ID": None,
    "FAKE_CLIENT_SECRET": None,
    "FAKE_AUTHORIZATION_URL": None,
    "FAKE_TOKEN_URL": None,
    "FAKE_REVOKE_URL": None,
    "FAKE_API_BASE_URL": None,
    "FAKE_TIMEOUT": 3,
}

blueprint = OAuth2SourceBlueprint("fake", __name__, scope=["steps"])
blueprint.from_config.update(client_id="FAKE_CLIENT_ID", client_secret="FAKE_CLIENT_SECRET",
                             authorization_url="FAKE_AUTHORIZATION_URL", token_url="FAKE_TOKEN_URL")


def init_app(app: Flask) -> None:
    """Register Connect Fake Health and its webhook."""
    app.register_blueprint(blueprint)
    app.register_blueprint(webhook.bp)


SOURCE = SourceKind(
    name="fake", label="Fake Health", rank=50, init_app=init_app, open=open_source, open_token=FakeSource,
    connect_endpoint="fake.login", revoke=revoke, requires="FAKE_CLIENT_ID", defaults=DEFAULTS,
    url_settings=("FAKE_AUTHORIZATION_URL", "FAKE_TOKEN_URL", "FAKE_REVOKE_URL", "FAKE_API_BASE_URL"),
    consent_setting="FAKE_AUTHORIZATION_URL",
)
