"""The built-in Google Health service, exercised over real HTTP as fitlink's client uses it."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import closing, receiving, served
from requests_oauthlib import OAuth2Session

from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.google_health import (
    call_log, create_demo_app, expire_access_tokens, expire_refresh_tokens, inject_faults,
    record_activity, reset_call_log,
)
from fitlink.builtin_services.google_health.catalog import ACTIVITY, METRICS, PROFILE, SETTINGS, SLEEP
from fitlink.builtin_services.google_health.people import health_user_id

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

CLIENT_ID = "fitlink-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
REDIRECT = "http://127.0.0.1:9/google-health/callback"
SUBSCRIBER_SECRET = "Bearer test-webhook-secret"
FROZEN = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
ALL_SCOPES = [ACTIVITY, METRICS, SLEEP, SETTINGS, PROFILE]


class Clock:
    """A service clock the test moves."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def loopback_http(monkeypatch):
    # requests-oauthlib, the client, refuses plain http; the tests talk to 127.0.0.1 only.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def receiver():
    yield from receiving("/google-health/notifications")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def config(receiver, clock):
    return {"SECRET_KEY": "demo-gh-test-secret", "TESTING": True,
            "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET},
            "DEMO_GOOGLE_HEALTH_NOW": clock, "DEMO_GOOGLE_HEALTH_FAULT_DELAY": 1.0,
            "DEMO_GOOGLE_HEALTH_SUBSCRIBER_URL": receiver.url,
            "DEMO_GOOGLE_HEALTH_SUBSCRIBER_SECRET": SUBSCRIBER_SECRET}


@pytest.fixture
def app(config):
    yield from closing(create_demo_app(config))


@pytest.fixture
def server(app):
    yield from served(app)


def authorization_url(server, scopes=ALL_SCOPES, **params) -> tuple[OAuth2Session, str]:
    session = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=scopes, pkce="S256")
    url, _ = session.authorization_url(f"{server.url}/o/oauth2/v2/auth", **params)
    return session, url


def decide(url: str, button: str = "Allow", account: str = "alex", other: str = "",
           scopes: list[str] | None = None) -> requests.Response:
    """Play the person on the consent page; return the answer to the form."""
    with requests.Session() as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        offered = re.findall(r'name="scopes" type="checkbox" value="([^"]+)"', page.text)
        form = [("csrf_token", csrf), ("account", account), ("other_account", other),
                (button.lower(), button)]
        form += [("scopes", scope) for scope in (offered if scopes is None else scopes)]
        return browser.post(url, data=form, allow_redirects=False)


def callback_params(response: requests.Response) -> dict:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def connect(server, account="alex", scopes=ALL_SCOPES, **params) -> dict:
    """Run the whole code flow with PKCE; return the token response."""
    params = {"access_type": "offline", "prompt": "consent"} | params
    session, url = authorization_url(server, scopes, **params)
    location = decide(url, account=account).headers["Location"]
    return session.fetch_token(f"{server.url}/token", authorization_response=location,
                               client_secret=CLIENT_SECRET)


def code_for(server, **params) -> tuple[OAuth2Session, str]:
    """Consent for alex; return the client session (holding the verifier) and the code."""
    params = {"access_type": "offline"} | params
    session, url = authorization_url(server, **params)
    return session, callback_params(decide(url))["code"]


def exchange(server, code: str, verifier: str, secret: str = CLIENT_SECRET,
             redirect_uri: str = REDIRECT) -> requests.Response:
    return requests.post(f"{server.url}/token", data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "client_id": CLIENT_ID, "client_secret": secret, "redirect_uri": redirect_uri})


