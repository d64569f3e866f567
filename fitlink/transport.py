"""Where fitlink may send OAuth credentials: HTTPS, or plain HTTP to this machine only; and no token in the logs.

oauthlib refuses any non-HTTPS URL (authorization, token, API) unless the
OAUTHLIB_INSECURE_TRANSPORT environment variable is set; it has no per-session
or per-request switch: `oauthlib.oauth2.rfc6749.utils.is_secure_transport`
reads only that variable, and requests-oauthlib's OAuth2Session (request,
fetch_token, refresh_token) and oauthlib's client (add_token, prepare_grant_uri)
all call it. The built-in services and the tests serve on 127.0.0.1 over plain
HTTP, so fitlink sets the variable, but only when every URL setting of every
registered source (SourceKind.url_settings) is HTTPS or loopback, and a source
checks every URL it sends a token to itself (`require_safe`), so a configured
real provider never gets plain HTTP even though the variable is process-wide.
"""

import ipaddress
import logging
import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask

log = logging.getLogger(__name__)

# requests-oauthlib, oauthlib and Flask-Dance log tokens, secrets and code verifiers at DEBUG.
TOKEN_LOGGERS = ("requests_oauthlib", "oauthlib", "flask_dance")


class UnsafeURL(ValueError):
    """A URL credentials would go to is plain HTTP to another machine: they would cross the network in clear."""


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
        raise UnsafeURL(f"refusing to send credentials to {urlsplit(url).netloc or url!r} "
                        "over plain HTTP (only HTTPS, or HTTP to 127.0.0.1/localhost)")
    return url


def allow_loopback_http(app: Flask, settings: Iterable[str]) -> None:
    """Let oauthlib use plain HTTP when the URL settings name loopback hosts; refuse unsafe ones."""
    urls = {name: app.config.get(name) for name in settings if app.config.get(name)}
    unsafe = [name for name, url in urls.items() if not is_safe(url)]
    if unsafe:
        raise UnsafeURL(f"FITLINK_{unsafe[0]} must use https:// (plain http is allowed only for "
                        "127.0.0.1 or localhost, such as the built-in services)")
    if any(urlsplit(url).scheme.lower() == "http" for url in urls.values()):
        log.info("OAuth URLs are on this machine: allowing oauthlib plain HTTP to them")
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def silence_token_loggers() -> None:
    """Keep the OAuth libraries' token-bearing DEBUG lines out of the logs, even with LOG_LEVEL=debug."""
    for name in TOKEN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def init_app(app: Flask, url_settings: Iterable[str]) -> None:
    """Apply both rules for the registered sources' URL settings."""
    silence_token_loggers()
    allow_loopback_http(app, url_settings)
