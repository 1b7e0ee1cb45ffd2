"""One-group estimates with confidence intervals, computed from sufficient statistics.

Every estimator exists twice: a scalar form returning :class:`Estimate` and a ``*_frame``
form that takes arrays or pandas Series (one element per group, e.g. team x month) and
returns a DataFrame with the columns ``value, n, ci_low, ci_high, se``. The scalar forms
call the vectorised core, so both always agree. Undefined results (n = 0, exposure = 0)
are NaN, never an exception or a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from keizer.metrics._arrays import (
    BoolArray,
    FloatArray,
    as_float,
    broadcast,
    check_confidence,
    frame,
    index_of,
    invert_test,
    scalar,
    z_critical,
)

NPS_METHOD = "tango-score"
PROPORTION_METHOD = "wilson"
MEAN_METHOD = "t"
RATE_METHOD = "garwood-exact"

#: Relative size below which a sum of squared deviations is treated as rounding noise.
_CANCELLATION_TOLERANCE = 64 * np.finfo(np.float64).eps


@dataclass(frozen=True, slots=True)
class Estimate:
    """A KPI value with its sample size, confidence interval and standard error.

    ``n`` is the number of respondents (for rates: the number of events). ``se`` is the
    plain large-sample standard error on the same scale as ``value``; the interval comes
    from ``method`` and is not necessarily ``value +/- z * se``.
    """

    value: float
    n: float
    ci_low: float
    ci_high: float
    se: float
    method: str
    confidence: float = 0.95


def _to_estimate(columns: dict[str, FloatArray], method: str, confidence: float) -> Estimate:
    return Estimate(
        value=scalar(columns["value"]),
        n=scalar(columns["n"]),
        ci_low=scalar(columns["ci_low"]),
        ci_high=scalar(columns["ci_high"]),
        se=scalar(columns["se"]),
        method=method,
        confidence=confidence,
    )


def _result(
    value: FloatArray,
    n: FloatArray,
    low: FloatArray,
    high: FloatArray,
    se: FloatArray,
    undefined: BoolArray,
) -> dict[str, FloatArray]:
    """Assemble columns; guard the interval to contain the estimate and blank undefined rows."""
    low = np.minimum(low, value)
    high = np.maximum(high, value)
    columns = {"value": value, "n": n, "ci_low": low, "ci_high": high, "se": se}
    for key in ("value", "ci_low", "ci_high", "se"):
        columns[key] = np.where(undefined, np.nan, columns[key])
    return columns


# --- NPS ----------------------------------------------------------------------------------


def tango_statistic(
    promoters: FloatArray, detractors: FloatArray, n: FloatArray, delta: FloatArray
) -> FloatArray:
    """Tango's (1998) score statistic for H0: p_promoter - p_detractor = delta.

    The trinomial (promoters, passives, detractors) has the structure of paired binary data
    with discordant cells (promoters, detractors), so Tango's score test for a paired
    difference of proportions applies unchanged. Counts must have n > 0.
    """
    a = 2.0 * n
    b = -promoters - detractors + (2.0 * n - promoters + detractors) * delta
    c = -detractors * delta * (1.0 - delta)
    root = np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Larger root of a*q^2 + b*q + c, in the form that avoids cancellation.
        q_detractor = np.where(b <= 0.0, (root - b) / (2.0 * a), -2.0 * c / (b + root))
    q_detractor = np.clip(q_detractor, 0.0, 1.0)
    variance = n * (2.0 * q_detractor + delta * (1.0 - delta))
    numerator = promoters - detractors - n * delta
    positive = variance > 0.0
    safe_sd = np.sqrt(np.where(positive, variance, 1.0))
    degenerate = np.where(numerator == 0.0, 0.0, np.copysign(np.inf, numerator))
    return np.where(positive, numerator / safe_sd, degenerate)


def nps_columns(
    promoters: npt.ArrayLike,
    passives: npt.ArrayLike,
    detractors: npt.ArrayLike,
    confidence: float,
) -> dict[str, FloatArray]:
    """NPS columns in points (value, n, ci_low, ci_high, se); shared with the comparisons."""
    pro, pas, det = broadcast(
        as_float(promoters, "promoters"),
        as_float(passives, "passives"),
        as_float(detractors, "detractors"),
    )
    n = pro + pas + det
    undefined = ~(n > 0)  # also catches NaN
    safe_n = np.where(undefined, 1.0, n)
    pro = np.where(undefined, 0.0, pro)
    det = np.where(undefined, 0.0, det)
    p, d = pro / safe_n, det / safe_n
    estimate = p - d
    se = np.sqrt(np.maximum((p + d) - estimate**2, 0.0) / safe_n)
    z = z_critical(confidence)

    def inside(delta: FloatArray) -> BoolArray:
        return np.abs(tango_statistic(pro, det, safe_n, delta)) <= z

    low, high = invert_test(inside, estimate, -1.0, 1.0)
    return _result(
        100.0 * estimate,
        n,
        100.0 * np.clip(low, -1.0, 1.0),
        100.0 * np.clip(high, -1.0, 1.0),
        100.0 * se,
        undefined,
    )


def nps(
    promoters: float, passives: float, detractors: float, *, confidence: float = 0.95
) -> Estimate:
    """Net Promoter Score (also eNPS) in points, -100..100, with a Tango score interval.

    ``se`` is the textbook ``100 * sqrt(((p + d) - (p - d)**2) / n)``; the interval inverts
    Tango's score test, which keeps close to nominal coverage down to n = 10.
    """
    level = check_confidence(confidence)
    return _to_estimate(nps_columns(promoters, passives, detractors, level), NPS_METHOD, level)


def nps_frame(
    promoters: npt.ArrayLike,
    passives: npt.ArrayLike,
    detractors: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`nps`: one row per group, index taken from the first Series given."""
    level = check_confidence(confidence)
    columns = nps_columns(promoters, passives, detractors, level)
    return frame(columns, index_of(promoters, passives, detractors))


