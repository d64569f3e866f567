"""Connect Google Health: an OAuth 2.0 source blueprint (fitlink.oauth2) with Google's scopes and consent."""

from ..oauth2 import OAuth2SourceBlueprint

SCOPES = [
    f"https://www.googleapis.com/auth/googlehealth.{name}"
    for name in ("activity_and_fitness.readonly", "health_metrics_and_measurements.readonly",
                 "sleep.readonly", "settings.readonly", "profile.readonly")
]

blueprint = OAuth2SourceBlueprint(
    "google_health",
    __name__,
    scope=SCOPES,
    # offline: a refresh token; consent: a new one at every connect (Google's OAuth 2.0 web server flow).
    authorization_url_params={"access_type": "offline", "prompt": "consent"},
)
blueprint.from_config.update(
    client_id="GOOGLE_HEALTH_CLIENT_ID",
    client_secret="GOOGLE_HEALTH_CLIENT_SECRET",
    authorization_url="GOOGLE_HEALTH_AUTHORIZATION_URL",
    token_url="GOOGLE_HEALTH_TOKEN_URL",
)
