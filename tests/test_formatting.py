"""Numbers, units, durations and times written for people, in the Fitbit user's timezone."""

from datetime import date, datetime, timezone

import pytest

from fitlink.formatting import (decimal, distance_in, distance_unit, duration, localtime, longdate, metric_unit,
                                metric_value, signed, thousands, updated, weight_in, weight_unit)


def test_counts_have_thousands_separators():
    assert thousands(12345) == "12,345"
    assert thousands(999.6) == "1,000"
    assert thousands(0) == "0"
    assert decimal(1234.56) == "1,234.6"
    assert decimal(7.749, 2) == "7.75"


@pytest.mark.parametrize("minutes, text", [(432, "7 h 12 min"), (60, "1 h 0 min"), (42, "42 min"), (0, "0 min")])
def test_durations_read_as_hours_and_minutes(minutes, text):
    assert duration(minutes) == text


def test_metric_profiles_keep_kilometres_and_kilograms():
    assert distance_in(10, "METRIC") == 10 and distance_unit("METRIC") == "km"
    assert weight_in(72.4, "METRIC") == 72.4 and weight_unit("METRIC") == "kg"


@pytest.mark.parametrize("unit", ["en_US", "en_GB", "IMPERIAL"])
def test_other_profiles_get_miles_and_pounds(unit):
    assert distance_in(1.609344, unit) == pytest.approx(1.0)
    assert distance_in(10, unit) == pytest.approx(6.2137, abs=1e-4)
    assert distance_unit(unit) == "mi"
    assert weight_in(72.4, unit) == pytest.approx(159.614, abs=1e-3)
    assert weight_unit(unit) == "lb"


def test_dates_read_in_full():
    assert longdate(date(2026, 11, 27)) == "Friday 27 November 2026"


def test_times_are_shown_in_the_fitbit_users_timezone():
    moment = datetime(2026, 11, 27, 13, 5, tzinfo=timezone.utc)
    assert localtime(moment, "Europe/Berlin") == "14:05"
    assert localtime(moment, "Pacific/Kiritimati", with_date=True) == "28 Nov 03:05"
    assert localtime(moment, "Pacific/Pago_Pago", with_date=True) == "27 Nov 02:05"


def test_naive_times_from_sqlite_are_read_as_utc():
    assert localtime(datetime(2026, 11, 27, 13, 5), "Europe/Berlin") == "14:05"


def test_an_unknown_timezone_falls_back_to_utc():
    assert localtime(datetime(2026, 11, 27, 13, 5), "Mars/Olympus") == "13:05"


def test_updated_says_today_or_yesterday_in_local_dates():
    moment = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)
    # Already 28 November in Kiritimati (UTC+14), still 27 November in Pago Pago (UTC-11).
    assert updated(moment, "Pacific/Kiritimati", date(2026, 11, 28)) == "today 13:30"
    assert updated(moment, "Pacific/Pago_Pago", date(2026, 11, 28)) == "yesterday 12:30"
    assert updated(moment, "UTC", date(2026, 12, 20)) == "27 Nov 23:30"
    assert updated(moment, "UTC", date(2027, 2, 1)) == "27 Nov 2026 23:30"
    assert updated(None, "UTC", date(2026, 11, 27)) == "never"


def test_the_newer_metrics_are_written_with_their_units():
    assert signed(0.36) == "+0.4" and signed(-0.34) == "\u22120.3" and signed(-0.04) == "0.0" and signed(0) == "0.0"
    assert (metric_value("hrv", 41.6), metric_unit("hrv")) == ("42", "ms")
    assert (metric_value("spo2", 95.44), metric_unit("spo2")) == ("95.4", "%")
    assert (metric_value("breathing_rate", 14.25), metric_unit("breathing_rate")) == ("14.2", "breaths/min")
    assert (metric_value("skin_temperature", -0.5), metric_unit("skin_temperature")) == ("\u22120.5", "°C")
    assert (metric_value("vo2max", 42), metric_unit("vo2max")) == ("42.0", "mL/kg/min")
    assert (metric_value("active_zone_minutes", 1234), metric_unit("active_zone_minutes")) == ("1,234", "min")
    assert (metric_value("sedentary_minutes", 612), metric_unit("sedentary_minutes")) == ("10 h 12 min", "")
    assert (metric_value("body_fat", 22.46), metric_unit("body_fat")) == ("22.5", "%")
