"""Google Health as it really answers: the built-in service with its live-API behaviours turned on.

Sessions in progress, mirrored points, Retry-After, capped pages, zero-step days left
out of rollups (fitlink/builtin_services/google_health/behaviours.py). Source-level tests run the
service on a frozen clock; tests through fitlink's own sync run both on the real one.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta

import pytest
import requests
from helpers import closing, signup
from helpers.google_health import (
    FROZEN, build_fitlink, connect, consent, demo_service, open_source, stored, stored_steps,
)
from werkzeug.http import http_date

from fitlink import clock as fitlink_clock
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health import call_log, inject_faults, reset_call_log
from fitlink.google_health import payloads
from fitlink.models import DailyMetric, SyncState
from fitlink.sources import DayValue, RateLimited, SleepSession

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own


class Clock:
    """One clock for the service and fitlink's client: waiting moves it, no real time passes."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    """The one clock of the app and the service for this test (tests/conftest.py puts the suite's back after)."""
    moved = Clock(FROZEN)
    fitlink_clock.use(moved)
    return moved


@pytest.fixture
def demo_settings(clock):
    return {"DEMO_GOOGLE_HEALTH_NOW": clock}


def today_of(moment: datetime) -> date:
    return local_today(get_account("alex", moment), moment)


def raw_list(server, token: dict, data_type: str, first: date, last: date) -> list[dict]:
    """What the service's list answers, straight from the wire (one page)."""
    field = {"weight": "weight.sample_time.civil_time", "sleep": "sleep.interval.civil_end_time"}[data_type]
    answer = requests.get(f"{server.url}/v4/users/me/dataTypes/{data_type}/dataPoints", params={
        "filter": f'{field} >= "{first}" AND {field} < "{last + timedelta(days=1)}"', "pageSize": 25},
        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["dataPoints"]


# --- sessions in progress and unreadable points ---

@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_SLEEP_IN_PROGRESS": True}])
def test_a_session_in_progress_is_left_out_and_the_completed_nights_kept(server):
    token = consent(server)
    today = today_of(FROZEN)
    start = today - timedelta(days=13)
    (newest, *_) = raw_list(server, token, "sleep", today, today)
    assert "endTime" not in newest["sleep"]["interval"] and "summary" not in newest["sleep"]
    records = open_source(server, token).fetch("sleep", start, today)
    nights = {row.day: row.value for row in records if isinstance(row, DayValue)}
    assert {row.day for row in records if isinstance(row, SleepSession)} == set(nights)
    expected = {day: daily_values("alex", day)["sleep"] for day in (start + timedelta(days=n) for n in range(14))}
    assert nights == {day: sleep["minutesAsleep"] for day, sleep in expected.items() if sleep and day != today}


def serve_page(points: list) -> serve_in_thread:
    def answer(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"dataPoints": points}).encode()]

    return serve_in_thread(answer)


def weigh_in(moment: str, grams, platform="FITBIT") -> dict:
    return {"dataSource": {"platform": platform},
            "weight": {"sampleTime": {"physicalTime": moment, "utcOffset": "3600s"}, "weightGrams": grams}}


def test_one_malformed_point_is_skipped_not_the_page(monkeypatch, caplog):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    points = [weigh_in("2026-11-02T07:00:00Z", 70000.0), weigh_in("2026-11-01T07:00:00Z", "heavy"),
              {"weight": {"sampleTime": {}}}, weigh_in("2026-10-31T07:00:00Z", 71000.0)]
    with serve_page(points) as handle:
        source = open_source(handle, {"access_token": "a", "token_type": "Bearer"})
        rows = source.fetch("weight", date(2026, 10, 1), date(2026, 11, 2))
    assert [(row.day, row.value) for row in rows] == [(date(2026, 10, 31), 71.0), (date(2026, 11, 2), 70.0)]
    assert "skipped a data point" in caplog.text


def test_offsets_in_either_form_give_the_same_local_day():
    late = {"weight": {"sampleTime": {"physicalTime": "2026-11-02T05:30:00Z", "utcOffset": "-07:00"},
                       "weightGrams": 70000}}
    also = {"weight": {"sampleTime": {"physicalTime": "2026-11-02T05:30:00Z", "utcOffset": "-25200s"},
                       "weightGrams": 70000}}
    assert [row.day for row in payloads.weight_days([late])] == [date(2026, 11, 1)]
    assert payloads.weight_days([late]) == payloads.weight_days([also])


# --- mirrored points ---

def test_a_mirrored_weigh_in_counts_once_and_the_device_value_wins():
    rows = payloads.weight_days([
        weigh_in("2026-11-02T07:00:00Z", 70040.0), weigh_in("2026-11-02T07:00:00Z", 70000.0, "HEALTH_CONNECT"),
        weigh_in("2026-11-02T19:00:00Z", 70000.0, "HEALTH_CONNECT")])
    # Two weigh-ins (07:00 from the scale, 19:00 only mirrored), not three points.
    assert [(row.day, row.value) for row in rows] == [(date(2026, 11, 2), 70.02)]


