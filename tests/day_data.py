"""A realistic day of detail for tests: minute series, a staged night, a nap and a walk, stored through
fitlink's own store functions (tests/test_day.py, tests/browser/test_day_page.py)."""

from datetime import date, datetime, timedelta

from fitlink.extensions import db
from fitlink.sources import DayValue, MinuteSeries, SleepSession, SleepStage, Workout
from fitlink.sync.store import replace_sleep, replace_workouts, save_days, save_series

ARCHIVE = "fitbit_archive"


def heart_values(day: date, skip=range(0)) -> dict[int, float]:
    """A whole day of minute heart rate: low at night, a workout peak at 17:05-17:35."""
    values = {}
    for minute in range(1440):
        if minute in skip:
            continue
        if 1025 <= minute < 1055:
            values[minute] = 140 + minute % 7
        elif minute < 420:
            values[minute] = 55 + minute % 5
        else:
            values[minute] = 70 + (minute * 7 + day.day) % 23
    return values


def steps_values(skip=range(0)) -> dict[int, int]:
    """Steps in the waking hours, a walk at 17:05."""
    return {minute: (100 if 1025 <= minute < 1055 else (minute * 13) % 40)
            for minute in range(420, 1320) if minute not in skip}


def night(day: date) -> SleepSession:
    """A staged night 23:10 the day before to 06:55:30, with two short wakes over light sleep."""
    start = datetime.combine(day - timedelta(days=1), datetime.min.time()) + timedelta(hours=23, minutes=10)
    plan = [("wake", 990), ("light", 3600), ("deep", 3000), ("light", 2400), ("rem", 1800), ("light", 5400),
            ("deep", 1800), ("rem", 2400), ("light", 3600), ("wake", 600), ("light", 2340)]
    stages, at = [], start
    for level, seconds in plan:
        stages.append(SleepStage(at, seconds, level))
        at += timedelta(seconds=seconds)
    # Inside the second "light" stretch (starts 990+3600+3000 s after start) and inside the last one.
    wakes = (SleepStage(start + timedelta(seconds=7590 + 600), 60, "wake"),
             SleepStage(at - timedelta(seconds=300), 90, "wake"))
    return SleepSession(start, at, True, "stages", 421, tuple(stages), wakes)


def nap(day: date) -> SleepSession:
    """A classic (no stages) nap 14:00-14:40."""
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=14)
    stages = (SleepStage(start, 1800, "asleep"), SleepStage(start + timedelta(seconds=1800), 300, "restless"),
              SleepStage(start + timedelta(seconds=2100), 300, "awake"))
    return SleepSession(start, start + timedelta(seconds=2400), False, "classic", 30, stages)


def walk(day: date) -> Workout:
    return Workout(datetime.combine(day, datetime.min.time()) + timedelta(hours=17, minutes=5), 1830, "Walk",
                   152, 2.4, 112, 3120, {"Fat Burn": 20})


def stage_summary(session: SleepSession) -> dict[str, float]:
    """What Fitbit's summary says: each level's minutes, the short wakes counted as wake."""
    totals: dict[str, float] = {}
    for stage in session.stages:
        totals[stage.level] = totals.get(stage.level, 0) + stage.seconds / 60
    for wake in session.short_wakes:
        totals["light"] -= wake.seconds / 60
        totals["wake"] += wake.seconds / 60
    return totals


def fill_day(app, uid: int, day: date, source: str = ARCHIVE, heart=None, steps=None, sleeps=None,
             workouts=None) -> dict:
    """Store a full day through the store's own functions; return what was stored."""
    heart = heart_values(day) if heart is None else heart
    steps = steps_values() if steps is None else steps
    calories = {minute: 1.25 + (steps.get(minute, 0) / 100) for minute in heart}
    sleeps = [night(day)] if sleeps is None else sleeps
    workouts = [walk(day)] if workouts is None else workouts
    with app.app_context():
        save_series(uid, source, [MinuteSeries("heart_rate", day, heart), MinuteSeries("steps", day, steps),
                                  MinuteSeries("calories", day, calories)])
        replace_sleep(uid, source, day, day, sleeps)
        replace_workouts(uid, source, day, day, workouts)
        save_days(uid, source, "steps", [DayValue(day, sum(steps.values()))])
        save_days(uid, source, "resting_heart_rate", [DayValue(day, 56)])
        save_days(uid, source, "hrv", [DayValue(day, 41.5, {"device": "Charge 6"})])
        if sleeps:
            main = next((s for s in sleeps if s.main), sleeps[0])
            save_days(uid, source, "sleep", [DayValue(day, main.minutes_asleep, {"stages": stage_summary(main)})])
        db.session.commit()
    return {"heart": heart, "steps": steps, "calories": calories, "sleeps": sleeps, "workouts": workouts}
