"""Benjamini-Hochberg adjustment and minimum-n flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from keizer.metrics.statistics import MIN_N, below_min_n, benjamini_hochberg


def test_benjamini_hochberg_hand_worked() -> None:
    # m = 4 tests, sorted p: .01 .02 .03 .20 -> p * m / rank = .04 .04 .04 .20;
    # step-up minimum from the right keeps them. Input order is preserved.
    q = benjamini_hochberg([0.03, 0.20, 0.01, 0.02])
    np.testing.assert_allclose(q, [0.04, 0.20, 0.04, 0.04])


def test_benjamini_hochberg_matches_statsmodels() -> None:
    rng = np.random.default_rng(17)
    for size in (1, 2, 10, 500):
        p = np.concatenate([rng.uniform(size=size), rng.uniform(0, 0.01, size=size // 3)])
        reject, expected, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
        q = benjamini_hochberg(p)
        np.testing.assert_allclose(q, expected, rtol=1e-12)
        np.testing.assert_array_equal(q <= 0.05, reject)


def test_benjamini_hochberg_ties_and_missing() -> None:
    q = benjamini_hochberg(pd.Series([0.01, np.nan, 0.01, 0.5]))
    # NaN is not a test: m = 3. q = (.01 * 3 / 2, nan, .015, .5)
    np.testing.assert_allclose(q, [0.015, np.nan, 0.015, 0.5])
    assert benjamini_hochberg([]).shape == (0,)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([1.5])


def test_below_min_n() -> None:
    assert MIN_N["nps"] == 30
    assert MIN_N["rate"] == 10
    assert below_min_n(29, "nps") is True
    assert below_min_n(30, "nps") is False
    assert below_min_n(29, "nps", min_n=20) is False
    flags = below_min_n(pd.Series([5, 10, float("nan")]), "rate")
    np.testing.assert_array_equal(flags, [True, False, True])
    assert below_min_n(np.int64(40), "mean") is False
    with pytest.raises(ValueError, match="kind"):
        below_min_n(10, "csat")  # type: ignore[call-overload]


def test_public_names_are_pinned() -> None:
    from keizer.metrics import statistics

    assert sorted(statistics.__all__) == sorted(
        [
            "MIN_N", "Comparison", "Estimate", "KpiKind", "RateComparison",
            "below_min_n", "benjamini_hochberg",
            "compare_means", "compare_means_frame", "compare_nps", "compare_nps_frame",
            "compare_proportions", "compare_proportions_frame",
            "compare_rates", "compare_rates_frame",
            "mean", "mean_frame", "nps", "nps_frame",
            "proportion", "proportion_frame", "rate", "rate_frame",
        ]
    )  # fmt: skip
