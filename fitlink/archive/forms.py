"""The upload form; CSRFProtect guards it like every other POST."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SubmitField


class UploadForm(FlaskForm):
    archive = MultipleFileField(
        "Archive",
        validators=[FileRequired(message="Choose the archive's .zip file (every part, if it came in several).")],
        render_kw={"accept": ".zip,application/zip", "multiple": True},
    )
    submit = SubmitField("Import")
