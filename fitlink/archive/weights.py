"""The unit of each weigh-in, decided from the record itself: its BMI and the person's height.

fitbit-archive.md (corrected 2026-12-02): the JSON `weight` is in pounds in
every real export read, also for accounts whose Profile.csv says METRIC (a
METRIC account's JSON says 164.9 where its weight.csv says 74,840 g); the
doc's earlier version, and several public importers, take it in the
profile's unit. Both exist in the wild, so fitlink asks the record: BMI is
kg / m², so with the height the weight's unit follows; without a height, the
unit whose implied height is a human one; with neither, pounds.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

KG_PER_LB = 0.45359237
KG_PER_STONE = 6.35029318
UNITS = {"kg": 1.0, "lb": KG_PER_LB, "st": KG_PER_STONE}
UNIT_WORDS = {"kg": "kilograms", "lb": "pounds", "st": "stones"}
# Heights an adult's BMI and weight can imply (metres); outside them a unit is implausible.
HUMAN_HEIGHT = (1.2, 2.3)


def unit_of(weight: float, bmi: float | None, height_m: float | None) -> tuple[str, str]:
    """Return the unit of one weigh-in ("kg", "lb", "st") and how it was decided."""
    if not bmi or bmi <= 0 or weight <= 0:
        return "lb", "default"
    if height_m:
        implied_kg = bmi * height_m ** 2
        # The unit whose conversion lands nearest the weight BMI and height imply (on a log scale).
        unit = min(UNITS, key=lambda name: abs(math.log(weight * UNITS[name] / implied_kg)))
        return unit, "height"
    plausible = [name for name in ("lb", "kg") if HUMAN_HEIGHT[0] <= math.sqrt(weight * UNITS[name] / bmi)
                 <= HUMAN_HEIGHT[1]]
    return (plausible[0], "bmi") if len(plausible) == 1 else ("lb", "default")


@dataclass
class Units:
    """Which units the weigh-ins were found in, for the report."""

    counts: Counter = field(default_factory=Counter)

    def to_kg(self, weight: float, bmi: float | None, height_m: float | None) -> float:
        unit, _ = unit_of(weight, bmi, height_m)
        self.counts[unit] += 1
        return weight * UNITS[unit]

    def describe(self) -> str | None:
        if not self.counts:
            return None
        found = ", ".join(f"{count:,} in {UNIT_WORDS[unit]}" for unit, count in self.counts.most_common())
        return (f"Weigh-ins: {found} (each decided from its BMI and your height; pounds where "
                "the record cannot tell).")
