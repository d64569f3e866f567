"""Heart-rate zones for a day, and the minutes the minute series spent in each.

Fitbit's default zones come from the heart-rate reserve (Karvonen): with a maximum of
220 minus age and the resting heart rate, fat burn starts at 40%, cardio at 60% and peak
at 85% of the reserve above resting (Fitbit Help, "What should I know about heart-rate
zones?", since Active Zone Minutes in 2020). fitlink is never told the person's age, so the
formula assumes DEFAULT_AGE; when the day's resting heart rate carries the source's own
zones (Fitbit's `heartRateZones`: name, min, max), those are used instead, and the page
says which. Where those carry the minutes spent in each zone too, the page shows the
source's count; otherwise it counts the minute heart rate.
"""

from dataclasses import dataclass

DEFAULT_AGE = 35
DEFAULT_RESTING = 60
ZONE_SHARES = (("fat_burn", "Fat burn", 0.40), ("cardio", "Cardio", 0.60), ("peak", "Peak", 0.85))
SOURCE_NAMES = {"fat burn": "fat_burn", "cardio": "cardio", "peak": "peak"}
FROM_SERIES = "Counted from the minute heart rate"


@dataclass(frozen=True)
class Zone:
    """One zone: from `low` bpm (inclusive) up to the next zone's low."""

    key: str
    name: str
    low: int
    high: int | None  # None: no upper bound


@dataclass(frozen=True)
class Zones:
    """The day's zones, lowest first, and how they were found (for the page to say)."""

    zones: tuple[Zone, ...]
    origin: str

    def zone_of(self, bpm: float) -> str:
        """Return the key of the zone a heart rate falls in ("below" under the lowest)."""
        found = "below"
        for zone in self.zones:
            if bpm >= zone.low:
                found = zone.key
        return found


def _listed(details: dict | None) -> list | None:
    """Return the source's zone list (Fitbit's heartRateZones) from the resting heart rate's details."""
    listed = (details or {}).get("heart_rate_zones") or (details or {}).get("heartRateZones")
    return listed if isinstance(listed, list) else None


def from_source(details: dict | None) -> tuple[Zone, ...] | None:
    """Read the source's zones (Fitbit's heartRateZones list) from the resting heart rate's details."""
    listed = _listed(details)
    if listed is None:
        return None
    found = []
    for item in listed:
        key = SOURCE_NAMES.get(str(item.get("name", "")).lower()) if isinstance(item, dict) else None
        if key and isinstance(item.get("min"), (int, float)):
            found.append((item["min"], key))
    if len(found) != len(SOURCE_NAMES):
        return None
    found.sort()
    names = {key: name for key, name, _ in ZONE_SHARES}
    return tuple(Zone(key, names[key], round(low), round(found[i + 1][0]) if i + 1 < len(found) else None)
                 for i, (low, key) in enumerate(found))


def day_zones(resting: float | None, details: dict | None) -> Zones:
    """Return the source's zones when it gave them, else the heart-rate-reserve formula's."""
    given = from_source(details)
    if given:
        return Zones(given, "the zones your source gave for this day")
    rest = round(resting) if resting else DEFAULT_RESTING
    peak = 220 - DEFAULT_AGE
    lows = [round(rest + share * (peak - rest)) for _, _, share in ZONE_SHARES]
    zones = tuple(Zone(key, name, lows[i], lows[i + 1] if i + 1 < len(lows) else None)
                  for i, (key, name, _) in enumerate(ZONE_SHARES))
    rest_text = f"your resting heart rate of {rest} bpm" if resting else f"a resting heart rate of {rest} bpm"
    return Zones(zones, f"Fitbit's heart-rate-reserve formula, with a maximum of 220 − {DEFAULT_AGE} "
                        f"(fitlink does not know your age) and {rest_text}")


def zone_minutes(values: dict[int, float], zones: Zones) -> dict[str, int]:
    """Count the minutes with a heart rate in each zone ("below": under the lowest)."""
    counts = {"below": 0, **{zone.key: 0 for zone in zones.zones}}
    for bpm in values.values():
        counts[zones.zone_of(bpm)] += 1
    return counts


def given_minutes(details: dict | None) -> dict[str, int] | None:
    """Return the minutes the source counted in each of its zones ("below": Out of Range), as Fitbit's
    heartRateZones give them with their bounds; None unless every zone has its minutes."""
    if from_source(details) is None:
        return None
    found = {}
    for item in _listed(details):
        name = str(item.get("name", "")).lower() if isinstance(item, dict) else ""
        key = "below" if name == "out of range" else SOURCE_NAMES.get(name)
        if key and isinstance(item.get("minutes"), (int, float)):
            found[key] = round(item["minutes"])
    return found if len(found) == len(SOURCE_NAMES) + 1 else None


def counted(values: dict[int, float], zones: Zones, details: dict | None) -> tuple[dict[str, int], str]:
    """Return the minutes in each zone and how they were counted: the source's own count where it gave one
    (the whole day's, as the Fitbit app shows it), else fitlink's from the minute heart rate."""
    given = given_minutes(details)
    if given is not None:
        return given, "As your source counted them"
    return zone_minutes(values, zones), FROM_SERIES
