"""What to generate (:class:`DemoSpec`), the calendar it runs on, and the random streams.

Every part of the generator draws from its own named stream (:func:`stream`), derived from the
seed and the part's name: the same seed gives the same data, and changing one part (say, the
comment templates) does not reshuffle the others.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keizer.demo.effects import DEFAULT_EFFECTS, Effects
from keizer.errors import ValidationError

#: The reference customer: a Dutch public agency with 1,100 agents on three sites.
REFERENCE_AGENTS = 1100
#: Its yearly contact volumes per channel.
REFERENCE_VOLUMES = {"phone": 4_100_000, "email": 1_800_000, "chat": 400_000}
CHANNELS = ("phone", "email", "chat")
#: At scale 1 the demo stores this share of the contacts the organisation handles (1 in 25):
#: enough for every analysis, small enough to load in seconds. ``scale`` multiplies it.
BASE_SAMPLE_RATE = 1 / 25
#: The last month of data when none is given: fixed, so a seed gives the same data any day.
DEFAULT_END_MONTH = date(2026, 10, 1)
MAX_EMPLOYEES = 20_000
MIN_EMPLOYEES = 30  # three teams of ten


@dataclass(frozen=True)
class DemoSpec:
    """The size and shape of the demo organisation; ``employees`` counts agents."""

    employees: int = REFERENCE_AGENTS
    months: int = 24
    seed: int = 42
    scale: float = 1.0
    dutch_share: float = 0.8
    end_month: date = DEFAULT_END_MONTH
    effects: Effects = field(default=DEFAULT_EFFECTS)

    def __post_init__(self) -> None:
        if not MIN_EMPLOYEES <= self.employees <= MAX_EMPLOYEES:
            raise ValidationError(
                f"--employees must be between {MIN_EMPLOYEES} and {MAX_EMPLOYEES}, "
                f"not {self.employees}"
            )
        if not 3 <= self.months <= 120:
            raise ValidationError(f"--months must be between 3 and 120, not {self.months}")
        if not 0 < self.scale <= 1000:
            raise ValidationError(f"--scale must be above 0 and at most 1000, not {self.scale}")
        if not 0 <= self.dutch_share <= 1:
            raise ValidationError(f"--dutch-share must be between 0 and 1, not {self.dutch_share}")
        if not 0 <= self.seed < 2**63:
            raise ValidationError(f"--seed must be a non-negative integer, not {self.seed}")

    @property
    def sample_rate(self) -> float:
        """Share of the organisation's real contact volume that is stored."""
        return BASE_SAMPLE_RATE * self.scale

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar(self.end_month, self.months)

    def fingerprint(self) -> dict[str, object]:
        """The parameters that decide the data (stored, and compared on a re-run)."""
        return {
            "employees": self.employees,
            "months": self.months,
            "seed": self.seed,
            "scale": self.scale,
            "dutch_share": self.dutch_share,
            "end_month": self.end_month.isoformat(),
            "effects": self.effects.as_dict(),
        }


class Calendar:
    """Months of the demo as day numbers (days since 1970-01-01), oldest first."""

    def __init__(self, end_month: date, months: int) -> None:
        end = np.datetime64(end_month.replace(day=1), "M")
        self.months = months
        month_starts = np.arange(end - months + 1, end + 2).astype("datetime64[D]")
        #: First day of every month plus the day after the last month: ``months + 1`` values.
        self.bounds: np.ndarray = month_starts.astype(np.int64)
        self.start_day = int(self.bounds[0])
        self.end_day = int(self.bounds[-1])  # exclusive

    @property
    def first_month(self) -> date:
        return _to_date(self.start_day)

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Index of the month holding each day (-1 before the window, ``months`` after it)."""
        return np.searchsorted(self.bounds, days, side="right") - 1

    def days_in(self, month: int) -> int:
        return int(self.bounds[month + 1] - self.bounds[month])

    def label(self, month: int) -> str:
        return _to_date(int(self.bounds[month])).strftime("%Y-%m")


def _to_date(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + day)


def stream(seed: int, name: str, *parts: int) -> np.random.Generator:
    """An independent random generator for one part of the generator."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), *parts])


def exact_labels(n: int, shares: np.ndarray) -> np.ndarray:
    """Labels ``0..k-1`` for ``n`` items in exact proportion to ``shares`` (largest
    remainder), sorted; shuffle them for a random assignment with exact marginals."""
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return np.repeat(np.arange(len(shares)), counts)


def numbered_keys(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Text keys ``prefix`` + each number zero-padded to eight digits, built in Arrow (no
    Python string per key)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), 8, "0")
    keys: pa.Array = pc.binary_join_element_wise(prefix, digits, "")
    return keys
