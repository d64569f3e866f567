"""The sync engine: plan the fewest calls, fetch newest first, upsert, remember progress."""

from .engine import SyncResult, sync_user
from .progress import Progress, progress_for

__all__ = ["SyncResult", "sync_user", "Progress", "progress_for"]
