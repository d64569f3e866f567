"""The packed minute series: what goes in comes out, and a day stays small."""

import random

import pytest

from fitlink.minutes import pack, unpack


def realistic_day(seed: int) -> dict[str, dict[int, float]]:
    """A day of minute heart rate (a wandering pulse, off the wrist for an hour), steps and calories."""
    rng = random.Random(seed)
    heart, pulse = {}, 62.0
    for minute in range(1440):
        pulse = min(max(pulse + rng.gauss(0, 1.5), 45), 175)
        if not 600 <= minute < 660:
            heart[minute] = round(pulse)
    steps = {m: (rng.randint(60, 120) if rng.random() < 0.15 and 420 <= m < 1320 else 0) for m in range(1440)}
    calories = {m: round(1.1 + steps[m] * 0.04, 2) for m in range(1440)}
    return {"heart_rate": heart, "steps": steps, "calories": calories}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_comes_back_as_it_went_in_and_takes_under_two_kilobytes(seed):
    day = realistic_day(seed)
    packed = {metric: pack(metric, values) for metric, values in day.items()}
    assert unpack("heart_rate", packed["heart_rate"]) == day["heart_rate"]
    assert unpack("steps", packed["steps"]) == day["steps"]
    # Calories come back to the tenth of a kcal.
    assert unpack("calories", packed["calories"]) == {m: round(v, 1) for m, v in day["calories"].items()}
    assert sum(len(data) for data in packed.values()) < 2048


def test_missing_minutes_stay_missing_and_big_jumps_survive():
    values = {0: 0, 1: 250, 2: 3, 1439: 40000}
    assert unpack("steps", pack("steps", values)) == values
    assert unpack("heart_rate", pack("heart_rate", {})) == {}


def test_minutes_outside_the_day_are_dropped():
    assert unpack("steps", pack("steps", {-1: 5, 1440: 7, 3: 9})) == {3: 9}


def test_garbage_is_refused():
    with pytest.raises(ValueError):
        unpack("steps", b"\x07nonsense")
