"""The day page and its JSON: shape, values, time zones, precedence, isolation and a fixed query count."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from helpers import count_statements, signup, table_rows
from fitlink import clock
from fitlink.archive.importer import ensure_connection
from fitlink.extensions import db
from fitlink.models import User
from fitlink.sources import DayValue
from fitlink.sync.store import save_days
from day_data import ARCHIVE, fill_day as fill, heart_values, nap, night, stage_summary, steps_values, walk

# Every test runs at this instant: 2026-11-27 in Honolulu, already 2026-11-28 on Kiritimati.
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 20)
FITBIT = "fitbit"


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.freeze(NOW)


def person(app, client, email="ada@example.org", tz="America/Los_Angeles") -> int:
    """Sign up through the form; give the person an archive connection in tz; return their id."""
    signup(client, email)
    with app.app_context():
        uid = db.session.execute(select(User.id).filter_by(email=email)).scalar_one()
        ensure_connection(uid).timezone = tz
        db.session.commit()
        return uid


def fill_day(app, uid: int, day: date = DAY, **kwargs) -> dict:
    return fill(app, uid, day, **kwargs)


def test_the_json_has_exactly_the_documented_shape(app, client):
    uid = person(app, client)
    fill_day(app, uid)
    body = client.get(f"/day/{DAY}.json").get_json()
    assert list(body) == ["date", "timezone", "daily", "series", "sleep", "exercises"]
    assert body["date"] == "2026-11-20" and body["timezone"] == "America/Los_Angeles"
    assert body["daily"]["steps"] == {"value": sum(steps_values().values()), "unit": "steps", "source": ARCHIVE}
    assert body["daily"]["hrv"] == {"value": 41.5, "unit": "ms", "source": ARCHIVE}
    assert set(body["series"]) == {"steps", "heart_rate", "calories"}
    for metric, unit in (("steps", "steps"), ("heart_rate", "bpm"), ("calories", "kcal")):
        series = body["series"][metric]
        assert list(series) == ["unit", "interval_s", "points"]
        assert series["unit"] == unit and series["interval_s"] == 60
        assert all(len(point) == 2 and 0 <= point[0] < 1440 for point in series["points"])
    (sleep,) = body["sleep"]
    assert list(sleep) == ["start", "end", "main", "type", "minutes_asleep", "stages"]
    assert sleep["start"] == "2026-11-19T23:10:00" and sleep["main"] is True and sleep["type"] == "stages"
    assert sleep["minutes_asleep"] == 421
    assert sleep["stages"][0] == {"start": "2026-11-19T23:10:00", "seconds": 990, "level": "wake"}
    assert body["exercises"] == [{"start": "2026-11-20T17:05:00", "seconds": 1830, "type": "Walk", "calories": 152,
                                  "distance_km": 2.4, "average_heart_rate": 112, "steps": 3120}]


def test_values_hourly_steps_heart_rate_points_and_stage_minutes(app, client):
    uid = person(app, client)
    stored = fill_day(app, uid)
    body = client.get(f"/day/{DAY}.json").get_json()
    assert {m: v for m, v in body["series"]["heart_rate"]["points"]} == stored["heart"]
    assert {m: v for m, v in body["series"]["steps"]["points"]} == stored["steps"]
    calories = {m: v for m, v in body["series"]["calories"]["points"]}
    assert calories == pytest.approx(stored["calories"], abs=0.05 + 1e-9)  # kept to the tenth of a kcal
    # The page's hourly bars (its table) add up to the day's steps.
    html = client.get(f"/day/{DAY}").text
    hours = table_rows(html, "hours")
    assert len(hours) == 24
    assert sum(int(row[1].replace(",", "")) for row in hours) == body["daily"]["steps"]["value"]
    assert sum(int(row[1].replace(",", "")) for row in hours[7:8]) == sum(v for m, v in stored["steps"].items()
                                                                         if 420 <= m < 480)
    # Stage minutes, short wakes laid over the long stretches, equal the log's summary.
    totals: dict[str, float] = {}
    for stage in body["sleep"][0]["stages"]:
        totals[stage["level"]] = totals.get(stage["level"], 0) + stage["seconds"] / 60
    assert totals == pytest.approx(stage_summary(stored["sleeps"][0]))
    assert sum(s["seconds"] for s in body["sleep"][0]["stages"]) == sum(s.seconds for s in stored["sleeps"][0].stages)
    # The zones' minutes count every minute with a heart rate once.
    zones = table_rows(html, "zones")
    assert sum(int(row[2].replace(",", "")) for row in zones) == len(stored["heart"])


def test_a_day_with_a_nap_a_main_sleep_and_a_workout(app, client):
    uid = person(app, client)
    fill_day(app, uid, sleeps=[night(DAY), nap(DAY)])
    body = client.get(f"/day/{DAY}.json").get_json()
    assert [(s["main"], s["type"], s["start"][11:16]) for s in body["sleep"]] == [(True, "stages", "23:10"),
                                                                                (False, "classic", "14:00")]
    assert [s["level"] for s in body["sleep"][1]["stages"]] == ["asleep", "restless", "awake"]
    assert len(body["exercises"]) == 1
    html = client.get(f"/day/{DAY}").text
    assert "Main sleep: 7 h 1 min asleep" in html and "Nap: 30 min asleep" in html
    assert "23:10 the day before to 06:55." in html
    # The night is drawn whole, with its heart rate: before midnight too once the day before is stored.
    assert "Heart rate through this sleep: lowest 55, average 57, highest 59 bpm." in html
    fill_day(app, uid, DAY - timedelta(days=1), sleeps=[], workouts=[])
    before = heart_values(DAY - timedelta(days=1))
    evening = [before[m] for m in range(23 * 60 + 10, 1440)]
    html = client.get(f"/day/{DAY}").text
    assert "lowest 55, average" in html and f"highest {max(evening)} bpm." in html
    assert html.count('class="night"') == 2
    (workout,) = table_rows(html, "workouts")
    assert workout == ["Walk", "17:05", "30 min", "2.40 km", "152 kcal", "112 bpm", "3,120"]
    assert 'class="workout"' in html and "stage stage-restless" in html and "stage stage-deep" in html


def test_a_spring_forward_day_has_1380_wall_clock_minutes(app, client):
    uid = person(app, client, tz="America/Los_Angeles")
    day = date(2026, 3, 8)  # clocks go from 02:00 to 03:00 in Los Angeles
    skipped = range(120, 180)
    heart = heart_values(day, skip=skipped)
    fill_day(app, uid, day, heart=heart, sleeps=[], workouts=[])
    body = client.get(f"/day/{day}.json").get_json()
    minutes = [m for m, _ in body["series"]["heart_rate"]["points"]]
    assert len(minutes) == 1380 and not any(120 <= m < 180 for m in minutes)
    assert minutes == sorted(minutes) and minutes[-1] == 1439
    html = client.get(f"/day/{day}").text
    assert "this day had 23 hours, clocks went forward" in html
    assert 'class="skipped"' in html and "The shaded hour, 02:00 to 03:00, did not exist" in html
    line = re.search(r'class="heart-line" d="([^"]+)"', html)[1]
    xs = [float(x) for x in re.findall(r"[ML]([0-9.]+) ", line)]
    assert len(xs) == 1380 and not any(120 < x < 180 for x in xs) and "M180.5 " in line  # broken over the gap
    # A day without a change is drawn without a skipped hour.
    assert 'class="skipped"' not in client.get(f"/day/{DAY}").text


def test_the_day_clocks_go_back_has_25_hours_and_merged_minutes(app, client):
    uid = person(app, client, tz="America/Los_Angeles")
    day = date(2026, 11, 1)  # 01:00-01:59 happens twice in Los Angeles: the source merged each minute's two readings
    fill_day(app, uid, day, sleeps=[], workouts=[])
    body = client.get(f"/day/{day}.json").get_json()
    minutes = [m for m, _ in body["series"]["heart_rate"]["points"]]
    assert minutes == list(range(1440))
    html = client.get(f"/day/{day}").text
    assert "this day had 25 hours, clocks went back" in html and 'class="skipped"' not in html


@pytest.mark.parametrize("tz, today", [("Pacific/Kiritimati", date(2026, 11, 28)),
                                       ("Pacific/Honolulu", date(2026, 11, 27))])
def test_people_far_east_and_far_west_see_their_own_local_date(app, client, tz, today):
    uid = person(app, client, tz=tz)
    fill_day(app, uid, today)
    body = client.get(f"/day/{today}.json").get_json()
    assert body["timezone"] == tz and body["date"] == today.isoformat()
    assert len(body["series"]["heart_rate"]["points"]) == 1440
    page = client.get(f"/day/{today}")
    assert page.status_code == 200 and "This is today" in page.text and 'rel="next"' not in page.text
    assert f'rel="prev" accesskey="p" href="/day/{today - timedelta(days=1)}"' in page.text
    tomorrow = today + timedelta(days=1)
    assert client.get(f"/day/{tomorrow}").status_code == 404
    assert client.get(f"/day/{tomorrow}.json").status_code == 404
    assert client.get("/day").headers["Location"] == f"/day/{today}"


def test_the_better_ranked_source_is_shown_for_each_kind_of_detail(app, client):
    uid = person(app, client)
    fill_day(app, uid, source=ARCHIVE)
    live_heart = {minute: 99 for minute in range(600, 660)}
    fill_day(app, uid, source=FITBIT, heart=live_heart, steps={600: 5}, sleeps=[nap(DAY)], workouts=[])
    body = client.get(f"/day/{DAY}.json").get_json()
    assert body["series"]["heart_rate"]["points"] == [[m, 99] for m in range(600, 660)]
    assert body["series"]["steps"]["points"] == [[600, 5]]
    assert body["daily"]["steps"] == {"value": 5, "unit": "steps", "source": FITBIT}
    # Fitbit has a nap that day, so its sleep is shown, not the archive's night; it has no workout,
    # so the archive's walk is.
    assert [s["main"] for s in body["sleep"]] == [False]
    assert [e["type"] for e in body["exercises"]] == ["Walk"]
    html = client.get(f"/day/{DAY}").text
    assert "Minute data from Fitbit (steps), Fitbit (heart rate), Fitbit (calories)" in html


def test_nobody_sees_another_persons_day_and_logged_out_sees_nothing(app, client):
    ada = person(app, client, "ada@example.org")
    fill_day(app, ada)
    other = app.test_client()
    person(app, other, "bob@example.org", tz="Europe/Berlin")
    body = other.get(f"/day/{DAY}.json").get_json()
    assert body["timezone"] == "Europe/Berlin"
    assert body["daily"] == {} and body["sleep"] == [] and body["exercises"] == []
    assert all(series["points"] == [] for series in body["series"].values())
    html = other.get(f"/day/{DAY}").text
    assert "Nothing recorded through this day." in html and "Walk" not in html
    anonymous = app.test_client()
    answer = anonymous.get(f"/day/{DAY}.json")
    assert answer.status_code == 401 and answer.get_json() == {"error": "Log in to see your days."}
    page = anonymous.get(f"/day/{DAY}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_page_draws_the_timeline_with_its_tables(app, client):
    uid = person(app, client)
    fill_day(app, uid, sleeps=[night(DAY), nap(DAY)])
    page = client.get(f"/day/{DAY}")
    html = page.text
    assert page.status_code == 200 and "<main" in html
    assert html.count("<svg") == 3 and html.count('viewBox="0 0 1440 174"') == 1 and html.count('role="img"') == 3
    for css in ("heart-line", "heart-band", "night-heart", "bar-steps", "zone zone-cardio", "stage stage-light"):
        assert f'class="{css}"' in html
    assert "The day as a table" in html and "Main sleep stages as a table" in html
    numbers = {row[0]: row for row in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
                                      for r in re.findall(r"<tr data-metric[^>]*>(.*?)</tr>", html, re.S))}
    assert numbers["Heart rate variability"][1] == "41.5 ms"
    assert numbers["Heart rate variability"][2].split()[:5] == ["Fitbit", "archive", "·", "Charge", "6"]
    assert "today 12:00" in numbers["Heart rate variability"][2]  # stored at NOW: 12:00 in Los Angeles
    assert numbers["Steps"][1] == f"{sum(steps_values().values()):,}"
    assert "Zones: Fitbit&#39;s heart-rate-reserve formula" in html and "resting heart rate of 56 bpm" in html
    assert f'href="/day/{DAY - timedelta(days=1)}"' in html and f'href="/day/{DAY + timedelta(days=1)}"' in html
    assert 'type="date"' in html and f'value="{DAY}"' in html
    assert client.get(f"/day?date={DAY}").headers["Location"] == f"/day/{DAY}"


@pytest.mark.parametrize("path", ["/day/2026-13-01", "/day/yesterday", "/day/1999-12-31", "/day/2026-1-05",
                                  "/day/2027-11-20", "/day?date=20261120", "/day/20261120"])
def test_bad_and_far_dates_are_not_found(app, client, path):
    person(app, client)
    page = client.get(path)
    assert page.status_code == 404 and "Not Found" in page.text
    if not path.startswith("/day?"):
        assert client.get(path + ".json").status_code == 404


def test_the_dashboards_today_heading_links_to_todays_page(app, client):
    person(app, client, tz="Pacific/Kiritimati")
    html = client.get("/dashboard").text
    assert re.search(r'<h2 id="today-title"><a href="/day/[0-9-]+">', html)


def test_a_full_day_and_an_empty_day_take_the_same_number_of_queries(app, client):
    uid = person(app, client)
    fill_day(app, uid, sleeps=[night(DAY), nap(DAY)], workouts=[walk(DAY), walk(DAY)])
    fill_day(app, uid, source=FITBIT)  # a second source of everything too
    empty = DAY - timedelta(days=30)
    client.get(f"/day/{empty}")  # the first request after signing up may write the session
    for suffix in ("", ".json"):
        full = count_statements(app, client, f"/day/{DAY}{suffix}")
        assert full == count_statements(app, client, f"/day/{empty}{suffix}")
        # Session, user; then the day's own: connections, daily values, minute series, sleep, workouts.
        assert full <= 7


def test_zones_are_the_sources_when_it_gives_them(app, client):
    uid = person(app, client)
    fill_day(app, uid)
    zones = [{"name": "Out of Range", "min": 30, "max": 97}, {"name": "Fat Burn", "min": 97, "max": 135},
             {"name": "Cardio", "min": 135, "max": 164}, {"name": "Peak", "min": 164, "max": 220}]
    with app.app_context():
        save_days(uid, ARCHIVE, "resting_heart_rate", [DayValue(DAY, 56, {"heart_rate_zones": zones})])
        db.session.commit()
    html = client.get(f"/day/{DAY}").text
    assert "Zones: the zones your source gave for this day." in html
    rows = table_rows(html, "zones")
    # The walk's 30 minutes at 140-146 bpm are cardio; the rest of the day is below the zones.
    assert rows == [["Below zones", "under 97 bpm", "1410"], ["Fat burn", "97–134 bpm", "0"],
                    ["Cardio", "135–163 bpm", "30"], ["Peak", "164 bpm and over", "0"]]
    assert "Counted from the minute heart rate." in html


def test_the_sources_own_minutes_in_its_zones_are_shown_when_it_gives_them(app, client):
    """Fitbit's heartRateZones carry the day's minutes in each zone: the page shows those, as the Fitbit app does,
    not fitlink's count from the minute series (which misses the minutes the tracker was not worn)."""
    uid = person(app, client)
    fill_day(app, uid)
    zones = [{"name": "Out of Range", "min": 30, "max": 97, "minutes": 1322}, {"name": "Fat Burn", "min": 97,
             "max": 135, "minutes": 81}, {"name": "Cardio", "min": 135, "max": 164, "minutes": 33},
             {"name": "Peak", "min": 164, "max": 220, "minutes": 4}]
    with app.app_context():
        save_days(uid, ARCHIVE, "resting_heart_rate", [DayValue(DAY, 56, {"heart_rate_zones": zones})])
        db.session.commit()
    html = client.get(f"/day/{DAY}").text
    assert "As your source counted them. Zones: the zones your source gave for this day." in html
    assert table_rows(html, "zones") == [["Below zones", "under 97 bpm", "1322"], ["Fat burn", "97–134 bpm", "81"],
                                         ["Cardio", "135–163 bpm", "33"], ["Peak", "164 bpm and over", "4"]]
    # One zone without its minutes: the source's count is not whole, so fitlink counts the series.
    del zones[2]["minutes"]
    with app.app_context():
        save_days(uid, ARCHIVE, "resting_heart_rate", [DayValue(DAY, 56, {"heart_rate_zones": zones})])
        db.session.commit()
    assert table_rows(client.get(f"/day/{DAY}").text, "zones")[2] == ["Cardio", "135–163 bpm", "30"]