def refresh(server, refresh_token: str) -> requests.Response:
    return requests.post(f"{server.url}/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


def api(server, token: dict | str, path: str, body: dict | None = None,
        **params) -> requests.Response:
    access = token if isinstance(token, str) else token["access_token"]
    url = f"{server.url}/v4/users/me/{path}"
    headers = {"Authorization": f"Bearer {access}"}
    if body is not None:
        return requests.post(url, json=body, headers=headers, params=params)
    return requests.get(url, headers=headers, params=params)


def day_range(start: date, days: int) -> dict:
    end = start + timedelta(days=days)
    return {"range": {"start": {"date": {"year": start.year, "month": start.month,
                                         "day": start.day}},
                      "end": {"date": {"year": end.year, "month": end.month, "day": end.day}}},
            "windowSizeDays": 1}


def roll_up(server, token, data_type: str, start: date, days: int, **extra):
    return api(server, token, f"dataTypes/{data_type}/dataPoints:dailyRollUp",
               day_range(start, days) | extra)


def status_of(response: requests.Response, code: int, status: str) -> dict:
    """Assert a google.rpc.Status answer; return its error object."""
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert isinstance(error["message"], str) and error["message"]
    return error


def reason_of(error: dict) -> str:
    (detail,) = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    return detail["reason"]


def alex_today() -> date:
    return local_today(get_account("alex", FROZEN), FROZEN)


# --- the authorization code flow ---

def test_code_flow_with_pkce_gives_google_shaped_tokens(server):
    token = connect(server)
    assert token["access_token"].startswith("ya29.")
    assert token["refresh_token"].startswith("1//")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert set(token["scope"]) == set(ALL_SCOPES)
    identity = api(server, token, "identity").json()
    assert identity == {"name": "users/me/identity", "healthUserId": health_user_id("alex"),
                        "legacyUserId": get_account("alex").encoded_id}


def test_settings_and_profile_describe_the_account(server):
    token = connect(server, account="sam")
    settings = api(server, token, "settings").json()
    assert settings["name"] == f"users/{health_user_id('sam')}/settings"
    assert settings["timeZone"] == "America/Los_Angeles"
    assert settings["utcOffset"] == "-28800s"  # late November: standard time
    assert settings["distanceUnit"] == "DISTANCE_UNIT_MILES"
    assert settings["weightUnit"] == "WEIGHT_UNIT_POUNDS"
    profile = api(server, token, "profile").json()
    since = get_account("sam", FROZEN).member_since
    assert profile["membershipStartDate"] == {"year": since.year, "month": since.month,
                                              "day": since.day}
    assert isinstance(profile["age"], int) and profile["autoWalkingStrideLengthMm"] > 0


def test_daily_roll_up_of_steps_matches_the_fitbit_service(server):
    token = connect(server)
    start = alex_today() - timedelta(days=6)
    answer = roll_up(server, token, "steps", start, 7)
    assert answer.status_code == 200, answer.text
    points = answer.json()["rollupDataPoints"]
    assert len(points) == 7 and "nextPageToken" not in answer.json()
    for offset, point in enumerate(points):
        day = start + timedelta(days=offset)
        assert point["civilStartTime"] == {"date": {"year": day.year, "month": day.month,
                                                    "day": day.day}}
        following = day + timedelta(days=1)
        assert point["civilEndTime"]["date"]["day"] == following.day
        assert point["steps"] == {"countSum": str(daily_values("alex", day)["steps"])}


def test_wrong_verifier_secret_or_redirect_uri_is_refused(server):
    session, code = code_for(server)
    verifier = session._code_verifier
    wrong = exchange(server, code, verifier[:-4] + "AAAA")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert exchange(server, code, verifier, secret="not-the-secret").status_code == 401
    moved = exchange(server, code, verifier, redirect_uri="http://127.0.0.1:9/elsewhere")
    assert moved.status_code == 400 and "access_token" not in moved.json()
    assert exchange(server, code, verifier).status_code == 200  # nothing above used it up


def test_a_code_works_once_and_a_replay_ends_its_grant(server):
    session, code = code_for(server)
    first = exchange(server, code, session._code_verifier)
    assert first.status_code == 200
    replay = exchange(server, code, session._code_verifier)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    status_of(api(server, first.json()["access_token"], "identity"), 401, "UNAUTHENTICATED")


def test_codes_expire_within_minutes(server, clock):
    session, code = code_for(server)
    clock.now = FROZEN + timedelta(minutes=11)
    assert exchange(server, code, session._code_verifier).json()["error"] == "invalid_grant"


def test_pkce_s256_is_required(server):
    plain = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=ALL_SCOPES)
    url, state = plain.authorization_url(f"{server.url}/o/oauth2/v2/auth")
    params = callback_params(requests.get(url, allow_redirects=False))
    assert params["error"] == "invalid_request" and params["state"] == state
    url = url + "&code_challenge=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    params = callback_params(requests.get(url + "&code_challenge_method=plain",
                                          allow_redirects=False))
    assert params["error"] == "invalid_request"


