"""Local days from what the files prove: every layout, no Profile.csv, a move, no evidence at all.

The generator writes each day's minutes as instants in the zone the person
was in that day, heart-rate files from each local midnight (UTC stamps) and
minute files that begin at local midnight, as real exports do; the expected
values are its own sums per local day.
"""

import zipfile
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from archive_gen import Spec, generate

from fitlink.archive.extract import read_archive


def values(rows, metric):
    return {row.day: row.value for row in rows.get(metric, [])}


def assert_exact(rows, expected):
    for metric, days in expected.items():
        got = values(rows, metric)
        assert set(got) == set(days), metric
        for day, value in days.items():
            assert got[day] == pytest.approx(value, abs=1e-3), (metric, day)


@pytest.mark.parametrize("layout", ["takeout", "takeout2026", "fitbit.com", "user-site-export"])
def test_every_layout_imports_exactly(tmp_path, layout):
    archive = generate(tmp_path, Spec(layout=layout, zone="Europe/Berlin", start=date(2024, 3, 25)))
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    assert report.profile.display_name == "Ada L."
    assert "your profile's zone, Europe/Berlin" in report.summary()


def test_user_site_export_without_profile_and_few_families(tmp_path):
    """The 2019 shape: flat user-site-export, no Profile.csv, heart-rate files every day."""
    spec = Spec(layout="user-site-export", profile=False, zone="Europe/Berlin", start=date(2021, 3, 20),
                days=14, heart_rate_days=14)
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    # 28 March 2021: Central Europe moves from UTC+1 to UTC+2; both offsets come from the files.
    assert "UTC+1 and UTC+2 inferred from your heart-rate files" in report.summary()


def test_dated_files_in_an_unknown_folder_are_read_when_nothing_else_is(tmp_path):
    archive = generate(tmp_path, Spec(layout="loose", zone="Pacific/Auckland"))
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    assert report.profile.timezone == "Pacific/Auckland"


@pytest.mark.parametrize("zone, offset", [("Africa/Johannesburg", "UTC+2"), ("Pacific/Noumea", "UTC+11")])
def test_no_profile_the_heart_rate_files_give_the_offset(tmp_path, zone, offset):
    spec = Spec(profile=False, zone=zone, start=date(2024, 5, 6), days=10, heart_rate_days=10)
    archive = generate(tmp_path, spec)
    # The chosen zone (here the account's, UTC) loses to what the files prove.
    rows, report = read_archive(archive.parts, chosen_zone=ZoneInfo("UTC"))
    assert_exact(rows, archive.expected)
    assert f"Times as recorded: {offset} inferred from your heart-rate files." in report.summary()


def test_no_profile_and_heart_rate_files_on_a_few_days_only(tmp_path):
    """Two heart-rate files speak for the stretch around them."""
    spec = Spec(profile=False, zone="Pacific/Noumea", start=date(2024, 5, 6), days=10, heart_rate_days=2)
    archive = generate(tmp_path, spec)
    rows, _ = read_archive(archive.parts, chosen_zone=ZoneInfo("Europe/London"))
    assert_exact(rows, archive.expected)


def test_no_profile_minute_files_that_begin_at_midnight_give_the_offset(tmp_path):
    spec = Spec(profile=False, zone="Asia/Tokyo", start=date(2024, 5, 6), days=40, heart_rate_days=0,
                batch_days=10)
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts, chosen_zone=ZoneInfo("America/Chicago"))
    assert_exact(rows, archive.expected)
    assert "UTC+9 inferred from when your minute files begin" in report.summary()


def test_no_profile_no_heart_rate_calories_that_follow_steps_give_the_offset(tmp_path):
    # Steps begin at 07:07 local: no minute file begins on a quarter hour; only the calories tell.
    spec = Spec(profile=False, zone="Pacific/Marquesas", start=date(2024, 5, 6), days=20, heart_rate_days=0,
                midnight_records=False, awake_minutes=(427, 1380), calories_follow_steps=True)
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts, chosen_zone=ZoneInfo("UTC"))
    assert_exact(rows, archive.expected)
    assert "UTC-9:30 inferred from how your calories follow your steps" in report.summary()


def test_profile_zone_differs_from_where_the_person_was_for_the_first_half(tmp_path):
    """Profile.csv holds the current zone only: the first ten days were at UTC-5/-4 (New York)."""
    spec = Spec(zone="Asia/Ho_Chi_Minh", first_zone="America/New_York", start=date(2022, 3, 6), days=20,
                heart_rate_days=20)
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    summary = report.summary()
    assert "UTC-5 and UTC-4 inferred from your heart-rate files (6 March 2022 to 15 March 2022)" in summary
    assert "your profile's zone, Asia/Ho_Chi_Minh, which your heart-rate files confirm" in summary
    # Counted in the profile's zone throughout, the first days come out wrong: the test can fail.
    without = generate(tmp_path / "no-evidence", Spec(zone="Asia/Ho_Chi_Minh", first_zone="America/New_York",
                                                       start=date(2022, 3, 6), days=20, heart_rate_days=0,
                                                       midnight_records=False, awake_minutes=(427, 1380)))
    rows, _ = read_archive(without.parts)
    assert values(rows, "steps")[date(2022, 3, 8)] != without.expected["steps"][date(2022, 3, 8)]


def test_no_profile_and_no_evidence_uses_the_chosen_zone(tmp_path):
    # Steps begin at 07:07 local each morning: no minute file begins on a quarter hour.
    spec = Spec(profile=False, zone="America/Los_Angeles", start=date(2024, 6, 3), days=10, heart_rate_days=0,
                midnight_records=False, awake_minutes=(427, 1380))
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts, chosen_zone=ZoneInfo("America/Los_Angeles"))
    assert_exact(rows, archive.expected)
    assert "the zone you chose, America/Los_Angeles" in report.summary()
    elsewhere, _ = read_archive(archive.parts, chosen_zone=ZoneInfo("Asia/Tokyo"))
    assert values(elsewhere, "steps") != archive.expected["steps"]


def test_evidence_that_contradicts_itself_or_names_impossible_days_changes_nothing(tmp_path):
    archive = generate(tmp_path, Spec(zone="Europe/Berlin", start=date(2024, 3, 25), heart_rate_days=3))
    with zipfile.ZipFile(archive.parts[0], "a") as part:
        folder = "Takeout/Fitbit/Global Export Data"
        part.writestr(f"{folder}/heart_rate-9999-12-31.json", '[{"dateTime":"12/31/99 00:00:00","value":{}}]')
        part.writestr(f"{folder}/heart_rate-2024-02-30.json", '[{"dateTime":"02/29/24 00:00:00","value":{}}]')
        part.writestr(f"{folder}/heart_rate-2023-01-01.json", '[{"dateTime":"13/45/22 99:00:00"')
        part.writestr(f"{folder}/heart_rate-2023-01-02.json", "no data")
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    assert report.bad_count == 0
