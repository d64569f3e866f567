"""Demo accounts and the deterministic daily data the demo service serves."""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from fitlink import clock

NAME_PATTERN = re.compile(r"[a-z0-9]{1,30}")
ENCODED_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DERIVED_TIMEZONES = (
    "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata",
    "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Sao_Paulo", "UTC",
)


@dataclass(frozen=True)
class Account:
    """A demo user, with the traits that shape its generated data."""

    name: str
    encoded_id: str
    display_name: str
    full_name: str
    timezone: str
    member_since: date
    distance_unit: str
    weight_unit: str
    base_steps: int
    weekend_factor: float
    long_run_weekday: int | None
    resting_hr: int
    base_weight: float
    height_m: float


# name: (full name, timezone, member days, distance unit, base steps,
#        weekend factor, long-run weekday, resting HR, weight kg, height m)
BUILT_IN = {
    "alex": ("Alex Berger", "Europe/Berlin", 1100, "METRIC", 9000, 1.25, 6, 58, 74.0, 1.80),
    "kiri": ("Kiri Tebano", "Pacific/Kiritimati", 400, "METRIC", 7500, 0.8, None, 63, 68.5, 1.68),
    "sam": ("Sam Rivera", "America/Los_Angeles", 60, "en_US", 11000, 1.0, 5, 55, 81.0, 1.85),
    "noa": ("Noa Faleolo", "Pacific/Pago_Pago", 730, "METRIC", 6000, 1.3, None, 66, 62.0, 1.64),
}


def normalize_name(name: str) -> str:
    """Return the canonical account name, or raise ValueError if it is not one."""
    cleaned = name.strip().lower()
    if not NAME_PATTERN.fullmatch(cleaned):
        raise ValueError("An account name is 1 to 30 letters or digits.")
    return cleaned


