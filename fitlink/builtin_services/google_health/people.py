"""Who a demo account is to Google Health: identity, settings and profile."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from zoneinfo import ZoneInfo

from ..common.accounts import Account

from .catalog import ACTIVITY
from .times import date_json, offset


def health_user_id(name: str) -> str:
    """Return the account's healthUserId: 18 digits, stable for a name."""
    number = int.from_bytes(hashlib.sha256(f"google-health:{name}".encode()).digest()[:8], "big")
    return str(10**17 + number % (9 * 10**17))


def identity(account: Account) -> dict:
    """Return the Identity; legacyUserId is the account's id on the demo Fitbit service."""
    return {"name": "users/me/identity", "healthUserId": health_user_id(account.name),
            "legacyUserId": account.encoded_id}


def settings(account: Account, now: datetime) -> dict:
    """Return the Settings: time zone, its current offset and the units."""
    us = account.distance_unit == "en_US"
    return {
        "name": f"users/{health_user_id(account.name)}/settings",
        "timeZone": account.timezone, "utcOffset": offset(now.astimezone(
            ZoneInfo(account.timezone))),
        "distanceUnit": "DISTANCE_UNIT_MILES" if us else "DISTANCE_UNIT_KILOMETERS",
        "weightUnit": "WEIGHT_UNIT_POUNDS" if us else "WEIGHT_UNIT_KILOGRAMS",
        "heightUnit": "HEIGHT_UNIT_INCHES" if us else "HEIGHT_UNIT_CENTIMETERS",
        "temperatureUnit": "TEMPERATURE_UNIT_FAHRENHEIT" if us else "TEMPERATURE_UNIT_CELSIUS",
        "waterUnit": "WATER_UNIT_FL_OZ" if us else "WATER_UNIT_ML",
        "swimUnit": "SWIM_UNIT_YARDS" if us else "SWIM_UNIT_METERS",
        "glucoseUnit": "GLUCOSE_UNIT_MG_DL", "languageLocale": "en_US" if us else "en_GB",
        "autoStrideEnabled": True, "strideLengthWalkingType": "STRIDE_LENGTH_TYPE_AUTO",
        "strideLengthRunningType": "STRIDE_LENGTH_TYPE_AUTO",
    }


def profile(account: Account, granted: set[str]) -> dict:
    """Return the Profile; stride lengths only with the activity scope (discovery document)."""
    body = {"name": f"users/{health_user_id(account.name)}/profile",
            "age": random.Random(f"age:{account.name}").randint(22, 68),
            "membershipStartDate": date_json(account.member_since)}
    if ACTIVITY in granted:
        walking = round(account.height_m * 415)
        body |= {"autoWalkingStrideLengthMm": walking,
                 "autoRunningStrideLengthMm": round(walking * 1.4)}
    return body
