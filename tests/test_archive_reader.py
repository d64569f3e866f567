"""The archive reader on generated archives: exact values per local day, layouts, copies, padding, bad input."""

import zipfile
from datetime import date

import pytest
from archive_gen import Spec, generate

from fitlink.archive.extract import read_archive
from fitlink.archive.reader import ArchiveError
from fitlink.archive.zones import resolve_zone


def values(rows, metric):
    return {row.day: row.value for row in rows.get(metric, [])}


def assert_exact(rows, expected, metrics=None):
    """Every expected day has its value, and no other day was stored."""
    for metric, days in expected.items():
        if metrics and metric not in metrics:
            continue
        got = values(rows, metric)
        assert set(got) == set(days), metric
        for day, value in days.items():
            assert got[day] == pytest.approx(value, abs=1e-3), (metric, day)


@pytest.mark.parametrize("spec", [
    Spec(zone="Pacific/Auckland", start=date(2024, 3, 31)),  # NZDT -> NZST on 7 April
    Spec(zone="Pacific/Auckland", start=date(2024, 9, 22)),  # NZST -> NZDT on 29 September
    Spec(zone="America/Los_Angeles", profile_zone="Pacific Standard Time", start=date(2024, 3, 4)),  # Windows name
    Spec(zone="Asia/Kathmandu", start=date(2024, 1, 1), weight_unit="METRIC"),  # +05:45
    Spec(zone="Pacific/Auckland", layout="fitbit.com"),
    Spec(zone="America/St_Johns", layout="takeout2026", parts=4, start=date(2024, 10, 30)),  # -03:30, DST end
], ids=["auckland-autumn", "auckland-spring", "los-angeles-windows-name", "kathmandu", "fitbit.com", "split-2026"])
def test_every_metric_exact_per_local_day(tmp_path, spec):
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts)
    assert_exact(rows, archive.expected)
    assert report.bad_count == 0
    assert report.last_day == archive.last_day
    assert report.days_found == spec.days


def test_dst_days_have_23_and_25_hours_of_calories(tmp_path):
    archive = generate(tmp_path, Spec(zone="Pacific/Auckland", start=date(2024, 4, 5), days=4))
    rows, _ = read_archive(archive.parts)
    calories = values(rows, "calories")
    # 7 April 2024 has 25 hours in Auckland: its calories are the sum of 1,500 minutes, not 1,440.
    assert calories[date(2024, 4, 7)] == pytest.approx(archive.expected["calories"][date(2024, 4, 7)])
    assert calories[date(2024, 4, 7)] > calories[date(2024, 4, 6)] * 0.9


def test_padding_and_placeholders_are_ignored(tmp_path):
    archive = generate(tmp_path, Spec(padding_days=28, rhr_padding_days=365))
    rows, report = read_archive(archive.parts)
    assert report.padding_days == 28
    assert max(row.day for values_ in rows.values() for row in values_) == archive.last_day
    assert report.bad_count == 0
    # UserActivityProbabilities, glucose placeholders and empty score CSVs are never read (heart-rate
    # files are, for their first stamps only).
    assert report.files_skipped >= 5
    assert "Ignored 28 empty days" in report.summary()


def test_profile_gives_zone_name_and_units(tmp_path):
    archive = generate(tmp_path, Spec(zone="America/Los_Angeles", profile_zone="Pacific Standard Time"))
    _, report = read_archive(archive.parts)
    assert report.profile.timezone == "America/Los_Angeles"
    assert report.profile.display_name == "Ada L."
    assert report.profile.weight_unit == "en_US"


def test_pounds_become_kilograms_and_the_later_weigh_in_counts(tmp_path):
    archive = generate(tmp_path, Spec(weight_unit="en_US"))
    rows, _ = read_archive(archive.parts)
    weights = values(rows, "weight")
    assert all(50 < kg < 100 for kg in weights.values())
    assert weights == pytest.approx(archive.expected["weight"], abs=1e-3)


