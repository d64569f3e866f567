"""Which URLs fitlink may send Google Health tokens to: HTTPS, or plain HTTP to this machine only.

oauthlib refuses any non-HTTPS URL (authorization, token, API) unless the
OAUTHLIB_INSECURE_TRANSPORT environment variable is set; it has no per-session
or per-request switch: `oauthlib.oauth2.rfc6749.utils.is_secure_transport`
reads only that variable, and requests-oauthlib's OAuth2Session (request,
fetch_token, refresh_token) and oauthlib's client (add_token, prepare_grant_uri)
all call it. The built-in Google Health service and the tests serve on
127.0.0.1 over plain HTTP, so fitlink sets the variable, but only when every
configured Google Health URL is HTTPS or loopback, and it checks every URL it
sends a token to itself (`require_safe`), so a configured real provider never
gets plain HTTP even though the variable is process-wide. fitlink's other
source (Fitbit) is OAuth 1.0a, which this variable does not touch.
"""

import ipaddress
import logging
import os
from urllib.parse import urlsplit

from flask import Flask

log = logging.getLogger(__name__)

URL_SETTINGS = (
    "GOOGLE_HEALTH_AUTHORIZATION_URL",
    "GOOGLE_HEALTH_TOKEN_URL",
    "GOOGLE_HEALTH_REVOKE_URL",
    "GOOGLE_HEALTH_API_BASE_URL",
)


class UnsafeURL(ValueError):
    """A Google Health URL is plain HTTP to another machine: tokens would cross the network in clear."""


def is_loopback(url: str) -> bool:
    """Tell whether url's host is this machine (localhost, 127.0.0.0/8 or ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_safe(url: str) -> bool:
    """Tell whether fitlink may send a token to url: HTTPS anywhere, HTTP only to loopback."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "https" or (scheme == "http" and is_loopback(url))


def require_safe(url: str) -> str:
    """Return url, or raise UnsafeURL when it is neither HTTPS nor loopback HTTP."""
    if not is_safe(url):
        raise UnsafeURL(f"refusing to send Google Health credentials to {urlsplit(url).netloc or url!r} "
                        "over plain HTTP (only HTTPS, or HTTP to 127.0.0.1/localhost)")
    return url


def allow_loopback_http(app: Flask) -> None:
    """Let oauthlib use plain HTTP when the configured Google Health URLs are loopback; refuse unsafe ones."""
    urls = {name: app.config.get(name) for name in URL_SETTINGS if app.config.get(name)}
    unsafe = [name for name, url in urls.items() if not is_safe(url)]
    if unsafe:
        raise UnsafeURL(f"FITLINK_{unsafe[0]} must use https:// (plain http is allowed only for "
                        "127.0.0.1 or localhost, such as the built-in Google Health service)")
    if any(urlsplit(url).scheme.lower() == "http" for url in urls.values()):
        log.info("Google Health URLs are on this machine: allowing oauthlib plain HTTP to them")
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
