"""Numbers, units, durations and times written for people, in the Fitbit user's timezone."""

from datetime import date, datetime, timezone

import pytest

from fitlink.formatting import (decimal, distance_in, distance_unit, duration, localtime, longdate,
                                thousands, updated, weight_in, weight_unit)


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
