"""fitlink: connect your fitness tracker and see your own data."""

from pathlib import Path

from flask import Flask

from . import (
    account, archive, auth, builtin, cli, connection_views, crypto, dashboard, database, day, errors, fitbit,
    formatting, google_health, health, jobs, links, logs, mail, security, sessions, sources, throttle, transport,
)
from .config import load_config
from .extensions import csrf, db, login_manager, migrate

# Every kind of source the app offers: adding one is a package and a line here.
SOURCES = (google_health.SOURCE, fitbit.SOURCE, archive.SOURCE)

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None, source_kinds=SOURCES) -> Flask:
    """Build a fitlink app from defaults, instance/config.py, FITLINK_* and test_config, offering source_kinds."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config, source_kinds)

    crypto.init_app(app)
    security.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    sessions.init_app(app)
    throttle.init_app(app)
    mail.init_app(app)
    links.init_app(app)
    jobs.init_app(app)
    logs.init_app(app, jobs.huey)

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(day.bp)
    app.register_blueprint(connection_views.bp)
    cli.init_app(app)
    sources.init_app(app, source_kinds)
    transport.init_app(app, [name for kind in sources.registered(app) for name in kind.url_settings])
    health.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    builtin.init_app(app)
    jobs.start_if_flask_run(app)
    return app

