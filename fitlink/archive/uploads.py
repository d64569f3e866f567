"""Uploads go straight to disk in the upload folder, never into memory, and are bounded in size and parts.

Nothing of an upload's body is read, nor any file written, before the gate has
seen a logged-in person with a valid CSRF token (in the URL or a header, since
the form's own field is inside the body) and no other import of theirs running.
"""

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from flask import Flask, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import Conflict
from werkzeug.utils import secure_filename
from wtforms import ValidationError

from ..extensions import login_manager
from . import folders
from .jobs import active_import

# Room for the form's other fields and the multipart boundaries, over ARCHIVE_MAX_BYTES.
FORM_OVERHEAD = 1024 * 1024
# The upload form's parts besides its files (CSRF token, button), with room to spare.
FORM_FIELDS = 4


def bind_request_class(app: Flask) -> None:
    """Make the app's requests spool archive uploads into the upload folder and allow their size.

    Werkzeug keeps file parts in a SpooledTemporaryFile in the system temp
    folder; for the archive blueprint they are written to a temporary file in
    the upload folder instead, which the view then links into place (no copy).
    """
    base = app.request_class

    class ArchiveUploadRequest(base):
        def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
            if self.endpoint != "archive.upload":
                return super()._get_file_stream(total_content_length, content_type, filename, content_length)
            stream = tempfile.NamedTemporaryFile("wb+", dir=folders.incoming_dir(), suffix=".part")
            # Closed (and so deleted) with the request, also when parsing stops half-way (too large).
            self.__dict__.setdefault("_archive_streams", []).append(stream)
            return stream

        def close(self) -> None:
            super().close()
            for stream in self.__dict__.pop("_archive_streams", []):
                stream.close()

        @property
        def max_content_length(self):
            if self.endpoint == "archive.upload" and self._max_content_length is None:
                return current_app.config["ARCHIVE_MAX_BYTES"] + FORM_OVERHEAD
            return base.max_content_length.fget(self)

        @max_content_length.setter
        def max_content_length(self, value):
            self._max_content_length = value

        @property
        def max_form_parts(self):
            # Werkzeug answers 413 past this many parts: the files, the CSRF field and the button.
            if self.endpoint == "archive.upload":
                return current_app.config["ARCHIVE_MAX_FILES"] + FORM_FIELDS
            return base.max_form_parts

    app.request_class = ArchiveUploadRequest


def size_of(storage: FileStorage) -> int:
    """Return an uploaded file's size on disk."""
    storage.stream.flush()
    return os.fstat(storage.stream.fileno()).st_size


def not_a_zip(storage: FileStorage) -> bool:
    """Tell whether an upload lacks a zip's end record (not a zip, or cut short)."""
    storage.stream.seek(0)
    return not zipfile.is_zipfile(storage.stream)


def keep(files: list[FileStorage], key: str) -> None:
    """Move the uploaded parts into the (new, empty) folder of key as "<n>-<name>.zip"."""
    folder = folders.folder_for(key)
    for number, storage in enumerate(files, start=1):
        name = secure_filename(storage.filename or "") or "archive.zip"
        target = folder / f"{number}-{Path(name).stem}.zip"
        source = getattr(storage.stream, "name", None)
        try:
            # The upload is already a file in the upload folder: a hard link keeps it past the request.
            os.link(source, target)
        except (OSError, TypeError):
            storage.stream.seek(0)
            with open(target, "wb") as out:
                shutil.copyfileobj(storage.stream, out, 1024 * 1024)


def gate(endpoint: str | None, _values: dict | None) -> None:
    """Refuse a POST to the archive pages before its body is read when logged out; refuse an upload
    without a valid CSRF token outside the body, or while another import of the person's runs.

    A URL value preprocessor, so it runs before every before_request hook
    (CSRFProtect's reads the whole form, files included).
    """
    if request.method != "POST":
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if endpoint != "archive.upload":
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.args.get("csrf_token") or request.headers.get("X-CSRFToken"))
        except ValidationError as error:
            raise CSRFError(error.args[0]) from None
    if active_import(current_user.id) is not None:
        raise Conflict("An archive of yours is still being imported. Wait for it to finish (the dashboard "
                       "shows how far it got), or delete the imported data to cancel it, then upload again.")
