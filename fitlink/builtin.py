"""Mount the built-in Fitbit-compatible and Google Health services on this app, for credential-free use."""

from collections.abc import Callable

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware


def init_app(app: Flask) -> None:
    """Serve each built-in service the configuration chose under its path of this app."""
    mounts = {}
    if app.config.get("BUILTIN_FITBIT"):
        mounts["/demo-fitbit"] = fitbit_service(app)
    if app.config.get("BUILTIN_GOOGLE_HEALTH"):
        mounts["/demo-google-health"] = google_health_service(app)
    if mounts:
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, mounts)


def _service(app: Flask, create_demo_app: Callable[[dict], Flask], extension: str, config: dict) -> Flask:
    """Build a built-in service on this app's secret key and `config`; keep it in app.extensions[extension]."""
    demo = create_demo_app({"SECRET_KEY": app.config["SECRET_KEY"], **config})
    app.extensions[extension] = demo
    return demo


def fitbit_service(app: Flask) -> Flask:
    """Build the built-in Fitbit service for fitlink's built-in client; add its CLI."""
    from .builtin_services.fitbit import create_demo_app
    from .builtin_services.fitbit.cli import demo_cli

    demo = _service(app, create_demo_app, "builtin_fitbit_app", {
        "SQLALCHEMY_DATABASE_URI": app.config["DEMO_FITBIT_DATABASE_URI"],
        "DEMO_FITBIT_CLIENTS": {app.config["FITBIT_CLIENT_KEY"]: app.config["FITBIT_CLIENT_SECRET"]},
        "DEMO_FITBIT_SUBSCRIBER_URL": app.config["DEMO_FITBIT_SUBSCRIBER_URL"],
    })
    app.cli.add_command(demo_cli)
    return demo


def google_health_service(app: Flask) -> Flask:
    """Build the built-in Google Health service for fitlink's built-in client."""
    from .builtin_services.google_health import create_demo_app

    return _service(app, create_demo_app, "builtin_google_health_app", {
        "SQLALCHEMY_DATABASE_URI": app.config["DEMO_GOOGLE_HEALTH_DATABASE_URI"],
        "DEMO_GOOGLE_HEALTH_CLIENTS": {app.config["GOOGLE_HEALTH_CLIENT_ID"]: app.config["GOOGLE_HEALTH_CLIENT_SECRET"]},
        "DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": app.config["DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL"],
        "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": app.config["GOOGLE_HEALTH_WEBHOOK_SECRET"],
        # Signed batches, as Google delivers them: `make run` exercises the real webhook path.
        "DEMO_GOOGLE_HEALTH_BATCH_NOTIFICATIONS": True,
    })