def _digest(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def encoded_id_for(name: str) -> str:
    """Return the 6-character Fitbit-style user id for an account name."""
    number, chars = _digest(name), []
    for _ in range(6):
        number, rest = divmod(number, len(ENCODED_ID_ALPHABET))
        chars.append(ENCODED_ID_ALPHABET[rest])
    return "".join(chars)


def _traits(name: str) -> tuple:
    if name in BUILT_IN:
        return BUILT_IN[name]
    rng = random.Random(f"traits:{name}")
    return (
        f"{name.capitalize()} Demo", rng.choice(DERIVED_TIMEZONES), rng.randint(30, 1500),
        "METRIC", rng.randint(5000, 11000), rng.choice((0.8, 1.0, 1.2)),
        rng.choice((None, 5, 6)), rng.randint(54, 66),
        round(rng.uniform(55, 95), 1), round(rng.uniform(1.55, 1.95), 2),
    )


def local_today(account: Account, now: datetime | None = None) -> date:
    """Return today's date in the account's timezone."""
    now = now or clock.now()
    return now.astimezone(ZoneInfo(account.timezone)).date()


def get_account(name: str, now: datetime | None = None) -> Account:
    """Return the demo account with this name (any valid name is an account)."""
    name = normalize_name(name)
    full, tz, days, unit, steps, weekend, run_day, hr, weight, height = _traits(name)
    today = (now or clock.now()).astimezone(ZoneInfo(tz)).date()
    return Account(
        name=name, encoded_id=encoded_id_for(name), display_name=full.split()[0],
        full_name=full, timezone=tz, member_since=today - timedelta(days=days),
        distance_unit=unit, weight_unit=unit, base_steps=steps,
        weekend_factor=weekend, long_run_weekday=run_day, resting_hr=hr,
        base_weight=weight, height_m=height,
    )


def _sleep(rng: random.Random, day: date, weekend: bool) -> dict:
    asleep = rng.randint(300, 480) + (30 if weekend else 0)
    deep = round(asleep * rng.uniform(0.13, 0.2))
    rem = round(asleep * rng.uniform(0.18, 0.25))
    wake = rng.randint(20, 60)
    start = datetime.combine(day - timedelta(days=1), time(22, 0)) + timedelta(
        minutes=rng.randint(0, 100) + (45 if weekend else 0), seconds=rng.choice((0, 30)))
    end = start + timedelta(minutes=asleep + wake)
    return {
        "minutesAsleep": asleep, "minutesAwake": wake, "timeInBed": asleep + wake,
        "efficiency": round(asleep * 100 / (asleep + wake)),
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%S.000"),
        "endTime": end.strftime("%Y-%m-%dT%H:%M:%S.000"),
        "stages": {"deep": deep, "light": asleep - deep - rem, "rem": rem, "wake": wake},
    }


def _weight(rng: random.Random, account: Account, day: date) -> dict:
    drift = 1.5 * math.sin(day.toordinal() / 45) + rng.uniform(-0.4, 0.4)
    kilos = round(account.base_weight + drift, 1)
    clock = time(rng.randint(6, 8), rng.randint(0, 59), rng.randint(0, 59))
    return {"weight": kilos, "bmi": round(kilos / account.height_m**2, 2),
            "time": clock.strftime("%H:%M:%S")}


def _steps(rng: random.Random, account: Account, day: date) -> int:
    factor = account.weekend_factor if day.weekday() >= 5 else 1.0
    steps = account.base_steps * factor * rng.uniform(0.6, 1.35)
    if day.weekday() == account.long_run_weekday:
        steps += rng.randint(6000, 9000)
    if rng.random() < 0.04:  # a lazy or sick day
        steps = rng.randint(2000, 3500)
    return max(2000, min(20000, round(steps)))


def daily_values(account_name: str, day: date) -> dict:
    """Return the values the service serves for this account and local date (a fresh dict to change at will)."""
    return dict(_daily_values(normalize_name(account_name), day))


# A day's values depend on the name and the date alone; an import asks for each day several times (one
# endpoint after another), and seeding a generator from a string is most of their cost. The nested
# dicts (sleep, weight) are shared between callers: read them, copy before changing.
@lru_cache(maxsize=16384)
def _daily_values(account_name: str, day: date) -> dict:
    account = get_account(account_name)
    rng = random.Random(f"{account.name}:{day.isoformat()}")
    weekend = day.weekday() >= 5
    steps = _steps(rng, account, day)
    long_run = day.weekday() == account.long_run_weekday
    very = rng.randint(50, 95) if long_run else rng.randint(0, 35)
    fairly = rng.randint(5, 40)
    lightly = min(330, round(steps / 45) + rng.randint(40, 90))
    sleep = None if rng.random() < 0.1 else _sleep(rng, day, weekend)
    asleep = sleep["minutesAsleep"] if sleep else 0
    bmr = round(account.base_weight * 22.5)
    active = round(steps * 0.04 + very * 7 + fairly * 4 + lightly * 1.5)
    calories = max(1800, min(3500, bmr + active))
    heart = None if rng.random() < 0.08 else account.resting_hr + rng.randint(-3, 3)
    weight = _weight(rng, account, day) if rng.random() < 0.3 else None
    floors = max(0, round(steps / 1000 * rng.uniform(0.4, 1.6)))
    return {
        "steps": steps, "distance": round(steps * 0.00075, 2), "calories": calories,
        "activityCalories": calories - bmr if calories > bmr else 0,
        "floors": floors, "elevation": round(floors * 3.048, 2),
        "minutesSedentary": 1440 - asleep - very - fairly - lightly,
        "minutesLightlyActive": lightly, "minutesFairlyActive": fairly,
        "minutesVeryActive": very, "restingHeartRate": heart,
        "sleep": sleep, "weight": weight,
    }


def with_recorded(values: dict, extra_steps: int) -> dict:
    """Return the day's values with recorded extra steps added on top."""
    if not extra_steps:
        return values
    minutes = min(round(extra_steps / 110), values["minutesSedentary"])
    extra_calories = round(extra_steps * 0.045)
    return values | {
        "steps": values["steps"] + extra_steps,
        "distance": round(values["distance"] + extra_steps * 0.00075, 2),
        "calories": values["calories"] + extra_calories,
        "activityCalories": values["activityCalories"] + extra_calories,
        "minutesLightlyActive": values["minutesLightlyActive"] + minutes,
        "minutesSedentary": values["minutesSedentary"] - minutes,
    }
