"""Which sources this app has: each registers a SourceKind, looked up by name."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from .interface import DataSource

EXTENSION = "fitlink_sources"


@dataclass(frozen=True)
class SourceKind:
    """A kind of source: how it is named, shown, ranked, connected, opened and revoked.

    `name` is stored on each connection (OAuth.provider) and on each row it
    brings. When two sources hold a value for the same person, metric and day,
    the one with the lower `rank` is shown.
    """

    name: str
    label: str
    rank: int
    init_app: Callable[[Flask], None]
    # Build a live DataSource for a stored connection; None: the engine does not sync it (archives).
    open: Callable[[Any], DataSource] | None = None
    # Endpoint of the view that starts (or restarts) connecting, for url_for.
    connect_endpoint: str | None = None
    # Ask the provider to forget the connection's grant (best effort, on disconnect); True when it confirmed.
    revoke: Callable[[Any], bool] | None = None
    # The dashboard's progress of a connection the engine does not sync (an archive's import);
    # None: computed from the connection's sync state.
    progress: Callable[[Any], Any] | None = None
    # A setting without which the kind is not offered (its client id, say).
    requires: str | None = None


def init_app(app: Flask, source_kinds: Iterable[SourceKind]) -> None:
    """Register each configured kind on the app and let it add its blueprints and commands."""
    registered = app.extensions.setdefault(EXTENSION, {})
    for kind in source_kinds:
        if kind.requires and not app.config.get(kind.requires):
            continue
        registered[kind.name] = kind
        kind.init_app(app)


def kinds() -> list[SourceKind]:
    """Return the current app's source kinds, best precedence first."""
    return sorted(current_app.extensions[EXTENSION].values(), key=lambda kind: kind.rank)


def get(name: str) -> SourceKind | None:
    """Return the kind registered under name, if any."""
    return current_app.extensions[EXTENSION].get(name)


def rank(name: str) -> int:
    """Return a source's precedence (lower wins); unknown sources lose to every known one."""
    kind = get(name)
    return kind.rank if kind else 1_000
