"""Security headers, request-size limits, trusted hosts and proxies, in one place.

A few lines rather than flask-talisman: Talisman would also force HTTPS and
rewrite the session-cookie settings that config.py already decides, and the
Cache-Control rule below depends on who is logged in, which it does not know.
"""

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from . import sources

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"


@lru_cache(maxsize=8)
def content_security_policy(form_targets: tuple[str, ...]) -> str:
    """Return the Content-Security-Policy: nothing inline, nothing from elsewhere."""
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        " ".join(("form-action 'self'", *form_targets)),
        "base-uri 'none'",
        "object-src 'none'",
    ))


def authorization_origins() -> tuple[str, ...]:
    """Return the origins of the registered sources' consent pages: "Connect" sends the browser there."""
    origins = []
    for kind in sources.kinds():
        parts = urlsplit(current_app.config.get(kind.consent_setting or "") or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(sorted(set(origins)))


def add_headers(response: Response) -> Response:
    """Add the security headers to every response, and keep personal pages out of caches."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", content_security_policy(authorization_origins()))
    if current_app.config["ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and current_user.is_authenticated:
        # Health data: no browser, proxy or back-button cache keeps a copy.
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    return response


def body_limit(max_bytes: int | str):
    """Decorate a view to accept request bodies up to max_bytes (an int, or the name of a setting).

    Applied before any before_request hook (CSRF reads the form there), so an
    upload view may accept more than MAX_CONTENT_LENGTH and a webhook less.
    Werkzeug answers 413 before reading a body whose Content-Length is larger,
    and stops reading a streamed one at the limit.
    """

    def decorate(view):
        view.max_content_length = max_bytes
        return view

    return decorate


def _apply_body_limit(endpoint: str | None, _values: dict | None) -> None:
    view = current_app.view_functions.get(endpoint or "")
    limit = getattr(view, "max_content_length", None)
    if isinstance(limit, str):
        limit = current_app.config[limit]
    if limit is not None:
        request.max_content_length = limit


def untrusted_host(error: SecurityError):
    """Answer a Host outside TRUSTED_HOSTS in plain text: no URL can be built for it, so no page either."""
    return "Bad request: this site does not answer to that host name.", 400, {"Content-Type": "text/plain"}


PROXY_WARNING = (
    "Requests arrive through a proxy (they carry X-Forwarded-For) but FITLINK_TRUSTED_PROXIES is 0: "
    "every client has the proxy's address, so the log-in throttle counts them all as one; set "
    "FITLINK_TRUSTED_PROXIES to the number of proxies in front of fitlink."
)


def warn_of_an_untrusted_proxy() -> None:
    """Log PROXY_WARNING at the first request that came through a proxy (once per process)."""
    if "X-Forwarded-For" in request.headers and not current_app.extensions.get("fitlink_proxy_warned"):
        current_app.extensions["fitlink_proxy_warned"] = True
        current_app.logger.warning(PROXY_WARNING)


def init_app(app: Flask) -> None:
    """Install the headers, the per-view body limits and, when configured, the proxy fix."""
    app.after_request(add_headers)
    app.register_error_handler(SecurityError, untrusted_host)
    # URL value preprocessors run before every before_request function.
    app.url_value_preprocessor(_apply_body_limit)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Client address and scheme from that many proxies' X-Forwarded-* headers (throttling keys on it).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    else:
        app.before_request(warn_of_an_untrusted_proxy)
