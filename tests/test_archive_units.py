"""Weigh-in units per record: pounds whatever Profile.csv says, told apart from kilograms by BMI and height."""

import pytest
from archive_gen import Spec, generate

from fitlink.archive.extract import read_archive
from fitlink.archive.weights import unit_of


def weights(tmp_path, spec):
    archive = generate(tmp_path, spec)
    rows, report = read_archive(archive.parts)
    return {row.day: row.value for row in rows["weight"]}, archive.expected["weight"], report


@pytest.mark.parametrize("spec", [
    Spec(weight_unit="METRIC", json_weight_unit="lb"),  # BMI and Profile.csv's height (cm)
    Spec(weight_unit="METRIC", json_weight_unit="lb", height_cm=None),  # BMI, no height anywhere
    Spec(weight_unit="METRIC", json_weight_unit="lb", height_cm=None, bmi=False),  # nothing to tell: pounds
    Spec(weight_unit="METRIC", json_weight_unit="lb", profile=False, bmi=False),  # no Profile.csv at all
], ids=["bmi-and-profile-height", "bmi-no-height", "no-bmi-no-height", "no-profile"])
def test_pounds_under_a_metric_profile(tmp_path, spec):
    got, expected, report = weights(tmp_path, spec)
    assert got == pytest.approx(expected, abs=1e-3)
    assert all(45 < kg < 95 for kg in got.values())  # 164.9 stored as 164.9 kg would fail here
    assert "Weigh-ins: 7 in pounds" in report.summary()


@pytest.mark.parametrize("spec", [
    Spec(weight_unit="en_US", json_weight_unit="kg"),  # BMI and Profile.csv's height
    Spec(weight_unit="en_US", json_weight_unit="kg", height_cm=None, height_files=True),  # height-*.json (mm)
    Spec(weight_unit="en_US", json_weight_unit="kg", height_cm=None),  # BMI alone
], ids=["profile-height", "height-files", "bmi-alone"])
def test_kilograms_under_an_en_us_profile(tmp_path, spec):
    got, expected, report = weights(tmp_path, spec)
    assert got == pytest.approx(expected, abs=1e-3)
    assert "Weigh-ins: 7 in kilograms" in report.summary()


def test_units_of_single_records():
    # The real export of issue 18: 164.9 in the JSON, 74,840 g in weight.csv, BMI 23.9, 1.77 m.
    assert unit_of(164.9, 23.9, 1.77) == ("lb", "height")
    assert unit_of(164.9, 23.9, None) == ("lb", "bmi")
    assert unit_of(74.8, 23.9, 1.77) == ("kg", "height")
    assert unit_of(74.8, 23.9, None) == ("kg", "bmi")
    assert unit_of(11.8, 23.9, 1.77) == ("st", "height")
    assert unit_of(132.2, None, None) == ("lb", "default")


def test_only_the_csv_holds_a_weigh_in_in_grams(tmp_path):
    archive = generate(tmp_path, Spec(layout="takeout2026", csv_copies=True))
    rows, _ = read_archive(archive.parts)
    got = {row.day: row.value for row in rows["weight"]}
    only_csv = min(archive.expected["weight"])
    assert got[only_csv] == pytest.approx(71.25)
    assert got == pytest.approx(archive.expected["weight"], abs=1e-3)
