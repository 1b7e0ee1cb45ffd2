"""Two-group comparisons (periods, segments) from sufficient statistics.

Every comparison reports group b minus group a (``difference = b - a``): pass the earlier
period or the reference segment as ``a``. Each test and its interval are built so that the
interval excludes "no difference" exactly when ``p_value < 1 - confidence``; a dashboard that
shows both never contradicts itself. Scalar forms return dataclasses, ``*_frame`` forms take
arrays or Series and return DataFrames.
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
from keizer.metrics._estimates import (
    mean_and_variance,
    nps_columns,
    t_critical,
)

NPS_DIFFERENCE_METHOD = "mover-tango"
PROPORTION_DIFFERENCE_METHOD = "miettinen-nurminen-score"
MEAN_DIFFERENCE_METHOD = "welch-t"
RATE_COMPARISON_METHOD = "exact-conditional-binomial"

_COMPARISON_COLUMNS = (
    "difference",
    "ci_low",
    "ci_high",
    "se",
    "statistic",
    "p_value",
    "n_a",
    "n_b",
)
_RATE_COLUMNS = (
    "difference",
    "se",
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "p_value",
    "n_a",
    "n_b",
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Difference b - a with its confidence interval and a two-sided test of no difference.

    ``se`` is the plain large-sample standard error of the difference; ``statistic`` is the
    test statistic (z or t) behind ``p_value``.
    """

    difference: float
    ci_low: float
    ci_high: float
    se: float
    statistic: float
    p_value: float
    n_a: float
    n_b: float
    method: str
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class RateComparison:
    """Rates b versus a: difference of rates, rate ratio b / a with exact interval, p-value.

    ``n_a`` and ``n_b`` are the event counts. ``ratio`` is ``inf`` when group a has no
    events and b has some, NaN when neither has.
    """

    difference: float
    se: float
    ratio: float
    ratio_ci_low: float
    ratio_ci_high: float
    p_value: float
    n_a: float
    n_b: float
    method: str
    confidence: float = 0.95


def _to_comparison(columns: dict[str, FloatArray], method: str, confidence: float) -> Comparison:
    values = {key: scalar(columns[key]) for key in _COMPARISON_COLUMNS}
    return Comparison(**values, method=method, confidence=confidence)


def _two_sided_normal(statistic: FloatArray) -> FloatArray:
    return np.asarray(2.0 * stats.norm.sf(np.abs(statistic)), dtype=np.float64)


# --- NPS --------------------------------------------------------------------------------


def _compare_nps_core(
    promoters_a: npt.ArrayLike,
    passives_a: npt.ArrayLike,
    detractors_a: npt.ArrayLike,
    promoters_b: npt.ArrayLike,
    passives_b: npt.ArrayLike,
    detractors_b: npt.ArrayLike,
    confidence: float,
) -> dict[str, FloatArray]:
    a = nps_columns(promoters_a, passives_a, detractors_a, confidence)
    b = nps_columns(promoters_b, passives_b, detractors_b, confidence)
    value_a, low_a, high_a, value_b, low_b, high_b, se_a, se_b, n_a, n_b = broadcast(
        a["value"], a["ci_low"], a["ci_high"], b["value"], b["ci_low"], b["ci_high"],
        a["se"], b["se"], a["n"], b["n"],
    )  # fmt: skip
    difference = value_b - value_a
    # MOVER (Zou & Donner 2008): recover the variance of each side from the group limits.
    low = difference - np.sqrt((value_b - low_b) ** 2 + (high_a - value_a) ** 2)
    high = difference + np.sqrt((high_b - value_b) ** 2 + (value_a - low_a) ** 2)
    low, high = np.clip(low, -200.0, 200.0), np.clip(high, -200.0, 200.0)
    # p-value from the half-width that faces zero (Altman & Bland 2011): significant at the
    # chosen level exactly when the interval excludes zero.
    half = np.where(difference > 0, difference - low, high - difference)
    side_se = half / z_critical(confidence)
    safe_se = np.where(side_se > 0, side_se, 1.0)
    statistic = np.where(difference == 0.0, 0.0, difference / safe_se)
    statistic = np.where(np.isnan(difference), np.nan, statistic)
    return {
        "difference": difference,
        "ci_low": low,
        "ci_high": high,
        "se": np.sqrt(se_a**2 + se_b**2),
        "statistic": statistic,
        "p_value": _two_sided_normal(statistic),
        "n_a": n_a,
        "n_b": n_b,
    }


