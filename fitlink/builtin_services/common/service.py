"""Steps both built-in services take when they are built: config, database, pages."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.pool import StaticPool

# Carries no views: it lends each service the shared templates (base, message, account choice).
pages = Blueprint("builtin_common", __name__, template_folder="templates")


def configure(app: Flask, defaults: dict, config: dict, required: tuple[str, ...], label: str) -> None:
    """Apply the service's defaults, then `config`; refuse a config without a required key."""
    app.config.update(defaults)
    app.config.update(config)
    # Answers keep the order the service builds them in, as the real APIs' do; Flask's default of
    # sorting every object's keys was a sizeable part of serving a day of minute samples.
    app.json.sort_keys = False
    for key in required:
        if not app.config.get(key):
            raise ValueError(f"The demo {label} service needs {key} in its config.")


def init_database(app: Flask, db: SQLAlchemy) -> None:
    """Bind the service's database and create its tables."""
    if app.config["SQLALCHEMY_DATABASE_URI"] in ("sqlite://", "sqlite:///:memory:"):
        # One in-memory database, shared by every thread (requests take turns: LockedWSGI).
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "poolclass": StaticPool, "connect_args": {"check_same_thread": False}})
    db.init_app(app)
    with app.app_context():
        db.create_all()


def init_pages(app: Flask, name: str, style: str, tagline: str = "") -> None:
    """Render the service's pages on the shared templates, headed with its name, in its style."""
    app.register_blueprint(pages)
    app.jinja_env.globals.update(service_name=name, service_style=style, service_tagline=tagline)
