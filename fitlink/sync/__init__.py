"""The sync engine: plan the fewest calls, fetch newest first, store by precedence, remember progress."""

from .engine import SyncResult, sync_connection

__all__ = ["SyncResult", "sync_connection"]
