"""Import a Fitbit archive: the upload page, its progress and deleting what archives brought (blueprint "archive")."""

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..connections import connection_for, connections_of, remove_connection
from ..extensions import db
from ..sources import rank
from .forms import UploadForm, zone_choices
from .importer import NAME, ensure_connection
from . import folders
from .jobs import active_folders, cancel_imports, enqueue_import
from .models import ArchiveImport
from .uploads import gate, keep, not_a_zip, size_of

bp = Blueprint("archive", __name__, url_prefix="/archive")
bp.url_value_preprocessor(gate)

GIB = 1024 ** 3


def limit_text() -> str:
    limit = current_app.config["ARCHIVE_MAX_BYTES"]
    return f"{limit / GIB:,.1f} GB" if limit >= GIB else f"{limit / 1024 ** 2:,.0f} MB"


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Take the archive's parts and queue their import."""
    form = UploadForm(zone=account_zone(current_user.id))
    if form.validate_on_submit():
        files = [storage for storage in form.archive.data if storage and storage.filename]
        problem = check(files)
        if problem:
            form.archive.errors.append(problem)
        else:
            folders.sweep_stale(keep=active_folders())
            key = folders.new_key()
            try:
                keep(files, key)
                row = ArchiveImport(user_id=current_user.id, status="queued", files_total=0, folder=key,
                                    chosen_zone=form.zone.data)
                db.session.add(row)
                # The dashboard shows the import as one of the person's sources from the start.
                ensure_connection(current_user.id)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                folders.remove(key)
                raise
            enqueue_import(row.id, key)
            # Said apart from the import's state: the job may already have finished, or failed, when the
            # dashboard shows, and its status panel says which.
            flash("Your archive is uploaded. How its import goes is shown under \"Your sources\".", "info")
            return redirect(url_for("dashboard.index"))
    return render_template("archive/import.html", form=form, latest=latest_import(current_user.id),
                           imported=connection_for(current_user.id, NAME) is not None,
                           limit=limit_text()), 400 if form.errors else 200


def account_zone(user_id: int) -> str:
    """Return the zone the person's dashboard uses (their best-ranked connection's) when the form offers it
    (an archive placed by its files alone may have a fixed "Etc/GMT-2"), else UTC."""
    ranked = sorted(connections_of(user_id), key=lambda connection: rank(connection.provider))
    zone = ranked[0].timezone if ranked else None
    return zone if zone in dict(zone_choices()) else "UTC"


def check(files) -> str | None:
    """Return what is wrong with the uploaded files, if anything."""
    if not files:
        return "Choose the archive's .zip file (every part, if it came in several)."
    if sum(size_of(storage) for storage in files) > current_app.config["ARCHIVE_MAX_BYTES"]:
        return f"The archive is larger than the {limit_text()} fitlink accepts."
    for storage in files:
        if not_a_zip(storage):
            return (f"{storage.filename} is not a zip file, or it was cut short while downloading. "
                    "Upload the .zip files Takeout or fitbit.com gave you.")
    return None


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    form = UploadForm(formdata=None)
    form.archive.errors = [f"The archive is larger than the {limit_text()} fitlink accepts. "
                           "Ask the server's administrator to import it with `flask sources import-archive`."]
    return render_template("archive/import.html", form=form, latest=None, imported=False, limit=limit_text()), 413


@bp.post("/delete")
@login_required
def delete():
    """Delete everything imported from archives, and only that; an import still queued or running is cancelled."""
    keys = cancel_imports(current_user.id)  # first: a running import stops before writing more
    connection = connection_for(current_user.id, NAME)
    if connection is not None:
        remove_connection(connection)
    db.session.commit()
    for key in keys:
        folders.remove(key)
    if connection is not None or keys:
        flash("The data imported from your Fitbit archive is deleted.", "info")
    else:
        flash("There was no imported archive data to delete.", "info")
    return redirect(url_for("dashboard.index"))


@bp.get("/status")
@login_required
def status():
    """Return the progress of the person's latest import, as JSON."""
    row = latest_import(current_user.id)
    return jsonify(row.as_json() if row else {"status": "none"})


def latest_import(user_id: int) -> ArchiveImport | None:
    """Return the person's most recent import, if any."""
    return db.session.execute(select(ArchiveImport).filter_by(user_id=user_id)
                              .order_by(ArchiveImport.id.desc()).limit(1)).scalar_one_or_none()
