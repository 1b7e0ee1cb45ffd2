"""Sickness absence with Dutch patterns: many short spells, a long tail.

New spells start at about 1.4 per person-year (meldingsfrequentie), scaled per person-month
by ``exp(k·stress - k²/2)`` with ``k = stress_to_absence`` (the planted effect; the average
rate is the same without it). Durations (calendar days) mix short spells (65 %, 1–7 days,
mostly infections), medium ones (25 %, 8–42 days) and long ones (10 %, 43 days to two years,
mostly psychological or musculoskeletal; 30 % of them with partial recovery, fraction 0.5).
That gives a verzuimpercentage of about 5 %. Spells of one person do not overlap, end at the
latest the day before the person leaves, and run on (no end date) past the end of the data.
A year of history before the first month is generated too, so long spells are in progress
when the data starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keizer.demo.climate import Climate
from keizer.demo.people import People
from keizer.demo.spec import DemoSpec, stream

SPELLS_PER_YEAR = 1.4
BURN_IN_MONTHS = 12
REASONS = np.array(["infection", "musculoskeletal", "psychological", "other"], dtype=object)
REASON_SHARES = {
    "short": [0.75, 0.08, 0.05, 0.12],
    "medium": [0.30, 0.30, 0.25, 0.15],
    "long": [0.05, 0.35, 0.45, 0.15],
}


@dataclass(frozen=True)
class Spells:
    person: np.ndarray  # int
    start_day: np.ndarray  # int
    end_day: np.ndarray  # int, inclusive; -1 when ongoing at the end of the data
    fraction: np.ndarray  # float
    reason: np.ndarray  # str


def build_absence(spec: DemoSpec, people: People, climate: Climate) -> Spells:
    rng = stream(spec.seed, "absence")
    cal = spec.calendar
    history = np.arange(
        np.datetime64(cal.first_month, "M") - BURN_IN_MONTHS, np.datetime64(cal.first_month, "M")
    ).astype("datetime64[D]").astype(np.int64)  # fmt: skip
    bounds = np.concatenate([history, cal.bounds])
    exposure = people.exposure(bounds)
    n = len(people)
    stress = np.concatenate(
        [rng.standard_normal((n, BURN_IN_MONTHS)), climate.stress], axis=1
    )  # no climate before the data: the history has the average rate
    k = spec.effects.stress_to_absence
    rate = SPELLS_PER_YEAR / 12 * np.exp(k * stress - k * k / 2)
    counts = rng.poisson(rate * exposure)
    person, month = np.nonzero(counts)
    repeat = counts[person, month]
    person, month = np.repeat(person, repeat), np.repeat(month, repeat)
    low = np.maximum(bounds[month], people.hire_day[person])
    high = np.minimum(bounds[month + 1], people.leave_day[person])
    start = low + np.floor(rng.random(person.size) * (high - low)).astype(np.int64)

    kind = rng.choice(3, size=person.size, p=[0.65, 0.25, 0.10])
    duration = np.select(
        [kind == 0, kind == 1],
        [
            np.minimum(rng.geometric(1 / 3, size=person.size), 7),
            np.clip(np.round(rng.lognormal(np.log(14), 0.5, person.size)), 8, 42),
        ],
        default=np.clip(np.round(rng.lognormal(np.log(80), 0.8, person.size)), 43, 730),
    ).astype(np.int64)
    end = np.minimum(start + duration - 1, people.leave_day[person] - 1)
    fraction = np.where((kind == 2) & (rng.random(person.size) < 0.3), 0.5, 1.0)
    reason = np.empty(person.size, dtype=object)
    for code, name in enumerate(("short", "medium", "long")):
        mask = kind == code
        reason[mask] = rng.choice(REASONS, size=int(mask.sum()), p=REASON_SHARES[name])

    order = np.lexsort((start, person))
    person, start, end = person[order], start[order], end[order]
    fraction, reason = fraction[order], reason[order]
    keep = _not_overlapping(person, start, end) & (end >= cal.start_day) & (end >= start)
    end = np.where(end >= cal.end_day, -1, end)
    return Spells(person[keep], start[keep], end[keep], fraction[keep], reason[keep])


def _not_overlapping(person: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """False for spells starting before an earlier spell of the same person has ended
    (``person`` sorted, then ``start``)."""
    if person.size == 0:
        return np.ones(0, dtype=bool)
    offset = np.int64(10**7)  # larger than any day number: keeps the running max per person
    running = np.maximum.accumulate(person * offset + end)
    previous_end = np.concatenate([[-1], running[:-1]])
    same = np.concatenate([[False], person[1:] == person[:-1]])
    return ~same | (start > previous_end - person * offset)
