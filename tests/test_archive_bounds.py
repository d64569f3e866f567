"""Archives built to cost a worker hours or gigabytes: refused or read in bounded work, with a plain message."""

import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from archive_gen import Spec, generate

from fitlink.archive.extract import read_archive
from fitlink.archive.reader import MAX_MEMBERS, MAX_PER_FAMILY, ArchiveError
from fitlink.archive.spans import Spans

FOLDER = "Takeout/Fitbit/Global Export Data"


def zipped(path: Path, members) -> Path:
    """Write the (name, content) pairs as a zip archive at path; return the path."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return path


def test_an_archive_of_too_many_members_is_refused_before_its_directory_is_read(tmp_path):
    path = zipped(tmp_path / "many.zip", ((f"e/{number}", b"") for number in range(MAX_MEMBERS + 1)))
    with pytest.raises(ArchiveError, match=f"more than {MAX_MEMBERS:,} files"):
        read_archive([path])


def test_too_many_files_of_one_family_are_refused(tmp_path):
    first = date(1950, 1, 1)
    path = zipped(tmp_path / "family.zip", ((f"{FOLDER}/steps-{first + timedelta(days=number)}.json", b"[]")
                                            for number in range(MAX_PER_FAMILY + 1)))
    with pytest.raises(ArchiveError, match=f"more than {MAX_PER_FAMILY:,} steps files"):
        read_archive([path])


def test_sixteen_thousand_one_record_files_count_each_minute_once(tmp_path):
    """Each file claims its span; checking a file against every earlier one cost O(n^2) (16 s here)."""
    path = tmp_path / "small-files.zip"
    start = date(2020, 1, 1)
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(16_000):
            day = start + timedelta(days=number // 10)
            stamp = f"{day:%m/%d/%y} {10 + number % 10:02d}:00:00"
            name = f"{FOLDER}/steps-{date(1960, 1, 1) + timedelta(days=number)}.json"
            archive.writestr(name, json.dumps([{"dateTime": stamp, "value": "7"}]))
        # The same minutes again in a later export's file: already claimed, not counted twice.
        archive.writestr(f"{FOLDER}/steps-2010-01-01.json",
                         json.dumps([{"dateTime": f"{start:%m/%d/%y} 10:00:00", "value": "7"}]))
    rows, report = read_archive([path])
    steps = {row.day: row.value for row in rows["steps"]}
    assert len(steps) == 1600 and set(steps.values()) == {70}
    assert report.files_read == 16_001


def test_days_outside_what_a_fitbit_can_have_recorded_are_dropped(tmp_path):
    archive = generate(tmp_path / "gen", Spec(days=3, start=date(2024, 4, 1)))
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive.parts[0]) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for day in ("0001-01-01", "9999-12-30", "2006-12-31"):
            stamp = date.fromisoformat(day)
            target.writestr(f"{FOLDER}/sleep-{day}.json", json.dumps([{
                "logId": int(stamp.toordinal()), "dateOfSleep": day, "startTime": f"{day}T00:00:00.000",
                "endTime": f"{day}T07:00:00.000", "minutesAsleep": 420, "minutesAwake": 10, "timeInBed": 430,
                "mainSleep": True, "type": "classic", "levels": {"summary": {}, "data": []}}]))
            target.writestr(f"{FOLDER}/resting_heart_rate-{day}.json", json.dumps([{
                "dateTime": f"{stamp:%m/%d/%y} 00:00:00", "value": {"date": f"{stamp:%m/%d/%y}", "value": 55.0,
                                                                    "error": 1.0}}]))
    rows, _report = read_archive([path])
    days = {row.day for values in rows.values() for row in values}
    assert days and min(days) >= date(2007, 1, 1) and max(days) <= date(2024, 4, 4)


def test_spans_merge_and_answer_like_the_union_of_their_parts():
    spans = Spans()
    for first, last in (("c", "e"), ("a", "a"), ("g", "h"), ("d", "g"), ("k", "m")):
        spans.add(first, last)
    assert (spans.starts, spans.ends) == (["a", "c", "k"], ["a", "h", "m"])
    assert [point for point in "abcdefghijklmn" if spans.covers(point)] == list("acdefghklm")
    assert spans.overlaps("i", "j") is False and spans.overlaps("i", "k") is True
