"""Many segments at once: false-discovery-rate control and minimum-n flags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from keizer.metrics._arrays import BoolArray, FloatArray, as_float

KpiKind = Literal["nps", "proportion", "mean", "rate"]

#: Below these sizes a figure is flagged as imprecise (see docs/metrics.md for the reasoning).
#: For "rate" the size is the number of events, for the others the number of respondents.
MIN_N: Mapping[KpiKind, int] = MappingProxyType(
    {"nps": 30, "proportion": 30, "mean": 30, "rate": 10}
)


def benjamini_hochberg(p_values: npt.ArrayLike) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values), same shape and order as the input.

    A segment is a discovery at false-discovery rate ``alpha`` when its adjusted value is
    ``<= alpha``. NaN p-values (untested segments) stay NaN and do not count as tests.
    """
    p = as_float(p_values, "p_values")
    if np.any(p > 1.0):
        raise ValueError("p_values must lie in [0, 1]")
    flat = p.reshape(-1)
    adjusted = np.full_like(flat, np.nan)
    tested = np.flatnonzero(~np.isnan(flat))
    m = tested.size
    if m:
        order = tested[np.argsort(flat[tested], kind="stable")]
        ranked = flat[order] * m / np.arange(1, m + 1)
        # Step-up: each adjusted value is the minimum over itself and all larger p-values.
        adjusted[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return adjusted.reshape(p.shape)


@overload
def below_min_n(
    n: float | np.integer[Any] | np.floating[Any], kind: KpiKind, *, min_n: int | None = None
) -> bool: ...


@overload
def below_min_n(
    n: npt.NDArray[Any] | pd.Series[Any] | Sequence[float],
    kind: KpiKind,
    *,
    min_n: int | None = None,
) -> BoolArray: ...


def below_min_n(
    n: float
    | np.integer[Any]
    | np.floating[Any]
    | npt.NDArray[Any]
    | pd.Series[Any]
    | Sequence[float],
    kind: KpiKind,
    *,
    min_n: int | None = None,
) -> bool | BoolArray:
    """Flag figures whose n is below the precision threshold for their kind of KPI.

    ``n`` is respondents (events for ``kind="rate"``); scalars give a bool, arrays an array.
    ``min_n`` overrides :data:`MIN_N`. NaN n counts as below. This is a precision warning,
    not the anonymity rule: suppressing small EX groups is a separate check.
    """
    if kind not in MIN_N:
        raise ValueError(f"kind must be one of {sorted(MIN_N)}, got {kind!r}")
    threshold = MIN_N[kind] if min_n is None else min_n
    values = as_float(n, "n")
    below = np.asarray(~(values >= threshold), dtype=np.bool_)
    if np.ndim(n) == 0:
        return bool(below)
    return below
