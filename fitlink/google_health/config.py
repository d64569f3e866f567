"""Google Health's settings: their defaults, and the built-in service standing in while no client is set."""

from flask import Flask

from ..config import builtin_service_url, instance_secret

# Where Google publishes the public keys of its webhook signatures (Google Health API, Webhooks).
GOOGLE_KEYSET_URL = "https://www.gstatic.com/googlehealthapi/webhooks/webhooks_public_keyset.json"

DEFAULTS = {
    "GOOGLE_HEALTH_CLIENT_ID": None,
    "GOOGLE_HEALTH_CLIENT_SECRET": None,
    "GOOGLE_HEALTH_AUTHORIZATION_URL": "https://accounts.google.com/o/oauth2/v2/auth",
    "GOOGLE_HEALTH_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "GOOGLE_HEALTH_REVOKE_URL": "https://oauth2.googleapis.com/revoke",
    "GOOGLE_HEALTH_API_BASE_URL": "https://health.googleapis.com",
    "GOOGLE_HEALTH_WEBHOOK_SECRET": None,
    # None: Google's published keyset, or the built-in service's when that stands in for Google.
    "GOOGLE_HEALTH_WEBHOOK_KEYSET_URL": None,
    # Google batches up to 99 notifications in one POST (about 100 KB at most).
    "GOOGLE_HEALTH_WEBHOOK_MAX_BYTES": 256 * 1024,
    "GOOGLE_HEALTH_TIMEOUT": 10,
    "GOOGLE_HEALTH_RETRY_BACKOFF": 0.5,
    # None: `flask run`'s own address, under /demo-google-health; a SQLite file in instance/.
    "DEMO_GOOGLE_HEALTH_URL": None,
    "DEMO_GOOGLE_HEALTH_DATABASE_URI": None,
}

# Every URL a Google Health token or code goes to.
URL_SETTINGS = (
    "GOOGLE_HEALTH_AUTHORIZATION_URL",
    "GOOGLE_HEALTH_TOKEN_URL",
    "GOOGLE_HEALTH_REVOKE_URL",
    "GOOGLE_HEALTH_API_BASE_URL",
)


def configure(app: Flask) -> None:
    """Use the built-in service when no client is configured (and it may run); default the keyset."""
    if app.config["BUILTIN_SERVICES"] and not app.config["GOOGLE_HEALTH_CLIENT_ID"]:
        use_builtin_service(app)
    if not app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"]:
        app.config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"] = GOOGLE_KEYSET_URL


def use_builtin_service(app: Flask) -> None:
    """Point the Google Health settings at the built-in service mounted under /demo-google-health."""
    config = app.config
    base = builtin_service_url(app, "GOOGLE_HEALTH", "/demo-google-health", "/google-health/webhook")
    config.update(
        GOOGLE_HEALTH_CLIENT_ID="fitlink-builtin",
        GOOGLE_HEALTH_CLIENT_SECRET=config.get("DEMO_GOOGLE_HEALTH_CLIENT_SECRET")
        or instance_secret(app, "demo_google_health_client_secret"),
        GOOGLE_HEALTH_AUTHORIZATION_URL=f"{base}/o/oauth2/v2/auth",
        GOOGLE_HEALTH_TOKEN_URL=f"{base}/token",
        GOOGLE_HEALTH_REVOKE_URL=f"{base}/revoke",
        GOOGLE_HEALTH_API_BASE_URL=base,
        BUILTIN_GOOGLE_HEALTH=True,
    )
    if not config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"]:
        # The mounted service signs its notifications and publishes its keys here.
        config["GOOGLE_HEALTH_WEBHOOK_KEYSET_URL"] = f"{base}/webhooks/public_keyset.json"
    if not config["GOOGLE_HEALTH_WEBHOOK_SECRET"]:
        # The mounted service notifies fitlink's own webhook with this Authorization value.
        config["GOOGLE_HEALTH_WEBHOOK_SECRET"] = "Bearer " + instance_secret(app, "demo_google_health_webhook")
