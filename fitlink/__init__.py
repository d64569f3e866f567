"""fitlink: connect your fitness tracker and see your own data."""

from pathlib import Path

from flask import Flask

from . import (
    account, auth, cli, connection_views, crypto, dashboard, database, errors, fitbit, formatting, health, jobs,
    logs, mail, security, sessions, sources, throttle,
)
from .config import load_config
from .extensions import csrf, db, login_manager, migrate

# Every kind of source the app offers: adding one is a package and a line here.
SOURCES = (fitbit.SOURCE,)

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build a fitlink app from defaults, instance/config.py, FITLINK_* and test_config."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)

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
    jobs.init_app(app)
    logs.init_app(app, jobs.huey)

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(connection_views.bp)
    sources.init_app(app, SOURCES)
    health.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    cli.init_app(app)
    if app.config.get("BUILTIN_FITBIT"):
        mount_builtin_service(app)
    jobs.start_if_flask_run(app)
    return app


def mount_builtin_service(app: Flask) -> None:
    """Serve the built-in Fitbit-compatible service under /demo-fitbit of this app."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from .demo_fitbit import create_demo_app
    from .demo_fitbit.cli import demo_cli

    demo = create_demo_app(
        {
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["DEMO_FITBIT_DATABASE_URI"],
            "DEMO_FITBIT_CLIENTS": {
                app.config["FITBIT_CLIENT_KEY"]: app.config["FITBIT_CLIENT_SECRET"]
            },
            "DEMO_FITBIT_SUBSCRIBER_URL": app.config["DEMO_FITBIT_SUBSCRIBER_URL"],
        }
    )
    app.extensions["demo_fitbit_app"] = demo
    app.cli.add_command(demo_cli)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/demo-fitbit": demo})