def compare_nps(
    *,
    promoters_a: float,
    passives_a: float,
    detractors_a: float,
    promoters_b: float,
    passives_b: float,
    detractors_b: float,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two NPS / eNPS values in points (b - a), with interval and p-value.

    Interval: MOVER combination of the two Tango score intervals. ``se`` is the z-test
    standard error ``sqrt(var_a / n_a + var_b / n_b)`` with ``var = (p + d) - (p - d)**2``,
    in points; the p-value is read from the interval so both always agree.
    """
    level = check_confidence(confidence)
    columns = _compare_nps_core(
        promoters_a, passives_a, detractors_a, promoters_b, passives_b, detractors_b, level
    )
    return _to_comparison(columns, NPS_DIFFERENCE_METHOD, level)


def compare_nps_frame(
    *,
    promoters_a: npt.ArrayLike,
    passives_a: npt.ArrayLike,
    detractors_a: npt.ArrayLike,
    promoters_b: npt.ArrayLike,
    passives_b: npt.ArrayLike,
    detractors_b: npt.ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`compare_nps`."""
    level = check_confidence(confidence)
    args = (promoters_a, passives_a, detractors_a, promoters_b, passives_b, detractors_b)
    return frame(_compare_nps_core(*args, level), index_of(*args))


# --- proportions ------------------------------------------------------------------------


def miettinen_nurminen_statistic(
    successes_1: FloatArray,
    n_1: FloatArray,
    successes_2: FloatArray,
    n_2: FloatArray,
    delta: FloatArray,
) -> FloatArray:
    """Miettinen-Nurminen score statistic for H0: p1 - p2 = delta (n_1, n_2 > 0).

    The restricted maximum-likelihood estimate is the closed-form root of a cubic
    (Farrington & Manning 1990); the variance carries the N / (N - 1) correction.
    """
    total = n_1 + n_2
    p1, p2 = successes_1 / n_1, successes_2 / n_2
    theta = n_2 / n_1
    a = 1.0 + theta
    b = -(1.0 + theta + p1 + theta * p2 + delta * (theta + 2.0))
    c = delta**2 + delta * (2.0 * p1 + theta + 1.0) + p1 + theta * p2
    d = -p1 * delta * (1.0 + delta)
    v = b**3 / (3.0 * a) ** 3 - b * c / (6.0 * a**2) + d / (2.0 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b**2 / (3.0 * a) ** 2 - c / (3.0 * a), 0.0))
    u_cubed = np.where(u != 0.0, u**3, 1.0)
    ratio = np.where(u != 0.0, np.clip(v / u_cubed, -1.0, 1.0), 0.0)
    w = (np.pi + np.arccos(ratio)) / 3.0
    p1_restricted = 2.0 * u * np.cos(w) - b / (3.0 * a)
    p1_restricted = np.clip(p1_restricted, np.maximum(0.0, delta), np.minimum(1.0, 1.0 + delta))
    p2_restricted = p1_restricted - delta
    variance = (
        p1_restricted * (1.0 - p1_restricted) / n_1 + p2_restricted * (1.0 - p2_restricted) / n_2
    ) * (total / (total - 1.0))
    numerator = p1 - p2 - delta
    positive = variance > 0.0
    safe_sd = np.sqrt(np.where(positive, variance, 1.0))
    degenerate = np.where(numerator == 0.0, 0.0, np.copysign(np.inf, numerator))
    return np.where(positive, numerator / safe_sd, degenerate)


