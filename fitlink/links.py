"""Absolute links for mail: built from FITLINK_BASE_URL when it is set, never from a forged Host.

A link in a mail leaves the request it was made in, so the Host header that
request carried must not pick where the link points: someone asking for a
password reset for another person's address could otherwise send them a link
to the asker's own host, carrying a valid reset token.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app, url_for


def base_url_problem(base_url: str) -> str | None:
    """Return what is wrong with a FITLINK_BASE_URL value, in plain words, or None."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"FITLINK_BASE_URL must be an http(s) URL such as https://fitlink.example.org, not {base_url!r}."
    if parts.query or parts.fragment or parts.username or parts.password:
        return "FITLINK_BASE_URL must be the site's address alone (no user, query or fragment)."
    return None


def external_url(endpoint: str, **values) -> str:
    """Return the absolute URL of endpoint: under FITLINK_BASE_URL if set, else this request's host.

    Without a base URL, the request's host is safe only because production
    refuses to start without TRUSTED_HOSTS or BASE_URL (config.py).
    """
    base = current_app.config.get("BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme,
    )
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    """Let mail templates build links with external_url('endpoint')."""
    app.jinja_env.globals["external_url"] = external_url
