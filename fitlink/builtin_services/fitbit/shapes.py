"""Turn daily values into the JSON shapes of the Fitbit Web API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..common.accounts import Account

KM_PER_MILE = 1.609344
LB_PER_KG = 2.20462262
GOALS = {"steps": 10000, "distance": 8.05, "caloriesOut": 2500, "activeMinutes": 30, "floors": 10}
ZERO_DAY = {
    "steps": 0, "distance": 0.0, "calories": 0, "activityCalories": 0, "floors": 0,
    "elevation": 0.0, "minutesSedentary": 1440, "minutesLightlyActive": 0,
    "minutesFairlyActive": 0, "minutesVeryActive": 0, "restingHeartRate": None,
    "sleep": None, "weight": None,
}


def convert(values: dict, units: str) -> dict:
    """Return the values in US units when units is "en_US", else unchanged (metric)."""
    if units != "en_US":
        return values
    weight = values["weight"] and values["weight"] | {
        "weight": round(values["weight"]["weight"] * LB_PER_KG, 1)}
    return values | {"distance": round(values["distance"] / KM_PER_MILE, 2),
                     "elevation": round(values["elevation"] / 0.3048, 2), "weight": weight}


def profile(account: Account, now: datetime, avatar: str) -> dict:
    """Return the profile document of an account."""
    offset = now.astimezone(ZoneInfo(account.timezone)).utcoffset() or timedelta(0)
    return {"user": {
        "encodedId": account.encoded_id, "displayName": account.display_name,
        "fullName": account.full_name, "avatar": avatar, "avatar150": avatar,
        "timezone": account.timezone, "offsetFromUTCMillis": int(offset.total_seconds() * 1000),
        "memberSince": account.member_since.isoformat(), "distanceUnit": account.distance_unit,
        "weightUnit": account.weight_unit, "strideLengthRunning": 105.0,
        "strideLengthWalking": 75.0, "locale": "en_US" if account.distance_unit == "en_US"
        else "en_GB",
    }}


def series(resource: str, days: list[tuple[date, dict]]) -> dict:
    """Return an activity time series; values are strings, as Fitbit sends them."""
    return {f"activities-{resource}": [
        {"dateTime": day.isoformat(), "value": str(values[resource])} for day, values in days]}


def heart_zones(values: dict) -> list[dict]:
    """Return the day's minutes in the four heart rate zones."""
    very, fairly = values["minutesVeryActive"], values["minutesFairlyActive"]
    peak, cardio = very // 4, very - very // 4 + fairly // 3
    fat_burn = fairly - fairly // 3 + values["minutesLightlyActive"] // 5
    zones = [("Out of Range", 30, 99, 1440 - peak - cardio - fat_burn, 1.1),
             ("Fat Burn", 99, 139, fat_burn, 6.4), ("Cardio", 139, 169, cardio, 9.7),
             ("Peak", 169, 220, peak, 12.2)]
    return [{"name": name, "min": low, "max": high, "minutes": minutes,
             "caloriesOut": round(minutes * rate, 2)} for name, low, high, minutes, rate in zones]


def summary(values: dict) -> dict:
    """Return the daily activity summary document."""
    body = {
        "steps": values["steps"], "caloriesOut": values["calories"],
        "activityCalories": values["activityCalories"], "floors": values["floors"],
        "elevation": values["elevation"],
        "distances": [{"activity": "total", "distance": values["distance"]},
                      {"activity": "tracker", "distance": values["distance"]}],
        "veryActiveMinutes": values["minutesVeryActive"],
        "fairlyActiveMinutes": values["minutesFairlyActive"],
        "lightlyActiveMinutes": values["minutesLightlyActive"],
        "sedentaryMinutes": values["minutesSedentary"], "heartRateZones": heart_zones(values),
    }
    if values["restingHeartRate"] is not None:
        body["restingHeartRate"] = values["restingHeartRate"]
    return {"activities": [], "goals": GOALS, "summary": body}


def heart(days: list[tuple[date, dict]]) -> dict:
    """Return the heart rate series; restingHeartRate only on days that have it."""
    items = []
    for day, values in days:
        value = {"customHeartRateZones": [], "heartRateZones": heart_zones(values)}
        if values["restingHeartRate"] is not None:
            value["restingHeartRate"] = values["restingHeartRate"]
        items.append({"dateTime": day.isoformat(), "value": value})
    return {"activities-heart": items}


def weight_logs(days: list[tuple[date, dict]], account: Account) -> dict:
    """Return the weight log entries of the days with a weighing."""
    entries = []
    for day, values in days:
        if values["weight"]:
            weight = values["weight"]
            stamp = datetime.fromisoformat(f"{day.isoformat()}T{weight['time']}").replace(
                tzinfo=ZoneInfo(account.timezone))
            entries.append({"date": day.isoformat(), "time": weight["time"],
                            "weight": weight["weight"], "bmi": weight["bmi"],
                            "logId": int(stamp.timestamp()) * 1000, "source": "Aria"})
    return {"weight": entries}


def weight_series(days: list[tuple[date, dict]]) -> dict:
    """Return the body-weight series of the days with a weighing; values are strings."""
    return {"body-weight": [{"dateTime": day.isoformat(), "value": str(v["weight"]["weight"])}
                            for day, v in days if v["weight"]]}
