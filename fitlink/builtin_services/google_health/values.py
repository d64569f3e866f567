"""Convert the shared accounts' daily values to the Google Health API's units."""

from __future__ import annotations


def daily_amounts(values: dict) -> dict:
    """Return a day's amounts in Google's units: millimeters, grams, kcal, minutes by level."""
    weight = values["weight"]
    return {
        "steps": values["steps"], "floors": values["floors"],
        "millimeters": round(values["distance"] * 1_000_000), "kcal": values["calories"],
        "LIGHT": values["minutesLightlyActive"], "MODERATE": values["minutesFairlyActive"],
        "VIGOROUS": values["minutesVeryActive"], "bpm": values["restingHeartRate"],
        "grams": round(weight["weight"] * 1000, 1) if weight else None,
    }
