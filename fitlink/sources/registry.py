"""Which sources this app has: each registers a SourceKind, looked up by name."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from .interface import DataSource

EXTENSION = "fitlink_sources"


@dataclass(frozen=True)
class SourceKind:
    """A kind of source: how it is named, shown, ranked, configured, connected, opened and revoked.

    `name` is stored on each connection (Connection.provider) and on each row it
    brings; an OAuth source's blueprint has the same name. When two sources
    hold a value for the same person, metric and day, the one with the lower
    `rank` is shown. Templates use the kind's words and name no source.
    """

    name: str
    label: str
    rank: int
    init_app: Callable[[Flask], None]
    # Build a live DataSource for a stored connection; None: the engine does not sync it (archives).
    open: Callable[[Any], DataSource] | None = None
    # Build a DataSource for a token just granted, in a request: refreshed tokens go to the callable.
    open_token: Callable[[dict, Callable[[dict], None]], DataSource] | None = None
    # The token's entries worth keeping (None: all of them).
    token_fields: tuple[str, ...] | None = None
    # Endpoint of the view that starts (or restarts) connecting, for url_for.
    connect_endpoint: str | None = None
    # Ask the provider to forget the connection's grant (best effort, on disconnect); True when it confirmed.
    revoke: Callable[[Any], bool] | None = None
    # The dashboard's progress of a connection the engine does not sync (an archive's import);
    # None: computed from the connection's sync state.
    progress: Callable[[Any], Any] | None = None
    # A setting without which the kind is not offered (its client id, say).
    requires: str | None = None
    # Its settings' defaults (config.py merges them under instance/config.py and FITLINK_*), and a
    # step run once the configuration is loaded (pointing unset credentials at a built-in service).
    defaults: Mapping[str, Any] = field(default_factory=dict)
    configure: Callable[[Flask], None] | None = None
    # Settings holding URLs tokens are sent to: HTTPS, or plain HTTP to this machine (fitlink.transport).
    url_settings: tuple[str, ...] = ()
    # The setting holding the consent page's URL: the browser goes there (Content-Security-Policy).
    consent_setting: str | None = None
    # Its words: the control that connects, reconnects, disconnects, imports again (None: none),
    # what follows the connect control where it is offered, and why a grant may have ended.
    connect_text: str = ""
    reconnect_text: str = ""
    disconnect_text: str = ""
    again_text: str | None = None
    connect_note: str = ""
    broken_note: str = ""

    def __post_init__(self):
        for attr, default in (("connect_text", f"Connect {self.label}"), ("reconnect_text", f"Reconnect {self.label}"),
                              ("disconnect_text", f"Disconnect {self.label}")):
            if not getattr(self, attr):
                object.__setattr__(self, attr, default)


def init_app(app: Flask, source_kinds: Iterable[SourceKind]) -> None:
    """Register each configured kind on the app and let it add its blueprints and commands."""
    registered = app.extensions.setdefault(EXTENSION, {})
    for kind in source_kinds:
        if kind.requires and not app.config.get(kind.requires):
            continue
        registered[kind.name] = kind
        kind.init_app(app)


def registered(app: Flask) -> list[SourceKind]:
    """Return the kinds registered on app (no app context needed)."""
    return list(app.extensions.get(EXTENSION, {}).values())


def kinds() -> list[SourceKind]:
    """Return the current app's source kinds, best precedence first."""
    return sorted(current_app.extensions[EXTENSION].values(), key=lambda kind: kind.rank)


def live_names() -> list[str]:
    """Return the names of the kinds the engine syncs (those with `open`)."""
    return [kind.name for kind in kinds() if kind.open is not None]


def get(name: str) -> SourceKind | None:
    """Return the kind registered under name, if any."""
    return current_app.extensions[EXTENSION].get(name)


def rank(name: str) -> int:
    """Return a source's precedence (lower wins); unknown sources lose to every known one."""
    kind = get(name)
    return kind.rank if kind else 1_000
