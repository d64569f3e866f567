"""Uploads go straight to disk in the upload folder, never into memory, and are bounded in size."""

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from flask import Flask, current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from .jobs import import_folder, upload_dir

# Room for the form's other fields and the multipart boundaries, over ARCHIVE_MAX_BYTES.
FORM_OVERHEAD = 1024 * 1024


def bind_request_class(app: Flask) -> None:
    """Make the app's requests spool archive uploads into the upload folder and allow their size.

    Werkzeug keeps file parts in a SpooledTemporaryFile in the system temp
    folder; for the archive blueprint they are written to a temporary file in
    the upload folder instead, which the view then links into place (no copy).
    """
    base = app.request_class

    class ArchiveUploadRequest(base):
        def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
            if self.blueprint != "archive":
                return super()._get_file_stream(total_content_length, content_type, filename, content_length)
            incoming = upload_dir() / "incoming"
            incoming.mkdir(parents=True, exist_ok=True)
            stream = tempfile.NamedTemporaryFile("wb+", dir=incoming, suffix=".part")
            # Closed (and so deleted) with the request, also when parsing stops half-way (too large).
            self.__dict__.setdefault("_archive_streams", []).append(stream)
            return stream

        def close(self) -> None:
            super().close()
            for stream in self.__dict__.pop("_archive_streams", []):
                stream.close()

        @property
        def max_content_length(self):
            if self.blueprint == "archive" and self._max_content_length is None:
                return current_app.config["ARCHIVE_MAX_BYTES"] + FORM_OVERHEAD
            return base.max_content_length.fget(self)

        @max_content_length.setter
        def max_content_length(self, value):
            self._max_content_length = value

    app.request_class = ArchiveUploadRequest


def size_of(storage: FileStorage) -> int:
    """Return an uploaded file's size on disk."""
    storage.stream.flush()
    return os.fstat(storage.stream.fileno()).st_size


def not_a_zip(storage: FileStorage) -> bool:
    """Tell whether an upload lacks a zip's end record (not a zip, or cut short)."""
    storage.stream.seek(0)
    return not zipfile.is_zipfile(storage.stream)


def keep(files: list[FileStorage], import_id: int) -> None:
    """Move the uploaded parts into the import's folder as "<n>-<name>.zip"."""
    folder = import_folder(import_id)
    folder.mkdir(parents=True, exist_ok=True)
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
