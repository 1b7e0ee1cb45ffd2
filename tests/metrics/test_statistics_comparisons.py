"""Two-group comparisons: hand-worked examples and agreement with SciPy / statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats import rates as sm_rates

from keizer.metrics.statistics import (
    compare_means,
    compare_means_frame,
    compare_nps,
    compare_nps_frame,
    compare_proportions,
    compare_proportions_frame,
    compare_rates,
    compare_rates_frame,
    nps,
)

# --- NPS --------------------------------------------------------------------------------


def test_compare_nps_hand_worked() -> None:
    # a: 45 / 35 / 20 of 100 -> NPS 25, var .65 - .25^2 = .5875
    # b: 55 / 30 / 15 of 100 -> NPS 40, var .70 - .40^2 = .5400
    # difference 15; z-test SE = 100 * sqrt(.5875 / 100 + .54 / 100) = 10.618.
    result = compare_nps(
        promoters_a=45, passives_a=35, detractors_a=20,
        promoters_b=55, passives_b=30, detractors_b=15,
    )  # fmt: skip
    assert result.difference == pytest.approx(15.0)
    assert result.se == pytest.approx(10.6184, abs=1e-4)
    assert (result.n_a, result.n_b) == (100, 100)
    assert result.method == "mover-tango"
    # MOVER: combine each group's distance from its estimate to its Tango limits.
    a, b = nps(45, 35, 20), nps(55, 30, 15)
    low = 15 - math.hypot(b.value - b.ci_low, a.ci_high - a.value)
    high = 15 + math.hypot(b.ci_high - b.value, a.value - a.ci_low)
    assert result.ci_low == pytest.approx(low)
    assert result.ci_high == pytest.approx(high)
    # The p-value uses the half-width facing zero as z * SE, so p < .05 iff 0 is excluded.
    assert result.statistic == pytest.approx(15 / ((15 - low) / stats.norm.isf(0.025)))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(result.statistic))
    assert result.ci_low < 0 < result.ci_high
    assert result.p_value > 0.05


def test_compare_nps_close_to_z_test_for_large_groups() -> None:
    # With thousands of respondents MOVER and the plain NPS z-test agree.
    result = compare_nps(
        promoters_a=4500, passives_a=3500, detractors_a=2000,
        promoters_b=4700, passives_b=3400, detractors_b=1900,
    )  # fmt: skip
    z = result.difference / result.se
    assert result.statistic == pytest.approx(z, rel=0.01)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=0.05)


def test_compare_nps_frame_and_empty_groups() -> None:
    result = compare_nps_frame(
        promoters_a=pd.Series([45, 0], index=["x", "y"]),
        passives_a=[35, 0],
        detractors_a=[20, 0],
        promoters_b=[55, 3],
        passives_b=[30, 1],
        detractors_b=[15, 1],
    )
    assert list(result.index) == ["x", "y"]
    assert result.loc["x", "difference"] == pytest.approx(15.0)
    assert result.loc["y"].drop(["n_a", "n_b"]).isna().all()
    assert result.loc["y", "n_b"] == 5


def test_compare_nps_identical_groups() -> None:
    result = compare_nps(
        promoters_a=5, passives_a=0, detractors_a=0, promoters_b=5, passives_b=0, detractors_b=0
    )
    assert result.difference == 0.0
    assert result.p_value == 1.0
    assert result.ci_low < 0 < result.ci_high


# --- proportions ------------------------------------------------------------------------


def test_compare_proportions_hand_worked() -> None:
    # a: 40 / 50 = .8, b: 30 / 50 = .6; difference -.2.
    # Pooled p = 70 / 100 = .7; var = .7 * .3 * (1/50 + 1/50) * 100/99 = .0084848
    # z = -.2 / sqrt(.0084848) = -2.1712; p = .0299.
    result = compare_proportions(successes_a=40, n_a=50, successes_b=30, n_b=50)
    assert result.difference == pytest.approx(-0.2)
    assert result.statistic == pytest.approx(-2.17124, abs=1e-5)
    assert result.p_value == pytest.approx(0.029913, abs=1e-6)
    assert result.ci_high < 0  # consistent with p < .05
    assert result.se == pytest.approx(math.sqrt(0.8 * 0.2 / 50 + 0.6 * 0.4 / 50))


def test_compare_proportions_test_matches_statsmodels() -> None:
    rng = np.random.default_rng(5)
    n_a = rng.integers(2, 400, size=60)
    n_b = rng.integers(2, 400, size=60)
    x_a = rng.integers(1, n_a)  # interior counts: statsmodels warns on 0 and n
    x_b = rng.integers(1, n_b)
    result = compare_proportions_frame(successes_a=x_a, n_a=n_a, successes_b=x_b, n_b=n_b)
    for i in range(60):
        args = (x_b[i], n_b[i], x_a[i], n_a[i])  # statsmodels: group 1 minus group 2
        test = sm_proportion.test_proportions_2indep(
            *args, method="score", correction=True, compare="diff"
        )
        assert result["statistic"].iloc[i] == pytest.approx(test.statistic, rel=1e-9)
        assert result["p_value"].iloc[i] == pytest.approx(test.pvalue, rel=1e-9)


def _mn_score(x1: int, n1: int, x2: int, n2: int, delta: float) -> float:
    """Miettinen-Nurminen statistic with the restricted MLE found by numerical optimisation."""

    def negative_log_likelihood(p2: float) -> float:
        p1 = p2 + delta
        return -(
            x1 * math.log(p1)
            + (n1 - x1) * math.log(1 - p1)
            + x2 * math.log(p2)
            + (n2 - x2) * math.log(1 - p2)
        )

    bounds = (max(0.0, -delta) + 1e-12, min(1.0, 1.0 - delta) - 1e-12)
    p2 = optimize.minimize_scalar(
        negative_log_likelihood, bounds=bounds, method="bounded", options={"xatol": 1e-13}
    ).x
    p1 = p2 + delta
    variance = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * (n1 + n2) / (n1 + n2 - 1)
    return (x1 / n1 - x2 / n2 - delta) / math.sqrt(variance)


# Newcombe (1998), "Interval estimation for the difference between independent proportions",
# Table II, Miettinen-Nurminen column: (x1/n1 - x2/n2) -> limits.
NEWCOMBE_EXAMPLES = [
    ((56, 70, 48, 80), (0.0528, 0.3382)),
    ((9, 10, 3, 10), (0.1700, 0.8406)),
    ((6, 7, 2, 7), (0.0342, 0.8534)),
    ((5, 56, 0, 29), (-0.0326, 0.1933)),
]


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE_EXAMPLES)
def test_compare_proportions_interval_published_examples(
    counts: tuple[int, int, int, int], limits: tuple[float, float]
) -> None:
    x1, n1, x2, n2 = counts
    result = compare_proportions(successes_a=x2, n_a=n2, successes_b=x1, n_b=n1)
    assert result.ci_low == pytest.approx(limits[0], abs=5e-5)
    assert result.ci_high == pytest.approx(limits[1], abs=5e-5)


def test_compare_proportions_without_small_sample_factor_gives_mee() -> None:
    # Mee's interval is the same score interval without N / (N - 1). Since the MN statistic is
    # Mee's times sqrt((N - 1) / N), Mee's 95 % limits are MN limits at critical value
    # 1.96 * sqrt(149 / 150). Newcombe (1998) Table II, Mee: 56/70 - 48/80 -> .0533 to .3377.
    z = stats.norm.isf(0.025) * math.sqrt(149 / 150)
    result = compare_proportions(
        successes_a=48, n_a=80, successes_b=56, n_b=70, confidence=1 - 2 * stats.norm.sf(z)
    )
    assert result.ci_low == pytest.approx(0.0533, abs=5e-5)
    assert result.ci_high == pytest.approx(0.3377, abs=5e-5)


def test_compare_proportions_interval_inverts_the_score_test() -> None:
    # Independent of the closed-form cubic: at each limit the score statistic with a
    # numerically maximised restricted likelihood equals the critical value.
    # (statsmodels 0.15's confint_proportions_2indep(method="score") does not pass this
    # check for non-zero differences, so it is not used as the reference here.)
    rng = np.random.default_rng(8)
    z = stats.norm.isf(0.025)
    for _ in range(15):
        n_a, n_b = (int(v) for v in rng.integers(5, 300, size=2))
        x_a, x_b = int(rng.integers(1, n_a)), int(rng.integers(1, n_b))
        result = compare_proportions(successes_a=x_a, n_a=n_a, successes_b=x_b, n_b=n_b)
        assert _mn_score(x_b, n_b, x_a, n_a, result.ci_low) == pytest.approx(z, abs=1e-4)
        assert _mn_score(x_b, n_b, x_a, n_a, result.ci_high) == pytest.approx(-z, abs=1e-4)


def test_compare_proportions_edges() -> None:
    all_or_nothing = compare_proportions(successes_a=0, n_a=10, successes_b=10, n_b=10)
    assert all_or_nothing.difference == 1.0
    assert all_or_nothing.ci_high == 1.0
    assert 0.0 < all_or_nothing.ci_low < 1.0
    same = compare_proportions(successes_a=0, n_a=5, successes_b=0, n_b=5)
    assert same.p_value == 1.0
    assert same.statistic == 0.0
    empty = compare_proportions(successes_a=0, n_a=0, successes_b=3, n_b=5)
    assert math.isnan(empty.difference)
    assert math.isnan(empty.p_value)


# --- means ------------------------------------------------------------------------------


def test_compare_means_hand_worked() -> None:
    # a: n 30, sum 150, sum sq 800  -> mean 5.0, s^2 = (800 - 750) / 29 = 1.72414
    # b: n 40, sum 220, sum sq 1300 -> mean 5.5, s^2 = (1300 - 1210) / 39 = 2.30769
    # SE^2 = 1.72414 / 30 + 2.30769 / 40 = .057471 + .057692 = .115163; SE = .33936
    # t = .5 / .33936 = 1.4734
    # df = .115163^2 / (.057471^2 / 29 + .057692^2 / 39) = .013263 / .00019924 = 66.57
    result = compare_means(
        n_a=30, total_a=150, sum_squares_a=800, n_b=40, total_b=220, sum_squares_b=1300
    )
    assert result.difference == pytest.approx(0.5)
    assert result.se == pytest.approx(0.33936, abs=1e-5)
    assert result.statistic == pytest.approx(1.47337, abs=1e-5)
    half = stats.t.isf(0.025, 66.57) * 0.339357
    assert result.ci_low == pytest.approx(0.5 - half, abs=1e-3)


def test_compare_means_matches_scipy() -> None:
    rng = np.random.default_rng(9)
    for _ in range(40):
        a = rng.integers(1, 8, size=rng.integers(2, 200)).astype(float)
        b = rng.integers(1, 6, size=rng.integers(2, 200)).astype(float)
        if a.var() == 0 or b.var() == 0:
            continue
        result = compare_means(
            n_a=a.size, total_a=a.sum(), sum_squares_a=(a**2).sum(),
            n_b=b.size, total_b=b.sum(), sum_squares_b=(b**2).sum(),
            confidence=0.9,
        )  # fmt: skip
        reference = stats.ttest_ind(b, a, equal_var=False)
        from_stats = stats.ttest_ind_from_stats(
            b.mean(), b.std(ddof=1), b.size, a.mean(), a.std(ddof=1), a.size, equal_var=False
        )
        interval = reference.confidence_interval(confidence_level=0.9)
        assert result.statistic == pytest.approx(from_stats.statistic, rel=1e-9)
        assert result.p_value == pytest.approx(from_stats.pvalue, rel=1e-8)
        assert result.ci_low == pytest.approx(interval.low, rel=1e-8)
        assert result.ci_high == pytest.approx(interval.high, rel=1e-8)


def test_compare_means_degenerate_groups() -> None:
    frame = compare_means_frame(
        n_a=[1, 3, 3], total_a=[5, 21, 21], sum_squares_a=[25, 147, 147],
        n_b=[4, 3, 3], total_b=[20, 21, 18], sum_squares_b=[110, 147, 108],
    )  # fmt: skip
    assert frame.iloc[0].drop(["n_a", "n_b"]).isna().all()  # n_a = 1: no variance
    assert frame["p_value"].iloc[1] == 1.0  # two groups of identical 7s
    assert frame["p_value"].iloc[2] == 0.0  # all 7s against all 6s
    assert frame["statistic"].iloc[2] == -math.inf


# --- rates ------------------------------------------------------------------------------


def test_compare_rates_hand_worked() -> None:
    # a: 10 leavers in 100 person-years, b: 20 in 100. Given 30 events, b's count is
    # Binomial(30, .5) under H0: P(X >= 20) = .049369, doubled = .098737.
    result = compare_rates(count_a=10, exposure_a=100, count_b=20, exposure_b=100)
    assert result.difference == pytest.approx(0.1)
    assert result.ratio == pytest.approx(2.0)
    assert result.p_value == pytest.approx(0.098737, abs=1e-6)
    assert result.ratio_ci_low < 1 < result.ratio_ci_high
    assert result.method == "exact-conditional-binomial"


def test_compare_rates_matches_statsmodels_and_scipy() -> None:
    rng = np.random.default_rng(21)
    count_a = rng.integers(1, 60, size=50)  # statsmodels divides by zero on empty groups
    count_b = rng.integers(1, 60, size=50)
    exposure_a = rng.uniform(10, 300, size=50)
    exposure_b = rng.uniform(10, 300, size=50)
    result = compare_rates_frame(
        count_a=count_a, exposure_a=exposure_a, count_b=count_b, exposure_b=exposure_b
    )
    for i in range(50):
        args = (count_b[i], exposure_b[i], count_a[i], exposure_a[i])
        test = sm_rates.test_poisson_2indep
        larger = test(*args, method="exact-cond", alternative="larger").pvalue
        smaller = test(*args, method="exact-cond", alternative="smaller").pvalue
        assert result["p_value"].iloc[i] == pytest.approx(min(1.0, 2 * min(larger, smaller)))
        total = int(count_a[i] + count_b[i])
        share = exposure_b[i] / (exposure_a[i] + exposure_b[i])
        ci = stats.binomtest(int(count_b[i]), total, share).proportion_ci(method="exact")
        odds = exposure_a[i] / exposure_b[i]
        assert result["ratio_ci_low"].iloc[i] == pytest.approx(ci.low / (1 - ci.low) * odds)
        if ci.high < 1:
            assert result["ratio_ci_high"].iloc[i] == pytest.approx(ci.high / (1 - ci.high) * odds)


def test_compare_rates_edges() -> None:
    none = compare_rates(count_a=0, exposure_a=50, count_b=0, exposure_b=80)
    assert none.p_value == 1.0
    assert math.isnan(none.ratio)
    assert none.difference == 0.0
    only_b = compare_rates(count_a=0, exposure_a=100, count_b=3, exposure_b=100)
    assert only_b.ratio == math.inf
    assert only_b.ratio_ci_high == math.inf
    assert only_b.p_value == pytest.approx(0.25)  # 2 * .5^3
    assert math.isnan(compare_rates(count_a=1, exposure_a=0, count_b=1, exposure_b=1).p_value)
    with pytest.raises(ValueError, match="whole"):
        compare_rates(count_a=1.5, exposure_a=1, count_b=1, exposure_b=1)
    annual = compare_rates(count_a=5, exposure_a=3650, count_b=10, exposure_b=3650, scale=365)
    assert annual.difference == pytest.approx(0.5)
