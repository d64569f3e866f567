"""Where things are in a Fitbit archive: which members hold which family, found by folder and file name.

Four layouts exist (fitbit-archive.md): the fitbit.com account archive
(`MyFitbitData/<User>/Physical Activity/steps-*.json`, ...), the older
fitbit.com archive with every JSON file flat in
`MyFitbitData/<User>/user-site-export/`, Takeout's
`Fitbit/Global Export Data/*.json` and, since 2026, per-family CSVs under
`Physical Activity_GoogleData/`. Folders are matched by name anywhere in the
path, because re-zipped archives drop `Takeout/` and the root changed from
`Fitbit/` to `Google Health/`. Dated family files in any other folder are
read only when no known folder holds any (`Entry.known`; reader.inventory).
"""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

# Global Export Data families fitlink reads as data (height only for the weigh-ins' units).
JSON_FAMILIES = (
    "steps", "distance", "calories", "very_active_minutes", "moderately_active_minutes",
    "lightly_active_minutes", "sedentary_minutes", "resting_heart_rate", "sleep", "weight", "height",
    "time_in_heart_rate_zones", "demographic_vo2_max",
)
# One file per local day, most of an archive's bytes: first their stamps are read as evidence of
# each day's UTC offset (evidence.py), then, once the days' zones are known, their samples.
EVIDENCE_FAMILIES = ("heart_rate",)
# Folders that hold those JSON files in the three JSON layouts.
JSON_FOLDERS = {"Global Export Data", "Physical Activity", "Sleep", "Personal & Account", "user-site-export"}
PROFILE_FOLDERS = {"Your Profile", "Personal & Account", "user-site-export"}
# The newer per-family CSVs (UTC instants, one row per device and minute) fitlink falls back to:
# `Physical Activity_GoogleData/<Family>/<family>_YYYY-MM-DD.csv` (blakster/air-health docs/takeout-format.md).
CSV_FAMILIES = {"steps", "distance", "weight", "daily_resting_heart_rate", "heart_rate", "active_zone_minutes",
                # Google-era daily summaries, in Physical Activity_GoogleData/ or Health Fitness Data_GoogleData/
                "daily_heart_rate_variability", "daily_oxygen_saturation", "daily_respiratory_rate",
                "daily_sleep_temperature_derivations"}
CSV_FOLDER = "_GoogleData"  # "Physical Activity_GoogleData", "Health Fitness Data_GoogleData"
# Daily summaries as CSV, named "<Name> - <date>.csv" (the date part varies: "2024-07-(21)",
# "2024-01-01-2024-04-10"). MyFitbitData keeps them in Sleep/ and Physical Activity/; Takeout
# 2024-25 in Heart Rate Variability/, Oxygen Saturation (SpO2)/, Temperature/ and Active Zone
# Minutes (AZM)/ (fitbit-archive.md; kev-m/FitOut; blakster/air-health): matched by name wherever they are.
DAILY_CSVS = {
    "Daily Heart Rate Variability Summary": "hrv_summary",
    "Daily SpO2": "daily_spo2",
    "Daily Respiratory Rate Summary": "respiratory_rate_summary",
    "Computed Temperature": "computed_temperature",
    "Active Zone Minutes": "zone_minutes_local",
}
# exercise-<n>.json: pages of 100 activities, numbered from 0, not dated.
_EXERCISE = re.compile(r"^exercise-\d+\.json$")
_DAILY_CSV = re.compile(r"^(" + "|".join(re.escape(name) for name in DAILY_CSVS) + r") - [^/]*\.csv$")
# Machine-learning state, most of an archive's bytes: never read (matched anywhere in the path).
NEVER_READ = ("UserActivityProbabilities", "UserSensorCompressionToken")

_DATED_JSON = re.compile(r"^([a-z_0-9]+)-\d{4}-\d{2}-\d{2}\.json$")
_CSV_STEM = re.compile(r"^([a-z_ ]+?)(?:[_ -]\d{4}-\d{2}-\d{2})?\.csv$")


@dataclass(frozen=True)
class Entry:
    """What one member holds: the kind of file ("profile", "json", "evidence", "csv"), its family,
    and whether it sits in a folder of a known layout (else it is read only when nothing else is)."""

    kind: str
    family: str
    filename: str
    known: bool = True

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        """Members with the same key are copies of one file (another part, root or export)."""
        return (self.kind, self.family, self.filename)

    @property
    def order(self) -> tuple[int, str]:
        """Read the profile first (its zone and units are needed), then JSON, then the CSV fallbacks."""
        return ({"profile": 0, "evidence": 1, "json": 2, "csv": 3}[self.kind], self.family)


def classify(name: str) -> Entry | None:
    """Return what a member holds, or None when fitlink does not read it."""
    if any(marker in name for marker in NEVER_READ):
        return None
    path = PurePosixPath(name.replace("\\", "/"))
    folders = set(path.parts[:-1])
    filename = path.name
    known = path.parent.name in JSON_FOLDERS
    if filename == "Profile.csv":
        return Entry("profile", "profile", filename, path.parent.name in PROFILE_FOLDERS)
    dated = _DATED_JSON.match(filename)
    if dated and dated.group(1) in JSON_FAMILIES:
        return Entry("json", dated.group(1), filename, known)
    if dated and dated.group(1) in EVIDENCE_FAMILIES:
        return Entry("evidence", dated.group(1), filename, known)
    if _EXERCISE.match(filename):
        return Entry("json", "exercise", filename, known)
    daily = _DAILY_CSV.match(filename)
    if daily:
        return Entry("csv", DAILY_CSVS[daily.group(1)], filename)
    if any(folder.endswith(CSV_FOLDER) for folder in folders):
        stem = _CSV_STEM.match(filename.lower())
        family = stem.group(1).replace(" ", "_") if stem else None
        if family in CSV_FAMILIES:
            return Entry("csv", family, filename)
    return None
