"""Where uploads wait for their import: one folder per import, named by a random key.

A folder's name is unguessable and never reused (a new key is refused if its
folder exists), so no job can read another person's upload. It is removed on
every path: the import done or failed, the import gone, the account deleted;
what a crash leaves behind is swept once it is older than ARCHIVE_STALE_SECONDS.
"""

import logging
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

PREFIX = "import-"
# Uploads being received: werkzeug spools each file part here while the request is read.
INCOMING = "incoming"


def upload_dir() -> Path:
    """Return the folder uploads are written to (ARCHIVE_UPLOAD_DIR, else instance/uploads)."""
    configured = current_app.config.get("ARCHIVE_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def incoming_dir() -> Path:
    """Return the folder file parts are spooled to while a request is read (created if missing)."""
    folder = upload_dir() / INCOMING
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_key() -> str:
    """Return a fresh folder key whose folder is created now (empty); never one that exists."""
    upload_dir().mkdir(parents=True, exist_ok=True)
    while True:
        key = secrets.token_hex(16)
        try:
            folder_for(key).mkdir()
            return key
        except FileExistsError:  # astronomically unlikely; a folder is never shared
            continue


def folder_for(key: str) -> Path:
    """Return the folder of one import's uploaded parts."""
    if not key or not key.isalnum():
        raise ValueError("not an upload folder key")
    return upload_dir() / f"{PREFIX}{key}"


def remove(key: str | None) -> None:
    """Delete one import's folder and whatever is in it (nothing if there is none)."""
    if key:
        shutil.rmtree(folder_for(key), ignore_errors=True)


def sweep_stale(keep: set[str] = frozenset()) -> int:
    """Delete import folders and spooled parts older than ARCHIVE_STALE_SECONDS, except keep; return how many."""
    root = upload_dir()
    if not root.is_dir():
        return 0
    cutoff = time.time() - current_app.config["ARCHIVE_STALE_SECONDS"]
    removed = 0
    candidates = list(root.glob(f"{PREFIX}*")) + list((root / INCOMING).glob("*.part"))
    for path in candidates:
        if path.name.removeprefix(PREFIX) in keep:
            continue
        try:
            if path.stat().st_mtime >= cutoff:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError:
            log.warning("could not remove the stale upload %s", path.name)
    return removed