def test_classic_and_stages_sleep_keep_their_details(tmp_path):
    archive = generate(tmp_path, Spec())
    rows, _ = read_archive(archive.parts)
    nights = {row.day: row for row in rows["sleep"]}
    kinds = set()
    for day, details in archive.sleep_details.items():
        assert nights[day].details["stages"] == details["stages"]
        assert nights[day].details["time_in_bed"] == details["time_in_bed"]
        kinds.add(nights[day].details["type"])
    assert kinds == {"stages", "classic"}


def test_json_and_csv_copies_count_once(tmp_path):
    archive = generate(tmp_path, Spec(layout="takeout2026", csv_copies=True))
    rows, _ = read_archive(archive.parts)
    assert_exact(rows, archive.expected)  # the CSV's steps (three devices) add nothing to the JSON's


def test_the_same_parts_uploaded_twice_count_once(tmp_path):
    archive = generate(tmp_path / "a", Spec(parts=2))
    copy = generate(tmp_path / "b", Spec(parts=2))
    rows, _ = read_archive(archive.parts + copy.parts)
    assert_exact(rows, archive.expected)


def test_overlapping_exports_in_one_upload_count_once(tmp_path):
    older = generate(tmp_path / "old", Spec(days=10, batch_days=7, padding_days=3))
    newer = generate(tmp_path / "new", Spec(days=14))
    rows, _ = read_archive(older.parts + newer.parts)
    assert_exact(rows, newer.expected, metrics=("steps", "distance", "calories"))


def test_malformed_json_in_one_file_is_reported_and_the_rest_imported(tmp_path):
    archive = generate(tmp_path, Spec(days=14))
    with zipfile.ZipFile(archive.parts[0], "a") as part:
        part.writestr("Takeout/Fitbit/Global Export Data/weight-2030-01-01.json", '[{"logId": 1, "weight": ')
    rows, report = read_archive(archive.parts)
    assert report.bad_files == [("Global Export Data/weight-2030-01-01.json", "not valid JSON")]
    assert "Skipped 1 unreadable file(s)" in report.summary()
    assert_exact(rows, archive.expected)


def zip_with(path, members: dict):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_not_a_zip(tmp_path):
    path = tmp_path / "archive.zip"
    path.write_bytes(b"PK but not really a zip")
    with pytest.raises(ArchiveError, match="archive.zip is not a complete zip file"):
        read_archive([path])


def test_truncated_zip(tmp_path):
    archive = generate(tmp_path, Spec(days=3))
    data = archive.parts[0].read_bytes()
    archive.parts[0].write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError, match="is not a complete zip file"):
        read_archive(archive.parts)


def test_zip_without_fitbit_data(tmp_path):
    path = zip_with(tmp_path / "photos.zip", {"Takeout/Google Photos/a.jpg": b"\xff\xd8", "Takeout/readme.txt": "hi"})
    with pytest.raises(ArchiveError, match="No Fitbit data was found"):
        read_archive([path])


def test_zip_bomb_member(tmp_path):
    path = zip_with(tmp_path / "bomb.zip", {"Takeout/Fitbit/Global Export Data/steps-2024-01-01.json": b"0" * 30_000_000})
    with pytest.raises(ArchiveError, match="looks like a zip bomb"):
        read_archive([path])


def test_total_uncompressed_size_is_bounded(tmp_path):
    archive = generate(tmp_path, Spec(days=3))
    with pytest.raises(ArchiveError, match="would expand to more than"):
        read_archive(archive.parts, max_uncompressed=100_000)


def test_path_traversal_name(tmp_path):
    archive = generate(tmp_path, Spec(days=3))
    with zipfile.ZipFile(archive.parts[0], "a") as part:
        part.writestr("../../etc/cron.d/evil", "* * * * * root true")
    with pytest.raises(ArchiveError, match="unsafe file name"):
        read_archive(archive.parts)


def test_zone_names():
    assert resolve_zone("Europe/Paris")[0].key == "Europe/Paris"
    assert resolve_zone("New Zealand Standard Time")[0].key == "Pacific/Auckland"
    zone, note = resolve_zone("Mars/Olympus_Mons")
    assert zone.key == "UTC" and "Mars/Olympus_Mons" in note
