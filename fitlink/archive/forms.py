"""The upload form; CSRFProtect guards it like every other POST."""

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SelectField, SubmitField


@cache
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone name, for the zone field (Etc/ and legacy aliases left out)."""
    names = sorted(name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC")] + [(name, name.replace("_", " ")) for name in names]


class UploadForm(FlaskForm):
    archive = MultipleFileField(
        "Archive",
        validators=[FileRequired(message="Choose the archive's .zip file (every part, if it came in several).")],
        render_kw={"accept": ".zip,application/zip", "multiple": True},
    )
    zone = SelectField(
        "Your time zone, if the files show none",
        choices=zone_choices,
        description="Used only when the archive has no Profile.csv and no file shows its times' offset.",
    )
    submit = SubmitField("Import")
