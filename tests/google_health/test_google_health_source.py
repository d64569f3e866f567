"""The Google Health client and source against the built-in Google Health service, over a real port."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

import pytest
from helpers.google_health import alex_today, consent, data_calls, open_source

from fitlink import clock
from fitlink.builtin_services.common.accounts import daily_values, get_account
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health.intraday import day_detail, nap_of
from fitlink.builtin_services.google_health import (
    call_log, expire_access_tokens, expire_refresh_tokens, inject_faults, reset_call_log,
)
from fitlink.builtin_services.google_health.people import health_user_id
from fitlink.google_health.blueprint import SCOPES
from fitlink.google_health.client import NOT_LINKED
from fitlink.google_health.source import METRIC_SCOPES
from fitlink.models import SyncState
from fitlink.sources import (
    MINUTE_DETAILS, BadPayload, DayValue, NotSetUp, ProviderError, RateLimited, TokenRejected,
)
from fitlink.sync import plan

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

ROLLUP_LIMITS = {"steps": 90, "distance": 90, "floors": 90, "total-calories": 14, "active-minutes": 14,
                 "active-zone-minutes": 90, "time-in-heart-rate-zone": 90, "sedentary-period": 90}
DAILY_LISTS = ("daily-resting-heart-rate", "weight", "body-fat", "daily-heart-rate-variability",
               "daily-oxygen-saturation", "daily-respiratory-rate", "daily-sleep-temperature-derivations",
               "daily-vo2-max")
INTRADAY_DAYS = 90  # FITLINK_INTRADAY_BACKFILL_DAYS, the default


@pytest.fixture
def quota():
    """The service's per-user quota (requests per minute); Google's is 300."""
    return 300


@pytest.fixture
def demo_settings(quota):
    return {"DEMO_GOOGLE_HEALTH_FAULT_DELAY": 1.0, "DEMO_GOOGLE_HEALTH_RATE_LIMIT": quota}


# --- profile and units ---

def test_profile_reads_identity_settings_and_profile(source):
    profile = source.profile()
    alex = get_account("alex")
    assert profile.user_id == health_user_id("alex")
    assert profile.timezone == "Europe/Berlin"
    assert profile.member_since == alex.member_since
    assert (profile.distance_unit, profile.weight_unit) == ("METRIC", "METRIC")
    assert profile.display_name.startswith("Google Health user ")
    assert source.goals(alex_today()) == {}


def test_miles_and_pounds_become_fitlink_unit_systems(server):
    profile = open_source(server, consent(server, account="sam")).profile()
    assert (profile.distance_unit, profile.weight_unit) == ("en_US", "en_US")


def test_values_arrive_in_fitlink_units(source):
    end = alex_today() - timedelta(days=1)
    start = end - timedelta(days=29)
    distance = {row.day: row.value for row in source.fetch("distance", start, end)}
    weight = {row.day: row.value for row in source.fetch("weight", start, end)}
    sleep = {row.day: row for row in source.fetch("sleep", start, end) if isinstance(row, DayValue)}
    expected = {day: daily_values("alex", day) for day in (start + timedelta(days=n) for n in range(30))}
    assert distance == {day: pytest.approx(v["distance"]) for day, v in expected.items()}
    assert weight == {day: pytest.approx(v["weight"]["weight"]) for day, v in expected.items() if v["weight"]}
    assert set(sleep) == {day for day, v in expected.items() if v["sleep"]}
    for day, night in sleep.items():
        logged = expected[day]["sleep"]
        assert night.value == logged["minutesAsleep"]
        assert night.details["time_in_bed"] == logged["timeInBed"]
        assert night.details["start"] == logged["startTime"][:19]
        stages = night.details["stages"]
        if night.details["type"] == "stages":
            assert stages == logged["stages"]
        else:
            assert set(stages) == {"asleep", "restless", "awake"}


def test_steps_floors_calories_and_both_active_minutes(source, server, demo):
    end = alex_today()
    start = end - timedelta(days=13)
    reset_call_log(demo)
    rows = {metric: {row.day: row.value for row in source.fetch(metric, start, end)}
            for metric in ("steps", "floors", "calories", "very_active_minutes", "fairly_active_minutes")}
    for day in (start + timedelta(days=n) for n in range(14)):
        values = daily_values("alex", day)
        assert rows["steps"][day] == values["steps"] and rows["floors"][day] == values["floors"]
        assert rows["calories"][day] == pytest.approx(values["calories"])
        assert rows["very_active_minutes"][day] == values["minutesVeryActive"]
        assert rows["fairly_active_minutes"][day] == values["minutesFairlyActive"]
    # Very and fairly active minutes come from one active-minutes rollup.
    assert data_calls(demo) == {"steps": 1, "floors": 1, "total-calories": 1, "active-minutes": 1}


# --- the fewest calls ---

def expected_calls(days: int, today: date) -> Counter:
    """The fewest calls for `days` days of every metric, from the documented limits."""
    expected = Counter({data_type: math.ceil(days / longest) for data_type, longest in ROLLUP_LIMITS.items()})
    nights = sum(1 for n in range(days) if daily_values("alex", today - timedelta(days=n))["sleep"])
    nights += sum(1 for n in range(days) if nap_of("alex", today - timedelta(days=n)))  # naps are sleeps too
    workouts = sum(len(day_detail("alex", day, v["steps"], v["calories"]).exercises)
                   for day, v in ((today - timedelta(days=n), daily_values("alex", today - timedelta(days=n)))
                                  for n in range(days)))
    # One list page holds 10,000 daily values or samples, but only 25 nights or exercises.
    expected.update({data_type: 1 for data_type in DAILY_LISTS})
    expected.update({"sleep": math.ceil(nights / 25), "exercise": math.ceil(workouts / 25)})
    # Minute series INTRADAY_DAYS back: rollUp windows of a minute, 10,000 a call (Berlin has no
    # clock change in the last 90 days before the test's day).
    minute_calls = math.ceil(min(days, INTRADAY_DAYS) * 1440 / 10_000)
    expected.update({"steps": minute_calls, "heart-rate": minute_calls, "total-calories": minute_calls})
    return expected


# A three-year import asks for more than a minute's quota (Google's 300): here the quota is
# lifted, so the count is the whole import's; the engine pauses and resumes past a 429.
@pytest.mark.parametrize("quota", [100_000])
@pytest.mark.parametrize("days", [365, 1095])
def test_an_import_takes_the_fewest_calls_the_limits_allow(server, demo, days):
    source = open_source(server, consent(server), calls_per_minute=100_000)
    today = alex_today()
    floor = today - timedelta(days=days - 1)
    minute_floor = max(floor, today - timedelta(days=INTRADAY_DAYS - 1))
    reset_call_log(demo)
    fetched = Counter()
    # In the engine's order: newest ranges first, across metrics; minute series INTRADAY_DAYS back.
    for chunk in plan.order([chunk for metric in source.metrics() for chunk in plan.chunks(
            metric, SyncState(), today, minute_floor if metric in MINUTE_DETAILS else floor,
            source.max_days(metric))]):
        fetched[chunk.metric] += len(source.fetch(chunk.metric, chunk.start, chunk.end))
    assert data_calls(demo) == expected_calls(days, today), (data_calls(demo), expected_calls(days, today))
    assert fetched["steps"] == fetched["very_active_minutes"] == fetched["lightly_active_minutes"] == days
    assert fetched["steps_minutes"] == fetched["heart_rate_minutes"] == INTRADAY_DAYS
    # The time zone for the minute series: one settings call.
    assert [call.path for call in call_log(demo)].count("/v4/users/me/settings") == 1
    for call in call_log(demo):
        if call.range and call.path.endswith(":rollUp"):
            assert call.range[1] - call.range[0] <= timedelta(minutes=10_000)
        elif call.range:
            assert (call.range[1] - call.range[0]).days <= ROLLUP_LIMITS[call.data_type]


@pytest.mark.parametrize("metric, days", [("steps", 91), ("calories", 15), ("very_active_minutes", 15),
                                          ("sleep", 1096), ("weight", 1096), ("steps", 0), ("heart_rate", 1)])
def test_a_request_over_a_limit_is_never_sent(source, demo, metric, days):
    reset_call_log(demo)
    end = alex_today()
    with pytest.raises(ValueError):
        source.fetch(metric, end - timedelta(days=days - 1), end)
    assert call_log(demo) == []


# --- errors, retries and tokens ---

@pytest.mark.parametrize("status", [429, 503, 504, "timeout"])
def test_transient_failures_are_retried_then_succeed(server, demo, status):
    source = open_source(server, consent(server), timeout=0.5)
    inject_faults(demo, status, 2)
    end = alex_today()
    rows = source.fetch("steps", end - timedelta(days=6), end)
    assert len(rows) == 7
    assert [call.fault is not None for call in call_log(demo)][-3:] == [True, True, False]


def test_rate_limit_that_persists_says_when_to_come_back(source, demo):
    inject_faults(demo, 429, 4)
    with pytest.raises(RateLimited) as caught:
        source.fetch("steps", alex_today(), alex_today())
    assert caught.value.retry_at > clock.now() + timedelta(seconds=30)
    assert len([call for call in call_log(demo) if call.fault]) == 4


def test_outage_that_persists_is_a_provider_error(source, demo):
    inject_faults(demo, 503, 4)
    with pytest.raises(ProviderError):
        source.fetch("sleep", alex_today(), alex_today())


def test_account_without_google_health_is_not_set_up(server):
    source = open_source(server, consent(server, account="unlinked"))
    with pytest.raises(NotSetUp) as caught:
        source.fetch("steps", alex_today(), alex_today())
    assert str(caught.value) == NOT_LINKED


def test_garbage_answer_is_a_bad_payload(source, demo):
    inject_faults(demo, "garbage")
    with pytest.raises(BadPayload):
        source.fetch("weight", alex_today() - timedelta(days=30), alex_today())


def test_answer_of_the_wrong_shape_is_a_bad_payload(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")

    def wrong(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"rollupDataPoints": [{"civilStartTime": {"date": {"year": "x"}}, "steps": {}}]}']

    with serve_in_thread(wrong) as handle:
        source = open_source(handle, {"access_token": "a", "token_type": "Bearer"})
        with pytest.raises(BadPayload):
            source.fetch("steps", date(2026, 11, 1), date(2026, 11, 2))


def test_revoked_access_token_is_refreshed_and_the_rotated_token_stored(server, demo):
    token = consent(server)
    stored: list[dict] = []
    source = open_source(server, token, stored)
    expire_access_tokens(demo)
    assert len(source.fetch("steps", alex_today(), alex_today())) == 1
    assert len(stored) == 1
    assert stored[0]["access_token"] != token["access_token"]
    assert stored[0]["refresh_token"] != token["refresh_token"]  # the service rotates it
    # The old refresh token is dead now; the stored one works.
    with pytest.raises(TokenRejected):
        open_source(server, {**token, "expires_at": 1}).fetch("steps", alex_today(), alex_today())
    fresh = open_source(server, {**stored[0], "expires_at": 1}, stored)
    assert fresh.fetch("steps", alex_today(), alex_today())
    assert len(stored) == 2


def test_expired_access_token_is_refreshed_before_calling(server, demo):
    stored: list[dict] = []
    source = open_source(server, {**consent(server), "expires_at": 1}, stored)
    reset_call_log(demo)
    assert source.fetch("floors", alex_today(), alex_today())
    assert len(stored) == 1 and len(call_log(demo)) == 1  # no 401 first


def test_dead_refresh_token_is_a_rejected_token(source, demo):
    expire_access_tokens(demo)
    expire_refresh_tokens(demo, "alex")
    with pytest.raises(TokenRejected):
        source.fetch("steps", alex_today(), alex_today())


def test_metrics_are_those_the_granted_scopes_allow(server):
    activity_only = [s for s in SCOPES if "sleep" not in s and "health_metrics" not in s]
    source = open_source(server, consent(server, scopes=activity_only))
    assert set(source.metrics()) == {m for m, scopes in METRIC_SCOPES.items() if scopes == ("activity_and_fitness.readonly",)}


def test_calls_past_the_per_user_quota_are_not_sent(server, demo):
    source = open_source(server, consent(server), calls_per_minute=3)
    reset_call_log(demo)
    source.profile()
    with pytest.raises(RateLimited):
        source.fetch("steps", alex_today(), alex_today())
    assert len(call_log(demo)) == 3
