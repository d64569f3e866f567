"""The built-in Fitbit service, exercised over real HTTP like fitlink uses it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import ONE_DAY, closing, receiving, served
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1Session
from sqlalchemy import select

from fitlink.builtin_services.common import whole_day
from fitlink.builtin_services.common.accounts import daily_values, get_account, local_today
from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import call_log, create_demo_app, record_activity, revoke_tokens
from fitlink.builtin_services.fitbit.models import RecordedActivity, demo_db

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

CLIENT_KEY = "fitlink-test"
CLIENT_SECRET = "test-client-secret"
CALLBACK = "http://client.example/fitbit/callback"
FROZEN = ONE_DAY
RESOURCES = ("steps", "distance", "calories", "floors", "elevation", "minutesSedentary",
             "minutesLightlyActive", "minutesFairlyActive", "minutesVeryActive",
             "activityCalories")


@pytest.fixture
def demo_receiver():
    yield from receiving("/fitbit/notifications")


@pytest.fixture
def demo_config(demo_receiver):
    return {
        "SECRET_KEY": "demo-test-secret", "TESTING": True,
        "DEMO_FITBIT_CLIENTS": {CLIENT_KEY: CLIENT_SECRET},
        "DEMO_FITBIT_NOW": FROZEN, "DEMO_FITBIT_SUBSCRIBER_URL": demo_receiver.url,
        "DEMO_FITBIT_SUBSCRIBER_ID": "fitlink-sub",
    }


@pytest.fixture
def demo_app(demo_config):
    yield from closing(create_demo_app(demo_config))


@pytest.fixture
def demo_server(demo_app):
    yield from served(demo_app)


def request_token(server) -> dict:
    with OAuth1Session(CLIENT_KEY, CLIENT_SECRET, callback_uri=CALLBACK) as oauth:
        return oauth.fetch_request_token(f"{server.url}/oauth/request_token")


def decide(server, token: str, button: str = "Allow", account: str = "alex",
           other: str = "", browser: requests.Session | None = None) -> requests.Response:
    """Play the person on the authorize page (in browser, if given); return the response to the form."""
    url = f"{server.url}/oauth/authorize?oauth_token={token}"
    with browser or requests.Session() as browser:
        page = browser.get(url)
        assert page.status_code == 200
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        form = {"csrf_token": csrf, "account": account, "other_account": other,
                button.lower(): button}
        return browser.post(url, data=form, allow_redirects=False)


def callback_params(response: requests.Response) -> dict:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(CALLBACK)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def exchange(server, token: str, secret: str | None, verifier: str) -> requests.Response:
    with OAuth1Session(CLIENT_KEY, CLIENT_SECRET, resource_owner_key=token,
                       resource_owner_secret=secret, verifier=verifier) as oauth:
        return oauth.post(f"{server.url}/oauth/access_token")


def connect(server, account: str = "alex", browser: requests.Session | None = None) -> dict:
    """Run the whole OAuth dance (the person in browser, if given); return the access token response as a dict."""
    temporary = request_token(server)
    params = callback_params(decide(server, temporary["oauth_token"], other=account, browser=browser))
    reply = exchange(server, temporary["oauth_token"], temporary["oauth_token_secret"],
                     params["oauth_verifier"])
    assert reply.status_code == 200, reply.text
    return {key: values[0] for key, values in parse_qs(reply.text).items()}


def api_get(server, token: dict, path: str, **headers) -> requests.Response:
    with OAuth1Session(CLIENT_KEY, CLIENT_SECRET, resource_owner_key=token["oauth_token"],
                       resource_owner_secret=token["oauth_token_secret"]) as oauth:
        return oauth.get(f"{server.url}{path}", headers=headers)


def test_full_dance_returns_token_and_encoded_user_id(demo_server):
    temporary = request_token(demo_server)
    assert temporary["oauth_callback_confirmed"] == "true"
    params = callback_params(decide(demo_server, temporary["oauth_token"]))
    assert params["oauth_token"] == temporary["oauth_token"]
    reply = exchange(demo_server, temporary["oauth_token"], temporary["oauth_token_secret"],
                     params["oauth_verifier"])
    assert reply.status_code == 200
    token = {key: values[0] for key, values in parse_qs(reply.text).items()}
    assert token["encoded_user_id"] == get_account("alex").encoded_id
    profile = api_get(demo_server, token, "/1/user/-/profile.json")
    assert profile.status_code == 200
    assert profile.json()["user"]["encodedId"] == token["encoded_user_id"]


def test_authorize_page_is_accessible_and_plain(demo_server):
    temporary = request_token(demo_server)
    page = requests.get(f"{demo_server.url}/oauth/authorize",
                        params={"oauth_token": temporary["oauth_token"]})
    assert "Fitbit (built-in demo)" in page.text
    assert '<meta name="viewport"' in page.text and "<main>" in page.text
    assert "Or name a demo account</label>" in page.text
    assert 'value="Allow"' in page.text and 'value="Deny"' in page.text
    unknown = requests.get(f"{demo_server.url}/oauth/authorize?oauth_token=nope")
    assert unknown.status_code == 400 and "already used" in unknown.text


def test_access_token_without_request_token_secret_is_refused(demo_server):
    temporary = request_token(demo_server)
    params = callback_params(decide(demo_server, temporary["oauth_token"]))
    for secret in ("", None):
        assert exchange(demo_server, temporary["oauth_token"], secret,
                        params["oauth_verifier"]).status_code == 401


def test_wrong_verifier_then_replay_are_refused(demo_server):
    temporary = request_token(demo_server)
    params = callback_params(decide(demo_server, temporary["oauth_token"]))
    token, secret = temporary["oauth_token"], temporary["oauth_token_secret"]
    assert exchange(demo_server, token, secret, "W" * 30).status_code == 401
    assert exchange(demo_server, token, secret, params["oauth_verifier"]).status_code == 200
    assert exchange(demo_server, token, secret, params["oauth_verifier"]).status_code == 401


def test_repeated_nonce_is_refused(demo_server):
    token = connect(demo_server)
    client = Client(CLIENT_KEY, CLIENT_SECRET, resource_owner_key=token["oauth_token"],
                    resource_owner_secret=token["oauth_token_secret"],
                    nonce="samenonce1234567890", timestamp=str(int(time.time())))
    uri, headers, _ = client.sign(f"{demo_server.url}/1/user/-/profile.json")
    assert requests.get(uri, headers=headers).status_code == 200
    second = requests.get(uri, headers=headers)
    assert second.status_code == 401
    assert second.json()["errors"][0]["errorType"] == "invalid_token"


def test_deny_sends_no_verifier_and_kills_the_token(demo_server):
    temporary = request_token(demo_server)
    params = callback_params(decide(demo_server, temporary["oauth_token"], "Deny"))
    assert params == {"oauth_token": temporary["oauth_token"],
                      "denied": temporary["oauth_token"]}
    again = requests.get(f"{demo_server.url}/oauth/authorize",
                         params={"oauth_token": temporary["oauth_token"]})
    assert again.status_code == 400
    assert exchange(demo_server, temporary["oauth_token"], temporary["oauth_token_secret"],
                    "V" * 30).status_code == 401


def test_profile_uses_account_timezone_and_typed_names(demo_server):
    token = connect(demo_server, "Robin7")
    user = api_get(demo_server, token, "/1/user/-/profile.json").json()["user"]
    account = get_account("robin7", FROZEN)
    assert user["encodedId"] == account.encoded_id == token["encoded_user_id"]
    assert user["timezone"] == account.timezone
    assert user["memberSince"] == account.member_since.isoformat()
    assert re.fullmatch(r"[0-9A-Z]{6}", user["encodedId"])
    kiri = api_get(demo_server, connect(demo_server, "kiri"), "/1/user/-/profile.json")
    assert kiri.json()["user"]["offsetFromUTCMillis"] == 14 * 3600 * 1000


def test_series_cover_member_since_to_local_today(demo_server):
    for name in ("kiri", "noa", "sam"):
        token = connect(demo_server, name)
        account = get_account(name, FROZEN)
        today = local_today(account, FROZEN)
        reply = api_get(demo_server, token, "/1/user/-/activities/steps/date/today/3m.json")
        rows = reply.json()["activities-steps"]
        expected_first = max(account.member_since, today - timedelta(days=90))
        assert rows[0]["dateTime"] == expected_first.isoformat()
        assert rows[-1]["dateTime"] == today.isoformat()
        assert all(isinstance(row["value"], str) for row in rows)
    assert local_today(get_account("kiri"), FROZEN) > local_today(get_account("noa"), FROZEN)


def test_values_match_daily_values(demo_server):
    token = connect(demo_server, "alex")
    today = local_today(get_account("alex", FROZEN), FROZEN)
    start = today - timedelta(days=29)
    days = [start + timedelta(days=n) for n in range(30)]
    expected = {day.isoformat(): daily_values("alex", day) for day in days}
    for resource in RESOURCES:
        path = f"/1/user/-/activities/{resource}/date/{start}/{today}.json"
        rows = api_get(demo_server, token, path).json()[f"activities-{resource}"]
        assert {row["dateTime"]: row["value"] for row in rows} == {
            day: str(values[resource]) for day, values in expected.items()}
    heart = api_get(demo_server, token, f"/1/user/-/activities/heart/date/{start}/{today}.json")
    for row in heart.json()["activities-heart"]:
        assert row["value"].get("restingHeartRate") == expected[row["dateTime"]][
            "restingHeartRate"]
    sleep = api_get(demo_server, token, f"/1.2/user/-/sleep/date/{start}/{today}.json").json()
    assert {log["dateOfSleep"]: log["minutesAsleep"] for log in sleep["sleep"] if log["isMainSleep"]} == {
        day: v["sleep"]["minutesAsleep"] for day, v in expected.items() if v["sleep"]}
    weights = api_get(demo_server, token, f"/1/user/-/body/weight/date/{start}/{today}.json")
    assert weights.json()["body-weight"] == [
        {"dateTime": day, "value": str(v["weight"]["weight"])}
        for day, v in expected.items() if v["weight"]]
    summary = api_get(demo_server, token, f"/1/user/-/activities/date/{start}.json").json()
    values = expected[start.isoformat()]
    assert summary["summary"]["steps"] == values["steps"]
    assert summary["summary"]["caloriesOut"] == values["calories"]
    assert summary["summary"]["distances"][0] == {"activity": "total",
                                                  "distance": values["distance"]}


def test_daily_values_are_plausible_and_deterministic():
    start = date(2025, 1, 1)
    days = [daily_values("alex", start + timedelta(days=n)) for n in range(365)]
    assert days[0] == daily_values("alex", start)
    assert all(2000 <= d["steps"] <= 20000 and 1800 <= d["calories"] <= 3500 for d in days)
    assert 0.03 < sum(d["sleep"] is None for d in days) / 365 < 0.2
    assert 0.2 < sum(d["weight"] is not None for d in days) / 365 < 0.4
    assert any(d["restingHeartRate"] is None for d in days)
    assert all(300 <= d["sleep"]["minutesAsleep"] <= 520 for d in days if d["sleep"])


def test_validation_errors_and_units(demo_server):
    token = connect(demo_server)
    today = local_today(get_account("alex", FROZEN), FROZEN)
    bad = {
        f"/1/user/-/activities/steps/date/{today - timedelta(days=1095)}/{today}.json": 400,
        f"/1/user/-/activities/steps/date/{today - timedelta(days=1094)}/{today}.json": 200,
        f"/1/user/-/activities/activityCalories/date/{today - timedelta(days=30)}/{today}.json":
            400,
        f"/1.2/user/-/sleep/date/{today - timedelta(days=100)}/{today}.json": 400,
        "/1/user/-/activities/steps/date/2026-13-01/2026-12-01.json": 400,
        f"/1/user/-/activities/steps/date/{today}/{today - timedelta(days=1)}.json": 400,
        "/1/user/-/activities/nonsense/date/today/1d.json": 404,
    }
    for path, status in bad.items():
        reply = api_get(demo_server, token, path)
        assert reply.status_code == status, path
        if status == 400:
            assert reply.json()["errors"][0]["errorType"] == "validation"
            assert reply.json()["success"] is False
            assert "Fitbit-Rate-Limit-Remaining" in reply.headers
    metric = api_get(demo_server, token, f"/1/user/-/activities/distance/date/{today}/1d.json")
    miles = api_get(demo_server, token, f"/1/user/-/activities/distance/date/{today}/1d.json",
                    **{"Accept-Language": "en_US"})
    km = float(metric.json()["activities-distance"][0]["value"])
    assert float(miles.json()["activities-distance"][0]["value"]) == round(km / 1.609344, 2)


def test_rate_limit_headers_and_429(demo_config):
    app = create_demo_app(demo_config | {"DEMO_FITBIT_RATE_LIMIT": 3})
    with serve_in_thread(app) as server:
        token = connect(server)
        remaining = []
        for _ in range(3):
            reply = api_get(server, token, "/1/user/-/profile.json")
            assert reply.status_code == 200
            assert reply.headers["Fitbit-Rate-Limit-Limit"] == "3"
            assert 1 <= int(reply.headers["Fitbit-Rate-Limit-Reset"]) <= 3600
            remaining.append(reply.headers["Fitbit-Rate-Limit-Remaining"])
        assert remaining == ["2", "1", "0"]
        refused = api_get(server, token, "/1/user/-/activities/steps/date/today/7d.json")
        assert refused.status_code == 429
        assert refused.json() == {"errors": [{"errorType": "system", "fieldName": "n/a",
                                              "message": "Too Many Requests"}],
                                  "success": False}
        assert refused.headers["Fitbit-Rate-Limit-Remaining"] == "0"
        assert int(refused.headers["Retry-After"]) >= 1
        assert [call.path for call in call_log(app)][-1] == (
            "/1/user/-/activities/steps/date/today/7d.json")
        assert len(call_log(app)) == 4
    with app.app_context():
        demo_db.engine.dispose()


def test_revoked_token_gets_401(demo_app, demo_server):
    token = connect(demo_server, "sam")
    assert api_get(demo_server, token, "/1/user/-/profile.json").status_code == 200
    assert revoke_tokens(demo_app, "sam") == 1
    reply = api_get(demo_server, token, "/1/user/-/profile.json")
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["errorType"] == "invalid_token"


def test_record_activity_adds_steps_and_notifies(demo_app, demo_server, demo_receiver):
    token = connect(demo_server, "alex")
    account = get_account("alex", FROZEN)
    today = local_today(account, FROZEN)
    assert record_activity(demo_app, "alex", 1234) == [204]
    headers, body = demo_receiver.requests[-1]
    assert json.loads(body) == [{"collectionType": "activities", "date": today.isoformat(),
                                 "ownerId": account.encoded_id, "ownerType": "user",
                                 "subscriptionId": "fitlink-sub"}]
    expected = base64.b64encode(hmac.new(f"{CLIENT_SECRET}&".encode(), body,
                                         hashlib.sha1).digest()).decode()
    assert headers["X-Fitbit-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    steps = api_get(demo_server, token, "/1/user/-/activities/steps/date/today/1d.json")
    assert steps.json()["activities-steps"] == [
        {"dateTime": today.isoformat(), "value": str(daily_values("alex", today)["steps"] + 1234)}]
    assert record_activity(demo_app, "noa", 10) == []  # nobody holds a token for noa


def test_subscription_and_unknown_path(demo_server):
    token = connect(demo_server)
    with OAuth1Session(CLIENT_KEY, CLIENT_SECRET, resource_owner_key=token["oauth_token"],
                       resource_owner_secret=token["oauth_token_secret"]) as oauth:
        reply = oauth.post(f"{demo_server.url}/1/user/-/apiSubscriptions/42.json")
    assert reply.status_code == 201
    assert reply.json()["subscriptionId"] == "42"
    missing = requests.get(f"{demo_server.url}/1/user/-/nothing.json")
    assert missing.status_code == 404 and missing.json()["success"] is False


def test_mounted_under_a_prefix(demo_app):
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    host = Flask("host")
    host.wsgi_app = DispatcherMiddleware(host.wsgi_app, {"/demo-fitbit": demo_app})
    with serve_in_thread(host) as server:
        mounted = type("Mounted", (), {"url": f"{server.url}/demo-fitbit"})()
        token = connect(mounted, "noa")
        profile = api_get(mounted, token, "/1/user/-/profile.json").json()["user"]
        assert profile["avatar"].startswith(f"{server.url}/demo-fitbit/avatar/")
    assert call_log(demo_app)[-1] == ("/1/user/-/profile.json", token["oauth_token"])


def test_non_oauth_authorization_is_refused(demo_server):
    basic = {"Authorization": "Basic Zm9vOmJhcg=="}
    assert requests.get(f"{demo_server.url}/1/user/-/profile.json",
                        headers=basic).status_code == 401
    assert requests.post(f"{demo_server.url}/oauth/request_token",
                         headers=basic).status_code == 400


def test_account_page_records_steps_and_notifies(demo_server, demo_receiver):
    url = f"{demo_server.url}/account/kiri"
    with requests.Session() as browser:
        connect(demo_server, "kiri", browser=browser)  # signs this browser in as kiri
        page = browser.get(url)
        assert "Record activity" in page.text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
        done = browser.post(url, data={"csrf_token": csrf, "steps": "500",
                                       "record": "Record activity"})
    assert done.status_code == 200 and "Steps recorded" in done.text
    deadline = time.monotonic() + 5
    while not demo_receiver.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    assert json.loads(demo_receiver.requests[0][1])[0]["ownerId"] == (
        get_account("kiri").encoded_id)


def test_account_page_acts_only_for_a_visitor_signed_in_to_that_account(demo_app, demo_server, demo_receiver):
    """An anonymous visitor (or one signed in as someone else) cannot make the service notify apps."""
    connect(demo_server, "kiri")  # kiri's data is connected to an app, by someone else's browser
    url = f"{demo_server.url}/account/kiri"
    with requests.Session() as stranger:
        connect(demo_server, "alex", browser=stranger)
        page = stranger.get(url)
        assert page.status_code == 200 and "Record activity" not in page.text
        assert "sign in as kiri first" in page.text
        own = stranger.get(f"{demo_server.url}/account/alex")  # the form is there for alex
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', own.text)[1]
        refused = stranger.post(url, data={"csrf_token": csrf, "steps": "500", "record": "Record activity"})
    assert refused.status_code == 403
    assert "Only someone who signed in as kiri on this service may record activity" in refused.text
    anonymous = requests.post(url, data={"steps": "500", "record": "Record activity"})
    assert anonymous.status_code == 403
    with demo_app.app_context():
        assert demo_db.session.scalars(select(RecordedActivity)).all() == []
    assert demo_receiver.requests == []


def test_intraday_minutes_add_up_to_the_day(demo_server):
    token = connect(demo_server, "alex")
    today = local_today(get_account("alex", FROZEN), FROZEN)
    day = today - timedelta(days=3)
    values = daily_values("alex", day)
    steps = api_get(demo_server, token, f"/1/user/-/activities/steps/date/{day}/1d/1min.json").json()
    assert steps["activities-steps"] == [{"dateTime": day.isoformat(), "value": str(values["steps"])}]
    intraday = steps["activities-steps-intraday"]
    assert (intraday["datasetInterval"], intraday["datasetType"]) == (1, "minute")
    assert len(intraday["dataset"]) == 1440 and intraday["dataset"][0] == {"time": "00:00:00", "value": 0}
    assert sum(item["value"] for item in intraday["dataset"]) == values["steps"]
    quarter = api_get(demo_server, token, f"/1/user/-/activities/steps/date/{day}/1d/15min.json").json()
    assert len(quarter["activities-steps-intraday"]["dataset"]) == 96
    assert sum(item["value"] for item in quarter["activities-steps-intraday"]["dataset"]) == values["steps"]
    heart = api_get(demo_server, token, f"/1/user/-/activities/heart/date/{day}/1d/1min.json").json()
    assert heart["activities-heart"][0]["value"].get("restingHeartRate") == values["restingHeartRate"]
    bpm = [item["value"] for item in heart["activities-heart-intraday"]["dataset"]]
    assert 0 < len(bpm) <= 1440 and 40 < min(bpm) and max(bpm) < 200
    calories = api_get(demo_server, token, f"/1/user/-/activities/calories/date/{day}/1d/1min.json").json()
    items = calories["activities-calories-intraday"]["dataset"]
    assert set(items[0]) == {"level", "mets", "time", "value"}
    assert sum(item["value"] for item in items) == pytest.approx(values["calories"], abs=0.1)
    for path in (f"/1/user/-/activities/steps/date/{day}/{today}/1min.json",  # one day per call
                 f"/1/user/-/activities/steps/date/{day}/1d/2min.json"):
        assert api_get(demo_server, token, path).status_code in (400, 404), path


def test_activity_log_list_pages_newest_first(demo_server):
    token = connect(demo_server, "alex")
    account = get_account("alex", FROZEN)
    today = local_today(account, FROZEN)
    tomorrow = today + timedelta(days=1)
    path = f"/1/user/-/activities/list.json?beforeDate={tomorrow}&sort=desc&offset=0&limit=100"
    seen, pages = [], 0
    while path and pages < 20:
        body = api_get(demo_server, token, path).json()
        seen += body["activities"]
        pages += 1
        following = body["pagination"]["next"]
        assert body["pagination"]["sort"] == "desc" and body["pagination"]["limit"] == 100
        path = following and following.removeprefix(demo_server.url)
    expected = [one for day in (account.member_since + timedelta(days=n)
                                for n in range((today - account.member_since).days + 1))
                for one in whole_day.workouts(account, day, daily_values("alex", day))]
    assert pages == -(-len(expected) // 100)
    starts = [entry["startTime"] for entry in seen]
    assert starts == sorted(starts, reverse=True) and len(starts) == len(set(starts)) == len(expected)
    entry = seen[0]
    assert entry["startTime"][-6] in "+-" and entry["distanceUnit"] == "Kilometer"
    assert entry["duration"] % 60000 == 0 and entry["activityName"] in ("Walk", "Run")
    assert sum(zone["minutes"] for zone in entry["heartRateZones"]) == entry["duration"] // 60000
    miles = api_get(demo_server, token, f"/1/user/-/activities/list.json?beforeDate={tomorrow}&sort=desc&limit=1",
                    **{"Accept-Language": "en_US"}).json()["activities"][0]
    assert miles["distanceUnit"] == "Mile" and miles["distance"] == pytest.approx(entry["distance"] / 1.609344, abs=0.001)
    bad = (f"/1/user/-/activities/list.json?beforeDate={today}&afterDate={today}&sort=desc&limit=10",
           f"/1/user/-/activities/list.json?beforeDate={today}&sort=asc&limit=10",
           f"/1/user/-/activities/list.json?beforeDate={today}&sort=desc&limit=101",
           f"/1/user/-/activities/list.json?beforeDate={today}&sort=desc",
           "/1/user/-/activities/list.json?beforeDate=yesterday&sort=desc&limit=10")
    for path in bad:
        reply = api_get(demo_server, token, path)
        assert reply.status_code == 400 and reply.json()["errors"][0]["errorType"] == "validation", path


def test_sleep_logs_carry_stages_short_wakes_and_naps(demo_server):
    token = connect(demo_server, "alex")
    today = local_today(get_account("alex", FROZEN), FROZEN)
    start = today - timedelta(days=99)
    logs = api_get(demo_server, token, f"/1.2/user/-/sleep/date/{start}/{today}.json").json()["sleep"]
    mains = [log for log in logs if log["isMainSleep"]]
    naps = [log for log in logs if not log["isMainSleep"]]
    assert naps and all(nap["type"] == "classic" and set(nap["levels"]["summary"]) == {"asleep", "restless", "awake"}
                        for nap in naps)
    assert any(log["levels"]["shortData"] for log in mains)
    for log in mains:
        by_level = {}
        for item in log["levels"]["data"]:
            by_level[item["level"]] = by_level.get(item["level"], 0) + item["seconds"] // 60
        assert by_level == {level: part["minutes"] for level, part in log["levels"]["summary"].items() if part["minutes"]}
        assert log["minutesAsleep"] == sum(minutes for level, minutes in by_level.items() if level != "wake")
        assert log["levels"]["data"][0]["dateTime"] == log["startTime"]


def test_health_endpoints_and_their_range_limits(demo_server):
    token = connect(demo_server, "kiri")
    today = local_today(get_account("kiri", FROZEN), FROZEN)
    month = today - timedelta(days=29)
    shapes = {
        f"/1/user/-/hrv/date/{month}/{today}.json": ("hrv", "dailyRmssd"),
        f"/1/user/-/br/date/{month}/{today}.json": ("br", "breathingRate"),
        f"/1/user/-/temp/skin/date/{month}/{today}.json": ("tempSkin", "nightlyRelative"),
        f"/1/user/-/cardioscore/date/{month}/{today}.json": ("cardioScore", "vo2Max"),
        f"/1/user/-/activities/active-zone-minutes/date/{month}/{today}.json":
            ("activities-active-zone-minutes", "activeZoneMinutes"),
    }
    for path, (key, field) in shapes.items():
        items = api_get(demo_server, token, path).json()[key]
        assert items and all(field in item["value"] for item in items), path
        assert api_get(demo_server, token, path.replace(str(month), str(month - timedelta(days=1)))).status_code == (
            200 if "active-zone" in path else 400), path
    assert re.fullmatch(r"\d+-\d+", api_get(demo_server, token, f"/1/user/-/cardioscore/date/{today}/{today}.json")
                        .json()["cardioScore"][0]["value"]["vo2Max"])
    spo2 = api_get(demo_server, token, f"/1/user/-/spo2/date/{month}/{today}.json").json()
    assert isinstance(spo2, list) and len(spo2) == 30
    assert {"avg", "min", "max"} <= set(next(item for item in spo2 if "value" in item)["value"])
    # A night without sleep has its date alone.
    assert [item["dateTime"] for item in spo2 if "value" not in item] == [
        item["dateTime"] for item in spo2 if daily_values("kiri", date.fromisoformat(item["dateTime"]))["sleep"] is None]
    fat = api_get(demo_server, token, f"/1/user/-/body/fat/date/{month}/{today}.json").json()["body-fat"]
    weights = api_get(demo_server, token, f"/1/user/-/body/weight/date/{month}/{today}.json").json()["body-weight"]
    assert [row["dateTime"] for row in fat] == [row["dateTime"] for row in weights]
    assert api_get(demo_server, token, f"/1/user/-/body/log/fat/date/{today - timedelta(days=31)}/{today}.json"
                   ).status_code == 400
