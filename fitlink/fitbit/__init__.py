"""The Fitbit source: OAuth 1.0a blueprint, API client, connection and webhook."""