def test_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(server):
    session = OAuth2Session(CLIENT_ID, redirect_uri="http://evil.example/cb", scope=ALL_SCOPES,
                            pkce="S256")
    url, _ = session.authorization_url(f"{server.url}/o/oauth2/v2/auth")
    page = requests.get(url, allow_redirects=False)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "Access blocked" in page.text


def test_unknown_scope_is_refused(server):
    session, url = authorization_url(server, [ACTIVITY, "https://example.org/everything"])
    assert callback_params(requests.get(url, allow_redirects=False))["error"] == "invalid_scope"


def test_deny_redirects_with_access_denied_and_the_state(server):
    session, url = authorization_url(server)
    params = callback_params(decide(url, button="Deny"))
    assert params == {"error": "access_denied", "state": session._state}


def test_refresh_rotates_and_the_old_refresh_token_dies(server):
    token = connect(server)
    renewed = refresh(server, token["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["refresh_token"] != token["refresh_token"]
    assert body["access_token"] != token["access_token"] and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(ALL_SCOPES)
    old = refresh(server, token["refresh_token"])
    assert (old.status_code, old.json()["error"]) == (400, "invalid_grant")
    assert api(server, body["access_token"], "identity").status_code == 200
    assert refresh(server, body["refresh_token"]).status_code == 200


def test_a_refresh_token_needs_offline_access_and_comes_once_without_prompt(server):
    online = connect(server, access_type="online", prompt="")
    assert "refresh_token" not in online
    first = connect(server, prompt="")
    assert first["refresh_token"]
    assert "refresh_token" not in connect(server, prompt="")
    assert connect(server, prompt="consent")["refresh_token"]


def test_an_expired_access_token_is_refused_until_refreshed(server, app):
    token = connect(server)
    expire_access_tokens(app)
    error = status_of(api(server, token, "identity"), 401, "UNAUTHENTICATED")
    assert reason_of(error) == "ACCESS_TOKEN_EXPIRED"
    assert api(server, token, "identity").headers["WWW-Authenticate"].startswith("Bearer")
    renewed = refresh(server, token["refresh_token"]).json()
    assert api(server, renewed, "identity").status_code == 200


def test_access_tokens_expire_by_the_service_clock(server, clock):
    token = connect(server)
    clock.now = FROZEN + timedelta(seconds=3600)
    status_of(api(server, token, "identity"), 401, "UNAUTHENTICATED")


def test_testing_mode_refresh_tokens_die_after_seven_days_or_when_expired(server, app, clock):
    alex, kiri = connect(server), connect(server, account="kiri")
    expire_refresh_tokens(app, "kiri")
    assert refresh(server, kiri["refresh_token"]).json() == {"error": "invalid_grant"}
    clock.now = FROZEN + timedelta(days=7)
    assert refresh(server, alex["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_ends_the_grant_and_takes_the_token_from_body_or_query(server):
    first, second = connect(server), connect(server)
    assert requests.post(f"{server.url}/revoke",
                         data={"token": first["refresh_token"]}).status_code == 200
    status_of(api(server, first, "identity"), 401, "UNAUTHENTICATED")
    assert refresh(server, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert requests.post(f"{server.url}/revoke",
                         params={"token": second["access_token"]}).status_code == 200
    assert refresh(server, second["refresh_token"]).json()["error"] == "invalid_grant"
    again = requests.post(f"{server.url}/revoke", data={"token": second["access_token"]})
    assert (again.status_code, again.json()["error"]) == (400, "invalid_token")


def test_plain_http_is_refused_for_a_non_loopback_host(server):
    headers = {"Host": "fitlink.example.org"}
    answer = requests.post(f"{server.url}/token", data={"grant_type": "refresh_token"},
                           headers=headers)
    assert answer.status_code == 400 and "HTTPS" in answer.text
    error = status_of(requests.get(f"{server.url}/v4/users/me/identity", headers=headers),
                      403, "PERMISSION_DENIED")
    assert reason_of(error) == "SSL_REQUIRED"


# --- dailyRollUp ---

@pytest.mark.parametrize(("data_type", "limit"), [
    ("active-minutes", 14), ("total-calories", 14), ("steps", 90), ("weight", 90),
    ("daily-resting-heart-rate", 90), ("distance", 90), ("floors", 90)])
def test_roll_up_range_limits(server, data_type, limit):
    token = connect(server)
    start = alex_today() - timedelta(days=limit + 5)
    assert roll_up(server, token, data_type, start, limit).status_code == 200
    error = status_of(roll_up(server, token, data_type, start, limit + 1), 400,
                      "INVALID_ARGUMENT")
    assert str(limit) in error["message"]


def test_roll_up_refuses_malformed_requests(server):
    token = connect(server)
    url = f"{server.url}/v4/users/me/dataTypes/steps/dataPoints:dailyRollUp"
    headers = {"Authorization": f"Bearer {token['access_token']}",
               "Content-Type": "application/json"}
    leading_zero = ('{"range": {"start": {"date": {"year": 2026, "month": 09, "day": 1}}, '
                    '"end": {"date": {"year": 2026, "month": 9, "day": 2}}}}')
    status_of(requests.post(url, data=leading_zero, headers=headers), 400, "INVALID_ARGUMENT")
    start = alex_today() - timedelta(days=3)
    good = day_range(start, 2)
    for body in ({}, good | {"unknownField": 1},
                 {"range": {"start": good["range"]["end"], "end": good["range"]["start"]}},
                 {"range": good["range"] | {"start": {"date": good["range"]["start"]["date"],
                                                      "time": {"hours": 6}}}},
                 {"range": {"start": {"date": {"year": 2026, "month": 2, "day": 30}},
                            "end": good["range"]["end"]}},
                 {"range": {"start": {"date": {"year": "2026", "month": 9, "day": 1}},
                            "end": good["range"]["end"]}}):
        status_of(requests.post(url, json=body, headers=headers), 400, "INVALID_ARGUMENT")
    status_of(roll_up(server, token, "sleep", start, 2), 400, "INVALID_ARGUMENT")
    status_of(roll_up(server, token, "heart-beats", start, 2), 400, "INVALID_ARGUMENT")


def test_roll_up_pages_and_binds_the_token_to_the_request(server):
    token = connect(server)
    start = alex_today() - timedelta(days=9)
    first = roll_up(server, token, "floors", start, 10, pageSize=4).json()
    assert len(first["rollupDataPoints"]) == 4 and first["nextPageToken"]
    second = roll_up(server, token, "floors", start, 10, pageSize=4,
                     pageToken=first["nextPageToken"]).json()
    third = roll_up(server, token, "floors", start, 10, pageSize=4,
                    pageToken=second["nextPageToken"]).json()
    assert len(third["rollupDataPoints"]) == 2 and "nextPageToken" not in third
    days = [p["civilStartTime"]["date"]["day"] for page in (first, second, third)
            for p in page["rollupDataPoints"]]
    assert days == [(start + timedelta(days=n)).day for n in range(10)]
    moved = roll_up(server, token, "floors", start, 9, pageSize=4,
                    pageToken=first["nextPageToken"])
    status_of(moved, 400, "INVALID_ARGUMENT")
    forged = roll_up(server, token, "floors", start, 10, pageSize=4, pageToken="abc")
    status_of(forged, 400, "INVALID_ARGUMENT")


def test_roll_up_values_in_google_units(server):
    token = connect(server)
    start = alex_today() - timedelta(days=13)
    answers = {kind: roll_up(server, token, kind, start, 14).json()["rollupDataPoints"]
               for kind in ("distance", "total-calories", "active-minutes", "weight",
                            "daily-resting-heart-rate")}
    for offset in range(14):
        values = daily_values("alex", start + timedelta(days=offset))
        assert answers["distance"][offset]["distance"] == {
            "millimetersSum": str(round(values["distance"] * 1_000_000))}
        assert answers["total-calories"][offset]["totalCalories"] == {
            "kcalSum": float(values["calories"])}
        levels = answers["active-minutes"][offset]["activeMinutes"][
            "activeMinutesRollupByActivityLevel"]
        assert levels == [
            {"activityLevel": "LIGHT", "activeMinutesSum": str(values["minutesLightlyActive"])},
            {"activityLevel": "MODERATE",
             "activeMinutesSum": str(values["minutesFairlyActive"])},
            {"activityLevel": "VIGOROUS", "activeMinutesSum": str(values["minutesVeryActive"])}]
        weight = answers["weight"][offset]
        if values["weight"]:
            assert weight["weight"] == {
                "weightGramsAvg": round(values["weight"]["weight"] * 1000, 1)}
        else:
            assert "weight" not in weight
        heart = answers["daily-resting-heart-rate"][offset]
        if values["restingHeartRate"] is not None:
            rate = float(values["restingHeartRate"])
            assert heart["restingHeartRatePersonalRange"] == {
                "beatsPerMinuteMin": rate, "beatsPerMinuteMax": rate}


def test_roll_up_leaves_out_days_before_membership_and_after_today(server):
    token = connect(server, account="sam")
    sam = get_account("sam", FROZEN)
    answer = roll_up(server, token, "steps", sam.member_since - timedelta(days=3), 5).json()
    assert len(answer["rollupDataPoints"]) == 2
    today = local_today(sam, FROZEN)
    answer = roll_up(server, token, "steps", today - timedelta(days=1), 5).json()
    assert len(answer["rollupDataPoints"]) == 2


# --- dataPoints.list and :reconcile ---

def civil_filter(name: str, first: date, last: date, field: str = "interval.civil_start_time"):
    return (f'{name}.{field} >= "{first.isoformat()}" AND '
            f'{name}.{field} < "{last.isoformat()}"')


def list_points(server, token, data_type: str, **params) -> requests.Response:
    return api(server, token, f"dataTypes/{data_type}/dataPoints", **params)


def test_interval_points_add_up_to_the_day_and_come_newest_first(server):
    token = connect(server)
    day = alex_today() - timedelta(days=2)
    values = daily_values("alex", day)
    expected = {"steps": ("steps", "count", values["steps"]),
                "distance": ("distance", "millimeters", round(values["distance"] * 1e6)),
                "floors": ("floors", "count", values["floors"])}
    for data_type, (field, unit, total) in expected.items():
        answer = list_points(server, token, data_type, filter=civil_filter(
            data_type, day, day + timedelta(days=1)))
        assert answer.status_code == 200, answer.text
        points = answer.json()["dataPoints"]
        assert all(isinstance(p[field][unit], str) for p in points)
        assert sum(int(p[field][unit]) for p in points) == total
        starts = [p[field]["interval"]["startTime"] for p in points]
        assert starts == sorted(starts, reverse=True)
    point = list_points(server, token, "steps", filter=civil_filter(
        "steps", day, day + timedelta(days=1))).json()["dataPoints"][-1]
    interval = point["steps"]["interval"]
    assert interval["civilStartTime"] == {"date": {"year": day.year, "month": day.month,
                                                   "day": day.day}, "time": {"hours": 7}}
    assert interval["startUtcOffset"] == "3600s"  # Berlin in winter
    assert interval["startTime"] == f"{day.isoformat()}T06:00:00Z"


def test_active_minutes_points_by_level(server):
    token = connect(server)
    day = alex_today() - timedelta(days=1)
    values = daily_values("alex", day)
    points = list_points(server, token, "active-minutes", filter=civil_filter(
        "active_minutes", day, day + timedelta(days=1))).json()["dataPoints"]
    totals: dict[str, int] = {}
    for point in points:
        for level in point["activeMinutes"]["activeMinutesByActivityLevel"]:
            totals[level["activityLevel"]] = totals.get(level["activityLevel"], 0) + int(
                level["activeMinutes"])
    assert totals.get("LIGHT") == values["minutesLightlyActive"]
    assert totals.get("VIGOROUS", 0) == values["minutesVeryActive"]


def test_daily_sample_and_session_shapes(server):
    token = connect(server)
    today = alex_today()
    first = today - timedelta(days=30)
    hearts = list_points(server, token, "daily-resting-heart-rate",
                         filter=civil_filter("daily_resting_heart_rate", first, today,
                                             "date")).json()["dataPoints"]
    heart = hearts[0]["dailyRestingHeartRate"]
    day = date(**heart["date"])
    assert heart["beatsPerMinute"] == str(daily_values("alex", day)["restingHeartRate"])
    assert heart["dailyRestingHeartRateMetadata"]["calculationMethod"] in (
        "WITH_SLEEP", "ONLY_WITH_AWAKE_DATA")
    weights = list_points(server, token, "weight", filter=civil_filter(
        "weight", first, today, "sample_time.civil_time")).json()["dataPoints"]
    weight = weights[0]["weight"]
    sample = weight["sampleTime"]
    day = date(**sample["civilTime"]["date"])
    assert weight["weightGrams"] == round(daily_values("alex", day)["weight"]["weight"] * 1000, 1)
    assert sample["physicalTime"].endswith("Z") and sample["utcOffset"] == "3600s"
    sleeps = list_points(server, token, "sleep", filter=civil_filter(
        "sleep", first, today, "interval.civil_end_time")).json()["dataPoints"]
    assert len(sleeps) == 25  # the sleep page size
    kinds = {point["sleep"]["type"] for point in sleeps}
    assert kinds == {"STAGES", "CLASSIC"}
    for point in sleeps:
        sleep = point["sleep"]
        assert point["name"].startswith(f"users/{health_user_id('alex')}/dataTypes/sleep/")
        if sleep["metadata"].get("nap"):  # an afternoon nap: classic, never the main sleep
            assert sleep["type"] == "CLASSIC" and not sleep["metadata"].get("mainSleep")
            continue
        summary = sleep["summary"]
        night = date(**sleep["interval"]["civilEndTime"]["date"])
        source = daily_values("alex", night)["sleep"]
        assert summary["minutesAsleep"] == str(source["minutesAsleep"])
        assert summary["minutesInSleepPeriod"] == str(source["timeInBed"])
        staged = sum(int(s["minutes"]) for s in summary["stagesSummary"])
        assert staged == source["timeInBed"]
        assert sleep["stages"][0]["startTime"] == sleep["interval"]["startTime"]
        assert sleep["stages"][-1]["endTime"] == sleep["interval"]["endTime"]
        assert sleep["metadata"]["mainSleep"] is True


def test_list_page_sizes(server):
    token = connect(server)
    steps = list_points(server, token, "steps").json()
    assert len(steps["dataPoints"]) == 1440 and steps["nextPageToken"]
    few = list_points(server, token, "steps", pageSize=3).json()
    following = list_points(server, token, "steps", pageSize=3,
                            pageToken=few["nextPageToken"]).json()
    assert few["dataPoints"] + following["dataPoints"] == steps["dataPoints"][:6]
    assert len(list_points(server, token, "steps", pageSize=20000).json()["dataPoints"]) == 10000
    assert len(list_points(server, token, "sleep", pageSize=100).json()["dataPoints"]) == 25
    status_of(list_points(server, token, "steps", pageSize=-1), 400, "INVALID_ARGUMENT")


def test_list_filters_follow_the_documented_subset(server):
    token = connect(server)
    day = alex_today() - timedelta(days=5)
    physical = (f'steps.interval.start_time >= "{day.isoformat()}T10:00:00Z" AND '
                f'steps.interval.start_time < "{day.isoformat()}T12:00:00Z"')
    points = list_points(server, token, "steps", filter=physical).json()["dataPoints"]
    assert [p["steps"]["interval"]["startTime"] for p in points] == [
        f"{day.isoformat()}T11:00:00Z", f"{day.isoformat()}T10:00:00Z"]
    nights = (f'sleep.interval.civil_end_time < "{day.isoformat()}" OR '
              f'sleep.interval.civil_end_time >= "{alex_today().isoformat()}"')
    sleeps = list_points(server, token, "sleep", filter=nights, pageSize=25).json()
    assert sleeps["dataPoints"]
    for bad in ('steps.interval.end_time >= "2026-11-01T00:00:00Z"',
                'steps.interval.civil_start_time > "2026-11-01"',
                'steps.interval.civil_start_time >= "2026-11-01" OR '
                'steps.interval.civil_start_time < "2026-10-01"',
                'steps.interval.start_time >= "2026-11-01"',
                'steps.interval.civil_start_time >= 2026-11-01',
                'steps.interval.civil_start_time >= "2026-11-01" AND'):
        error = status_of(list_points(server, token, "steps", filter=bad), 400,
                          "INVALID_ARGUMENT")
        assert reason_of(error) == "INVALID_DATA_POINT_FILTER"


def test_list_refuses_what_google_refuses(server):
    token = connect(server)
    status_of(list_points(server, token, "total-calories"), 400, "INVALID_ARGUMENT")
    family = "users/me/dataSourceFamilies/google-wearables"
    status_of(list_points(server, token, "sleep", dataSourceFamily=family), 400,
              "INVALID_ARGUMENT")
    assert list_points(server, token, "steps", dataSourceFamily=family).status_code == 200
    reconciled = api(server, token, "dataTypes/sleep/dataPoints:reconcile",
                     dataSourceFamily=family).json()["dataPoints"]
    assert reconciled[0]["dataPointName"].startswith(f"users/{health_user_id('alex')}/")
    assert "dataSource" not in reconciled[0] and reconciled[0]["sleep"]["summary"]
    status_of(api(server, token, "dataTypes/steps/unknown"), 404, "NOT_FOUND")


# --- scopes, quota, unlinked accounts ---

def test_each_call_needs_its_scope(server, monkeypatch):
    # The person unticks all but one scope; a client must accept the narrower grant.
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    session, url = authorization_url(server, access_type="offline")
    location = decide(url, scopes=[ACTIVITY]).headers["Location"]
    token = session.fetch_token(f"{server.url}/token", authorization_response=location,
                                client_secret=CLIENT_SECRET)
    assert token["scope"] == [ACTIVITY]
    assert api(server, token, "identity").status_code == 200
    assert list_points(server, token, "steps", pageSize=1).status_code == 200
    assert "autoWalkingStrideLengthMm" not in json.dumps(api(server, token, "profile").json())
    start = alex_today() - timedelta(days=2)
    for response in (api(server, token, "settings"), api(server, token, "profile"),
                     list_points(server, token, "sleep"),
                     roll_up(server, token, "weight", start, 1),
                     roll_up(server, token, "daily-resting-heart-rate", start, 1)):
        error = status_of(response, 403, "PERMISSION_DENIED")
        assert reason_of(error) == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


def test_the_consent_page_needs_some_scope_and_a_valid_account(server):
    _, url = authorization_url(server)
    assert decide(url, scopes=[]).status_code == 200  # shown again, with the reason
    assert "Choose at least one" in decide(url, scopes=[]).text
    assert "1 to 30 letters" in decide(url, other="no such name!").text


def test_per_user_quota_answers_resource_exhausted(config):
    app = create_demo_app(config | {"DEMO_GOOGLE_HEALTH_RATE_LIMIT": 3})
    with serve_in_thread(app) as server:
        alex, kiri = connect(server), connect(server, account="kiri")
        assert all(api(server, alex, "identity").status_code == 200 for _ in range(3))
        status_of(api(server, alex, "identity"), 429, "RESOURCE_EXHAUSTED")
        assert api(server, kiri, "identity").status_code == 200  # per user
        config["DEMO_GOOGLE_HEALTH_NOW"].now = FROZEN + timedelta(minutes=1)
        assert api(server, alex, "identity").status_code == 200


def test_an_unlinked_account_answers_failed_precondition(server):
    token = connect(server, account="unlinked")
    start = alex_today() - timedelta(days=2)
    for response in (api(server, token, "identity"), roll_up(server, token, "steps", start, 1),
                     list_points(server, token, "weight")):
        error = status_of(response, 400, "FAILED_PRECONDITION")
        assert reason_of(error) == "ACCOUNT_NOT_LINKED"


def test_another_users_path_is_refused(server):
    token = connect(server)
    own = f"{server.url}/v4/users/{health_user_id('alex')}/identity"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(own, headers=headers).status_code == 200
    other = f"{server.url}/v4/users/{health_user_id('kiri')}/identity"
    status_of(requests.get(other, headers=headers), 403, "PERMISSION_DENIED")
    status_of(requests.get(f"{server.url}/v4/users/me/identity"), 401, "UNAUTHENTICATED")


# --- test hooks ---

def test_faults_answer_the_next_calls(server, app):
    token = connect(server)
    inject_faults(app, 503, count=2)
    for _ in range(2):
        status_of(api(server, token, "identity"), 503, "UNAVAILABLE")
    assert api(server, token, "identity").status_code == 200
    inject_faults(app, 429)
    status_of(api(server, token, "identity"), 429, "RESOURCE_EXHAUSTED")
    inject_faults(app, "garbage")
    garbage = api(server, token, "identity")
    assert garbage.status_code == 200
    with pytest.raises(ValueError):
        garbage.json()
    inject_faults(app, "timeout")
    with pytest.raises(requests.Timeout):
        requests.get(f"{server.url}/v4/users/me/identity", timeout=0.2,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert [call.fault for call in call_log(app) if call.fault] == [
        "503", "503", "429", "garbage", "timeout"]
    with pytest.raises(ValueError):
        inject_faults(app, 200)


def test_call_log_records_method_path_type_range_filter_and_token(server, app):
    token = connect(server)
    reset_call_log(app)
    start = alex_today() - timedelta(days=3)
    roll_up(server, token, "steps", start, 2)
    text = civil_filter("weight", start, alex_today(), "sample_time.civil_time")
    list_points(server, token, "weight", filter=text)
    rolled, listed = call_log(app)
    assert (rolled.method, rolled.path, rolled.data_type) == (
        "POST", "/v4/users/me/dataTypes/steps/dataPoints:dailyRollUp", "steps")
    assert rolled.range == (start, start + timedelta(days=2))
    assert rolled.token == token["access_token"]
    assert (listed.method, listed.data_type, listed.filter) == ("GET", "weight", text)


def test_record_activity_adds_steps_and_notifies_the_subscriber(server, app, receiver):
    token = connect(server, account="noa")
    today = local_today(get_account("noa", FROZEN), FROZEN)
    before = int(roll_up(server, token, "steps", today, 1).json()["rollupDataPoints"][0][
        "steps"]["countSum"])
    statuses = record_activity(app, "noa", 1234)
    assert statuses == [204, 204]
    after = roll_up(server, token, "steps", today, 1).json()["rollupDataPoints"][0]
    assert int(after["steps"]["countSum"]) == before + 1234
    kinds = []
    for headers, body in receiver.requests:
        assert headers["Authorization"] == SUBSCRIBER_SECRET
        data = json.loads(body)["data"]
        assert data["healthUserId"] == health_user_id("noa")
        assert data["operation"] == "UPSERT"
        (interval,) = data["intervals"]
        assert interval["civilIso8601TimeInterval"]["startTime"] == f"{today}T00:00:00"
        assert interval["physicalTimeInterval"]["startTime"].endswith("Z")
        kinds.append(data["dataType"])
    assert kinds == ["steps", "distance"]
    assert record_activity(app, "kiri", 10) == []  # kiri never consented


def test_malformed_authorization_requests_get_a_plain_answer(server):
    page = requests.get(f"{server.url}/o/oauth2/v2/auth?client_id=%ZZ&state=\x01")
    assert page.status_code == 400 and "Access blocked" in page.text
    page = requests.get(f"{server.url}/o/oauth2/v2/auth?client_id=unknown&response_type=code")
    assert page.status_code == 400 and "Invalid client_id" in page.text


def test_registered_redirect_uris_are_matched_exactly(config):
    registered = "https://fitlink.example.org/connect/google-health/authorized"
    app = create_demo_app(config | {"DEMO_GOOGLE_HEALTH_REDIRECT_URIS": [registered]})
    with serve_in_thread(app) as server:
        _, url = authorization_url(server)  # the loopback REDIRECT is not registered now
        assert requests.get(url, allow_redirects=False).status_code == 400
        session = OAuth2Session(CLIENT_ID, redirect_uri=registered, scope=ALL_SCOPES,
                                pkce="S256")
        url, _ = session.authorization_url(f"{server.url}/o/oauth2/v2/auth")
        assert decide(url).headers["Location"].startswith(registered + "?code=")


def test_a_new_consent_after_seven_days_brings_a_new_refresh_token(server, clock):
    assert connect(server, prompt="")["refresh_token"]
    clock.now = FROZEN + timedelta(days=8)
    assert connect(server, prompt="")["refresh_token"]