def _compare_proportions_core(
    successes_a: npt.ArrayLike,
    n_a: npt.ArrayLike,
    successes_b: npt.ArrayLike,
    n_b: npt.ArrayLike,
    confidence: float,
) -> dict[str, FloatArray]:
    xa, na, xb, nb = broadcast(
        as_float(successes_a, "successes_a"),
        as_float(n_a, "n_a"),
        as_float(successes_b, "successes_b"),
        as_float(n_b, "n_b"),
    )
    if np.any(xa > na) or np.any(xb > nb):
        raise ValueError("successes must not exceed n")
    undefined = ~((na > 0) & (nb > 0)) | np.isnan(xa) | np.isnan(xb)
    na_safe, nb_safe = np.where(undefined, 1.0, na), np.where(undefined, 1.0, nb)
    xa_safe, xb_safe = np.where(undefined, 0.0, xa), np.where(undefined, 0.0, xb)
    pa, pb = xa_safe / na_safe, xb_safe / nb_safe
    difference = pb - pa
    z = z_critical(confidence)

    def inside(delta: FloatArray) -> BoolArray:
        statistic = miettinen_nurminen_statistic(xb_safe, nb_safe, xa_safe, na_safe, delta)
        return np.abs(statistic) <= z

    low, high = invert_test(inside, difference, -1.0, 1.0)
    low, high = np.minimum(np.clip(low, -1.0, 1.0), difference), np.maximum(high, difference)
    statistic = miettinen_nurminen_statistic(
        xb_safe, nb_safe, xa_safe, na_safe, np.zeros_like(difference)
    )
    columns = {
        "difference": difference,
        "ci_low": low,
        "ci_high": np.clip(high, -1.0, 1.0),
        "se": np.sqrt(pa * (1.0 - pa) / na_safe + pb * (1.0 - pb) / nb_safe),
        "statistic": statistic,
        "p_value": _two_sided_normal(statistic),
    }
    result = {key: np.where(undefined, np.nan, value) for key, value in columns.items()}
    result["n_a"], result["n_b"] = na, nb
    return result


