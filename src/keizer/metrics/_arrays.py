"""Array plumbing shared by the statistics modules: input coercion, critical values, bisection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Bisection steps when inverting a test: a range of width 2 shrinks to 2**-47 (7e-15).
BISECTION_STEPS = 48


def as_float(values: npt.ArrayLike, name: str, *, nonnegative: bool = True) -> FloatArray:
    """Return ``values`` as a float64 array; pandas ``NA`` becomes NaN.

    Raises ``ValueError`` for infinite values and, unless ``nonnegative=False``, for
    negative ones. Missing values (NaN) pass through and give NaN results.
    """
    if isinstance(values, pd.Series):
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=np.float64)
    if nonnegative and np.any(array < 0):  # NaN compares False
        raise ValueError(f"{name} must not be negative")
    if np.any(np.isinf(array)):
        raise ValueError(f"{name} must be finite")
    return array


def broadcast(*arrays: FloatArray) -> tuple[FloatArray, ...]:
    """Broadcast arrays to one shape (copies, so callers may write to them)."""
    return tuple(np.array(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays))


def index_of(*values: object) -> pd.Index[Any] | None:
    """Return the index shared by the pandas Series among ``values`` (None if there are none).

    Inputs are combined by position, so Series with different indexes are refused rather
    than silently misaligned.
    """
    indexes = [value.index for value in values if isinstance(value, pd.Series)]
    if not indexes:
        return None
    if any(not index.equals(indexes[0]) for index in indexes[1:]):
        raise ValueError("Series arguments must share one index; align them first")
    return indexes[0]


def frame(columns: dict[str, FloatArray], index: pd.Index[Any] | None) -> pd.DataFrame:
    """Build a result frame from 1-d (or 0-d) columns."""
    data = {key: np.atleast_1d(value) for key, value in columns.items()}
    return pd.DataFrame(data, index=index)


def check_confidence(confidence: float) -> float:
    """Validate a confidence level and return it as float."""
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return level


def z_critical(confidence: float) -> float:
    """Two-sided standard-normal critical value, e.g. 1.95996 for 0.95."""
    return float(stats.norm.isf((1.0 - confidence) / 2.0))


def scalar(array: FloatArray) -> float:
    """Return the single element of a 0-d or 1-element array as a Python float."""
    return float(np.asarray(array).reshape(-1)[0])


def invert_test(
    inside: Callable[[FloatArray], BoolArray],
    estimate: FloatArray,
    lowest: float,
    highest: float,
) -> tuple[FloatArray, FloatArray]:
    """Invert a test by vectorised bisection.

    ``inside(theta)`` says, elementwise, whether the hypothesis ``theta`` is *not* rejected.
    The acceptance region is assumed to be an interval that contains ``estimate``; the
    parameter space is ``[lowest, highest]`` and its ends are treated as rejected unless
    the estimate sits on them. Returns the lower and upper confidence limits.
    """
    low_out = np.full_like(estimate, lowest)
    low_in = estimate.copy()
    high_out = np.full_like(estimate, highest)
    high_in = estimate.copy()
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (low_out + low_in)
        accepted = inside(middle)
        low_in = np.where(accepted, middle, low_in)
        low_out = np.where(accepted, low_out, middle)
        middle = 0.5 * (high_out + high_in)
        accepted = inside(middle)
        high_in = np.where(accepted, middle, high_in)
        high_out = np.where(accepted, high_out, middle)
    return low_in, high_in