@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_MIRRORS": True}])
def test_mirrored_sleep_and_weight_are_not_doubled(server):
    token = consent(server)
    end = today_of(FROZEN) - timedelta(days=1)
    start = end - timedelta(days=29)
    listed = raw_list(server, token, "sleep", end - timedelta(days=5), end)
    assert len(listed) == 2 * len({point["sleep"]["interval"]["startTime"] for point in listed})
    source = open_source(server, token)
    weight = {row.day: row.value for row in source.fetch("weight", start, end)}
    records = source.fetch("sleep", start, end)
    nights = {row.day: row for row in records if isinstance(row, DayValue)}
    # Each night's session with its stages comes once too, not once per source.
    sessions = [row for row in records if isinstance(row, SleepSession)]
    assert len(sessions) == len({row.start for row in sessions})
    assert sorted(row.day for row in sessions if row.main) == sorted(nights)
    expected = {day: daily_values("alex", day) for day in (start + timedelta(days=n) for n in range(30))}
    assert weight == {day: pytest.approx(v["weight"]["weight"]) for day, v in expected.items() if v["weight"]}
    assert {day: night.value for day, night in nights.items()} == {
        day: v["sleep"]["minutesAsleep"] for day, v in expected.items() if v["sleep"]}
    assert all(night.details["time_in_bed"] == expected[day]["sleep"]["timeInBed"] for day, night in nights.items())


# --- Retry-After ---

@pytest.mark.parametrize("options, wait", [
    ({"DEMO_GOOGLE_HEALTH_RETRY_AFTER": "20"}, 20),
    ({"DEMO_GOOGLE_HEALTH_RETRY_AFTER": http_date(FROZEN + timedelta(seconds=20))}, 20),
])
def test_429_with_retry_after_waits_that_long_then_completes(server, demo, clock, wait):
    source = open_source(server, consent(server), sleep=clock.sleep, now=clock)
    inject_faults(demo, 429)
    reset_call_log(demo)
    rows = source.fetch("steps", today_of(FROZEN) - timedelta(days=6), today_of(FROZEN))
    assert len(rows) == 7
    refused, answered = call_log(demo)
    assert refused.fault == "429" and answered.fault is None
    assert answered.at - refused.at >= timedelta(seconds=wait)
    assert clock.waits == [wait]


@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_RETRY_AFTER": "3600"}])
def test_a_long_retry_after_pauses_until_then_instead_of_waiting(server, demo, clock):
    source = open_source(server, consent(server), sleep=clock.sleep, now=clock)
    inject_faults(demo, 429)
    with pytest.raises(RateLimited) as caught:
        source.fetch("steps", today_of(FROZEN), today_of(FROZEN))
    assert caught.value.retry_at == FROZEN + timedelta(hours=1)
    assert clock.waits == []


# --- capped pages ---

WEIGH_INS = 10


@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_PAGE_CAP": 5000, "DEMO_GOOGLE_HEALTH_MIRRORS": True,
                                      "DEMO_GOOGLE_HEALTH_WEIGH_INS": WEIGH_INS}])
def test_three_years_of_weigh_ins_through_capped_pages(server, demo):
    source = open_source(server, consent(server))
    end = today_of(FROZEN)
    start = end - timedelta(days=1094)
    days = [start + timedelta(days=n) for n in range(1095)]
    joined = get_account("alex", FROZEN).member_since
    expected = {day: values["weight"]["weight"] for day in days
                if day >= joined and (values := daily_values("alex", day))["weight"]}
    points = len(expected) * WEIGH_INS * 2  # every weigh-in, from the scale and mirrored
    assert points > 5000
    reset_call_log(demo)
    weight = {row.day: row.value for row in source.fetch("weight", start, end)}
    assert weight == {day: pytest.approx(kilos) for day, kilos in expected.items()}
    calls = [call for call in call_log(demo) if call.data_type == "weight"]
    assert math.ceil(points / 5000) <= len(calls) <= math.ceil(points / 4990)


# --- through fitlink's sync, on the real clock ---

@pytest.fixture
def real_clock_demo(options):
    yield from closing(demo_service(**options))


@pytest.fixture
def fitlink(tmp_path, real_clock_demo, monkeypatch):
    with serve_in_thread(real_clock_demo) as google:
        yield from closing(build_fitlink(tmp_path, google.url, monkeypatch))


def real_today() -> date:
    return today_of(fitlink_clock.now())


@pytest.mark.parametrize("options", [{"DEMO_GOOGLE_HEALTH_SLEEP_IN_PROGRESS": True,
                                      "DEMO_GOOGLE_HEALTH_MIRRORS": True}])
def test_syncing_before_waking_keeps_every_completed_night_and_shows_no_error(fitlink):
    client = fitlink.test_client()
    signup(client)
    connect(client)
    today = real_today()
    nights = {row.day: row.value for row in stored(fitlink, DailyMetric) if row.metric == "sleep"}
    expected = {day: sleep["minutesAsleep"] for day in (today - timedelta(days=n) for n in range(1, 7))
                if (sleep := daily_values("alex", day)["sleep"])}
    assert nights == expected  # today's night is still going on
    (state,) = [s for s in stored(fitlink, SyncState) if s.resource == "sleep"]
    assert state.last_error is None
    page = client.get("/dashboard").text
    assert "could not read" not in page and "Up to date" in page


class TestZeroStepDays:
    """Google leaves days without a step out of dailyRollUp."""

    @pytest.fixture
    def zero_day(self):
        return real_today() - timedelta(days=3)

    @pytest.fixture
    def options(self, zero_day):
        return {"DEMO_GOOGLE_HEALTH_ZERO_STEP_DAYS": [zero_day]}

    def test_it_is_no_data_and_not_fetched_again(self, fitlink, real_clock_demo, zero_day):
        client = fitlink.test_client()
        signup(client)
        connect(client)
        steps = stored_steps(fitlink)
        assert zero_day not in steps
        assert zero_day - timedelta(days=1) in steps and zero_day + timedelta(days=1) in steps
        reset_call_log(real_clock_demo)
        assert client.post("/sync").status_code == 302
        ranges = [call.range for call in call_log(real_clock_demo)
                  if call.data_type == "steps" and call.path.endswith(":dailyRollUp")]
        assert ranges and all(first > zero_day for first, _ in ranges)