def compare_proportions(
    *,
    successes_a: float,
    n_a: float,
    successes_b: float,
    n_b: float,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two proportions (b - a) with Miettinen-Nurminen score interval and test.

    The test at difference 0 is the pooled two-proportion z-test with the small-sample
    factor N / (N - 1); the interval inverts the same score statistic.
    """
    level = check_confidence(confidence)
    columns = _compare_proportions_core(successes_a, n_a, successes_b, n_b, level)
    return _to_comparison(columns, PROPORTION_DIFFERENCE_METHOD, level)


def compare_proportions_frame(
    *,
    successes_a: npt.ArrayLike,
    n_a: npt.ArrayLike,
    successes_b: npt.ArrayLike,
    n_b: npt.ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`compare_proportions`."""
    level = check_confidence(confidence)
    args = (successes_a, n_a, successes_b, n_b)
    return frame(_compare_proportions_core(*args, level), index_of(*args))


# --- means ------------------------------------------------------------------------------


def _compare_means_core(
    n_a: npt.ArrayLike,
    total_a: npt.ArrayLike,
    sum_squares_a: npt.ArrayLike,
    n_b: npt.ArrayLike,
    total_b: npt.ArrayLike,
    sum_squares_b: npt.ArrayLike,
    confidence: float,
) -> dict[str, FloatArray]:
    na, ta, sa, nb, tb, sb = broadcast(
        as_float(n_a, "n_a"),
        as_float(total_a, "total_a", nonnegative=False),
        as_float(sum_squares_a, "sum_squares_a"),
        as_float(n_b, "n_b"),
        as_float(total_b, "total_b", nonnegative=False),
        as_float(sum_squares_b, "sum_squares_b"),
    )
    mean_a, var_a = mean_and_variance(na, ta, sa)
    mean_b, var_b = mean_and_variance(nb, tb, sb)
    undefined = ~((na > 1) & (nb > 1))
    safe_na, safe_nb = np.where(undefined, 2.0, na), np.where(undefined, 2.0, nb)
    share_a = np.where(undefined, 1.0, var_a) / safe_na
    share_b = np.where(undefined, 1.0, var_b) / safe_nb
    difference = np.where(undefined, 0.0, mean_b - mean_a)
    se = np.sqrt(share_a + share_b)
    positive = se > 0
    safe_se = np.where(positive, se, 1.0)
    # Welch-Satterthwaite degrees of freedom.
    denominator = share_a**2 / (safe_na - 1.0) + share_b**2 / (safe_nb - 1.0)
    df = np.where(positive, se**4 / np.where(positive, denominator, 1.0), np.nan)
    statistic = np.where(
        positive,
        difference / safe_se,
        np.where(difference == 0.0, 0.0, np.copysign(np.inf, difference)),
    )
    p_value = np.where(
        positive,
        2.0 * stats.t.sf(np.abs(np.where(positive, statistic, 0.0)), np.where(positive, df, 1.0)),
        np.where(difference == 0.0, 1.0, 0.0),
    )
    half = np.where(positive, t_critical(confidence, np.where(positive, df, 1.0)) * se, 0.0)
    columns = {
        "difference": difference,
        "ci_low": difference - half,
        "ci_high": difference + half,
        "se": se,
        "statistic": statistic,
        "p_value": np.asarray(p_value, dtype=np.float64),
    }
    result = {key: np.where(undefined, np.nan, value) for key, value in columns.items()}
    result["n_a"], result["n_b"] = na, nb
    return result


def compare_means(
    *,
    n_a: float,
    total_a: float,
    sum_squares_a: float,
    n_b: float,
    total_b: float,
    sum_squares_b: float,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two means (b - a): Welch t-test and interval from n, sum, sum of squares.

    Needs n >= 2 in both groups (else NaN). When both groups have zero variance the
    p-value is 1 for equal means and 0 otherwise.
    """
    level = check_confidence(confidence)
    columns = _compare_means_core(n_a, total_a, sum_squares_a, n_b, total_b, sum_squares_b, level)
    return _to_comparison(columns, MEAN_DIFFERENCE_METHOD, level)


def compare_means_frame(
    *,
    n_a: npt.ArrayLike,
    total_a: npt.ArrayLike,
    sum_squares_a: npt.ArrayLike,
    n_b: npt.ArrayLike,
    total_b: npt.ArrayLike,
    sum_squares_b: npt.ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`compare_means`."""
    level = check_confidence(confidence)
    args = (n_a, total_a, sum_squares_a, n_b, total_b, sum_squares_b)
    return frame(_compare_means_core(*args, level), index_of(*args))


# --- rates ------------------------------------------------------------------------------


def _compare_rates_core(
    count_a: npt.ArrayLike,
    exposure_a: npt.ArrayLike,
    count_b: npt.ArrayLike,
    exposure_b: npt.ArrayLike,
    scale: float,
    confidence: float,
) -> dict[str, FloatArray]:
    ka, ea, kb, eb = broadcast(
        as_float(count_a, "count_a"),
        as_float(exposure_a, "exposure_a"),
        as_float(count_b, "count_b"),
        as_float(exposure_b, "exposure_b"),
    )
    for counts in (ka, kb):
        present = counts[~np.isnan(counts)]
        if np.any(present != np.round(present)):
            raise ValueError("event counts must be whole numbers for the exact test")
    undefined = ~((ea > 0) & (eb > 0)) | np.isnan(ka) | np.isnan(kb)
    ea, eb = np.where(undefined, 1.0, ea), np.where(undefined, 1.0, eb)
    ka_safe, kb_safe = np.where(undefined, 0.0, ka), np.where(undefined, 0.0, kb)
    total = ka_safe + kb_safe
    # Conditional on the total, events in b are Binomial(total, share_b) under H0.
    share_b = eb / (ea + eb)
    lower_tail = stats.binom.cdf(kb_safe, total, share_b)
    upper_tail = stats.binom.sf(kb_safe - 1.0, total, share_b)
    p_value = np.minimum(1.0, 2.0 * np.minimum(lower_tail, upper_tail))
    # Clopper-Pearson limits for the binomial share, mapped to the rate ratio b / a.
    alpha = 1.0 - confidence
    low_share, high_share = _clopper_pearson(kb_safe, total, alpha)
    exposure_ratio = ea / eb
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_low = low_share / (1.0 - low_share) * exposure_ratio
        ratio_high = np.where(
            high_share < 1.0, high_share / (1.0 - high_share) * exposure_ratio, np.inf
        )
        ratio = (kb_safe / eb) / (ka_safe / ea)
    no_events = total == 0
    rate_a, rate_b = ka_safe / ea, kb_safe / eb
    columns = {
        "difference": scale * (rate_b - rate_a),
        "se": scale * np.sqrt(ka_safe / ea**2 + kb_safe / eb**2),
        "ratio": np.where(no_events, np.nan, ratio),
        "ratio_ci_low": np.where(no_events, np.nan, ratio_low),
        "ratio_ci_high": np.where(no_events, np.nan, ratio_high),
        "p_value": np.where(no_events, 1.0, p_value),
    }
    result = {key: np.where(undefined, np.nan, value) for key, value in columns.items()}
    result["n_a"], result["n_b"] = ka, kb
    return result


def _clopper_pearson(
    successes: FloatArray, trials: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """Exact (Clopper-Pearson) limits for a binomial share; NaN where trials = 0."""
    some = successes > 0
    short = successes < trials
    low = stats.beta.ppf(
        alpha / 2.0, np.where(some, successes, 1.0), np.where(some, trials - successes + 1.0, 1.0)
    )
    high = stats.beta.isf(
        alpha / 2.0, np.where(short, successes + 1.0, 1.0), np.where(short, trials - successes, 1.0)
    )
    empty = trials == 0
    low = np.where(empty, np.nan, np.where(some, low, 0.0))
    high = np.where(empty, np.nan, np.where(short, high, 1.0))
    return low, high


def compare_rates(
    *,
    count_a: float,
    exposure_a: float,
    count_b: float,
    exposure_b: float,
    scale: float = 1.0,
    confidence: float = 0.95,
) -> RateComparison:
    """Compare two Poisson rates (turnover, meldingsfrequentie): b versus a.

    Exact conditional test (events in b given the total are binomial with share
    ``exposure_b / (exposure_a + exposure_b)`` under H0), two-sided by doubling the smaller
    tail, and the matching Clopper-Pearson interval for the rate ratio b / a.
    ``difference`` is ``scale * (rate_b - rate_a)``.
    """
    level = check_confidence(confidence)
    columns = _compare_rates_core(count_a, exposure_a, count_b, exposure_b, scale, level)
    values = {key: scalar(columns[key]) for key in _RATE_COLUMNS}
    return RateComparison(**values, method=RATE_COMPARISON_METHOD, confidence=level)


def compare_rates_frame(
    *,
    count_a: npt.ArrayLike,
    exposure_a: npt.ArrayLike,
    count_b: npt.ArrayLike,
    exposure_b: npt.ArrayLike,
    scale: float = 1.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Vectorised :func:`compare_rates`."""
    level = check_confidence(confidence)
    args = (count_a, exposure_a, count_b, exposure_b)
    return frame(_compare_rates_core(*args, scale, level), index_of(*args))