# --- proportions ------------------------------------------------------------------------


def wilson_interval(
    successes: FloatArray, n: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits for successes/n (n > 0), clipped to [0, 1]."""
    z = z_critical(confidence)
    z2 = z * z
    p = successes / n
    centre = (successes + z2 / 2.0) / (n + z2)
    half = z * np.sqrt(n) / (n + z2) * np.sqrt(p * (1.0 - p) + z2 / (4.0 * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _proportion_core(
    successes: npt.ArrayLike, n: npt.ArrayLike, confidence: float
) -> dict[str, FloatArray]:
    x, total = broadcast(as_float(successes, "successes"), as_float(n, "n"))
    if np.any(x > total):
        raise ValueError("successes must not exceed n")
    undefined = ~(total > 0)
    safe_n = np.where(undefined, 1.0, total)
    x = np.where(undefined, 0.0, x)
    p = x / safe_n
    low, high = wilson_interval(x, safe_n, confidence)
    se = np.sqrt(p * (1.0 - p) / safe_n)
    return _result(p, total, low, high, se, undefined)


def proportion(successes: float, n: float, *, confidence: float = 0.95) -> Estimate:
    """Estimate a share in [0, 1]: CSAT top-2-box, CES % agree, burnout risk, response rate.

    Interval: Wilson score. ``se`` is the Wald ``sqrt(p * (1 - p) / n)``.
    """
    level = check_confidence(confidence)
    return _to_estimate(_proportion_core(successes, n, level), PROPORTION_METHOD, level)


def proportion_frame(
    successes: npt.ArrayLike, n: npt.ArrayLike, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Vectorised :func:`proportion`."""
    level = check_confidence(confidence)
    return frame(_proportion_core(successes, n, level), index_of(successes, n))


# --- means ------------------------------------------------------------------------------


def mean_and_variance(
    n: FloatArray, total: FloatArray, sum_squares: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample variance (divisor n - 1) from n, sum and sum of squares.

    ``sum_squares - total**2 / n`` loses precision by cancellation; results below
    64 machine epsilons of ``sum_squares`` are set to zero, and clearly impossible inputs
    (sum of squares below total**2 / n) raise ``ValueError``. Rows with n < 2 get NaN variance.
    """
    safe_n = np.where(n > 0, n, 1.0)
    mean = np.where(n > 0, total / safe_n, np.nan)
    deviations = sum_squares - total * total / safe_n
    tolerance = _CANCELLATION_TOLERANCE * np.abs(sum_squares)
    if np.any((deviations < -1e6 * tolerance) & (n > 0)):
        raise ValueError("sum_squares is smaller than total**2 / n: not sums of one set of values")
    deviations = np.where(deviations < tolerance, 0.0, deviations)
    variance = np.where(n > 1, deviations / np.where(n > 1, n - 1.0, 1.0), np.nan)
    return mean, variance


def t_critical(confidence: float, df: FloatArray) -> FloatArray:
    """Two-sided Student-t critical values; NaN where df is not positive."""
    positive = df > 0
    values = stats.t.isf((1.0 - confidence) / 2.0, np.where(positive, df, 1.0))
    return np.where(positive, np.asarray(values, dtype=np.float64), np.nan)


def _mean_core(
    n: npt.ArrayLike,
    total: npt.ArrayLike,
    sum_squares: npt.ArrayLike,
    confidence: float,
    bounds: tuple[float, float] | None,
) -> dict[str, FloatArray]:
    count, summed, squares = broadcast(
        as_float(n, "n"),
        as_float(total, "total", nonnegative=False),
        as_float(sum_squares, "sum_squares"),
    )
    mean, variance = mean_and_variance(count, summed, squares)
    safe_n = np.where(count > 0, count, 1.0)
    se = np.sqrt(variance / safe_n)
    half = t_critical(confidence, count - 1.0) * se
    low, high = mean - half, mean + half
    if bounds is not None:
        lowest, highest = bounds
        low, high = np.clip(low, lowest, highest), np.clip(high, lowest, highest)
    undefined = ~(count > 0)
    columns = _result(mean, count, low, high, se, undefined)
    single = count == 1  # a mean exists, an interval does not
    columns["ci_low"] = np.where(single, np.nan, columns["ci_low"])
    columns["ci_high"] = np.where(single, np.nan, columns["ci_high"])
    return columns


def mean(
    n: float,
    total: float,
    sum_squares: float,
    *,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> Estimate:
    """Mean score (CES, EES, engagement, wellbeing) with a Student-t interval.

    Takes the count, the sum and the sum of squares of the scores. ``bounds`` (e.g.
    ``(1, 7)``) clips the interval to the scale. With n = 1 the interval is NaN.
    """
    level = check_confidence(confidence)
    return _to_estimate(_mean_core(n, total, sum_squares, level, bounds), MEAN_METHOD, level)


def mean_frame(
    n: npt.ArrayLike,
    total: npt.ArrayLike,
    sum_squares: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Vectorised :func:`mean`."""
    level = check_confidence(confidence)
    columns = _mean_core(n, total, sum_squares, level, bounds)
    return frame(columns, index_of(n, total, sum_squares))


# --- rates ------------------------------------------------------------------------------


def garwood_limits(count: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) limits for a Poisson mean given an observed count."""
    alpha = 1.0 - confidence
    has_events = count > 0
    low = stats.chi2.ppf(alpha / 2.0, np.where(has_events, 2.0 * count, 1.0)) / 2.0
    high = stats.chi2.isf(alpha / 2.0, 2.0 * count + 2.0) / 2.0
    return np.where(has_events, low, 0.0), np.asarray(high, dtype=np.float64)


def _rate_core(
    count: npt.ArrayLike, exposure: npt.ArrayLike, scale: float, confidence: float
) -> dict[str, FloatArray]:
    events, time = broadcast(as_float(count, "count"), as_float(exposure, "exposure"))
    undefined = ~(time > 0) | np.isnan(events)
    safe_time = np.where(undefined, 1.0, time)
    events_safe = np.where(undefined, 0.0, events)
    low, high = garwood_limits(events_safe, confidence)
    factor = scale / safe_time
    return _result(
        events_safe * factor,
        events,
        low * factor,
        high * factor,
        np.sqrt(events_safe) * factor,
        undefined,
    )


def rate(
    count: float, exposure: float, *, scale: float = 1.0, confidence: float = 0.95
) -> Estimate:
    """Event rate ``scale * count / exposure`` with an exact Poisson (Garwood) interval.

    Use ``scale`` to annualise: with exposure in person-days, ``scale=365.25`` gives events
    per person-year (x100 more for a percentage). ``n`` is the event count.
    """
    level = check_confidence(confidence)
    return _to_estimate(_rate_core(count, exposure, scale, level), RATE_METHOD, level)


def rate_frame(
    count: npt.ArrayLike,
    exposure: npt.ArrayLike,
    *,
    scale: float = 1.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`rate`."""
    level = check_confidence(confidence)
    return frame(_rate_core(count, exposure, scale, level), index_of(count, exposure))
