"""One-group estimates: hand-worked examples and agreement with SciPy / statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from keizer.metrics.statistics import (
    Estimate,
    mean,
    mean_frame,
    nps,
    nps_frame,
    proportion,
    proportion_frame,
    rate,
    rate_frame,
)

Z95 = stats.norm.isf(0.025)


# --- NPS ----------------------------------------------------------------------------------


def test_nps_hand_worked() -> None:
    # 45 promoters, 35 passives, 20 detractors: n = 100, p = .45, d = .20.
    # NPS = 100 * (.45 - .20) = 25.
    # var = (p + d) - (p - d)^2 = .65 - .0625 = .5875; SE = 100 * sqrt(.5875 / 100) = 7.6649.
    est = nps(45, 35, 20)
    assert est.value == pytest.approx(25.0)
    assert est.n == 100
    assert est.se == pytest.approx(7.66485, abs=1e-5)
    assert est.method == "tango-score"
    assert est.confidence == 0.95
    # The score interval is a little narrower on the side towards 0 and wider away from it
    # than Wald 25 +/- 1.96 * 7.66 = [9.98, 40.02]; values checked independently below.
    assert est.ci_low == pytest.approx(9.408, abs=1e-3)
    assert est.ci_high == pytest.approx(39.260, abs=1e-3)


def _restricted_score(promoters: int, detractors: int, n: int, delta: float) -> float:
    """Tango's score statistic with the restricted MLE found by numerical optimisation."""
    passives = n - promoters - detractors

    def negative_log_likelihood(q: float) -> float:
        # Under H0 the detractor share is q, the promoter share q + delta.
        return -(
            promoters * math.log(q + delta)
            + detractors * math.log(q)
            + passives * math.log(1.0 - 2.0 * q - delta)
        )

    low, high = max(0.0, -delta) + 1e-12, (1.0 - delta) / 2.0 - 1e-12
    q = optimize.minimize_scalar(
        negative_log_likelihood, bounds=(low, high), method="bounded", options={"xatol": 1e-13}
    ).x
    return (promoters - detractors - n * delta) / math.sqrt(n * (2 * q + delta * (1 - delta)))


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors"),
    [(45, 35, 20), (12, 10, 8), (3, 2, 5), (18, 1, 1), (60, 90, 150)],
)
def test_nps_interval_inverts_the_score_test(
    promoters: int, passives: int, detractors: int
) -> None:
    # At each limit the score statistic (restricted MLE found numerically, independent of the
    # closed form in the code) equals the critical value: the limits invert the test.
    n = promoters + passives + detractors
    est = nps(promoters, passives, detractors)
    assert _restricted_score(promoters, detractors, n, est.ci_low / 100) == pytest.approx(
        Z95, abs=1e-4
    )
    assert _restricted_score(promoters, detractors, n, est.ci_high / 100) == pytest.approx(
        -Z95, abs=1e-4
    )


def test_nps_score_at_zero_is_mcnemar() -> None:
    # At delta = 0 Tango's statistic reduces to McNemar's (P - D) / sqrt(P + D):
    # 25 / sqrt(65) = 3.1009; so 0 lies outside the 95 % interval, inside the 99.9 % one
    # (critical value 3.2905).
    assert _restricted_score(45, 20, 100, 0.0) == pytest.approx(25 / math.sqrt(65), rel=1e-6)
    assert nps(45, 35, 20).ci_low > 0
    assert nps(45, 35, 20, confidence=0.999).ci_low < 0


def test_nps_extremes_stay_on_the_scale() -> None:
    all_promoters = nps(10, 0, 0)
    assert all_promoters.value == 100.0
    assert all_promoters.ci_high == 100.0
    assert 0.0 < all_promoters.ci_low < 100.0
    assert all_promoters.se == 0.0
    single_detractor = nps(0, 0, 1)
    assert single_detractor.ci_low == -100.0
    assert single_detractor.ci_high < 100.0


def test_nps_empty_group_is_nan() -> None:
    est = nps(0, 0, 0)
    assert est.n == 0
    assert all(math.isnan(x) for x in (est.value, est.ci_low, est.ci_high, est.se))


def test_nps_large_n_approaches_wald() -> None:
    est = nps(45_000, 35_000, 20_000)
    assert est.ci_low == pytest.approx(25 - Z95 * est.se, abs=0.01)
    assert est.ci_high == pytest.approx(25 + Z95 * est.se, abs=0.01)


def test_nps_frame_matches_scalar_and_keeps_index() -> None:
    table = pd.DataFrame(
        {"promoters": [45, 0, 7], "passives": [35, 0, 2], "detractors": [20, 0, 1]},
        index=pd.Index(["team a", "team b", "team c"], name="team"),
    )
    result = nps_frame(table["promoters"], table["passives"], table["detractors"])
    assert list(result.columns) == ["value", "n", "ci_low", "ci_high", "se"]
    assert result.index.equals(table.index)
    expected = nps(7, 2, 1)
    assert result.loc["team c", "ci_low"] == pytest.approx(expected.ci_low)
    assert result.loc["team c", "ci_high"] == pytest.approx(expected.ci_high)
    assert result["value"].isna()["team b"]


def test_frame_refuses_misaligned_series() -> None:
    with pytest.raises(ValueError, match="index"):
        proportion_frame(pd.Series([1, 2], index=[0, 1]), pd.Series([5, 5], index=[1, 0]))


def test_nps_frame_accepts_nullable_integers() -> None:
    counts = pd.Series([45, pd.NA], dtype="Int64")
    result = nps_frame(counts, pd.Series([35, 1]), pd.Series([20, 1]))
    assert result["value"].iloc[0] == pytest.approx(25.0)
    assert math.isnan(result["value"].iloc[1])


def test_nps_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        nps(-1, 2, 3)
    with pytest.raises(ValueError, match="confidence"):
        nps(1, 2, 3, confidence=95)


# --- proportions ------------------------------------------------------------------------


def test_proportion_hand_worked() -> None:
    # 24 of 30 top-2-box: p = .8, z^2 = 3.8415.
    # centre = (24 + z^2/2) / (30 + z^2) = 25.9207 / 33.8415 = .76594
    # half = z * sqrt(30) / 33.8415 * sqrt(.8 * .2 + z^2 / 120) = .31722 * .43819 = .13900
    # -> [.62694, .90495]; Wald SE = sqrt(.16 / 30) = .07303.
    est = proportion(24, 30)
    assert est.value == pytest.approx(0.8)
    assert est.ci_low == pytest.approx(0.62694, abs=1e-5)
    assert est.ci_high == pytest.approx(0.90495, abs=1e-5)
    assert est.se == pytest.approx(0.07303, abs=1e-5)
    assert est.method == "wilson"


def test_proportion_matches_statsmodels_wilson() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(1, 2000, size=500)
    x = rng.binomial(n, rng.uniform(0, 1, size=500))
    for confidence in (0.8, 0.95, 0.99):
        result = proportion_frame(x, n, confidence=confidence)
        low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
        np.testing.assert_allclose(result["ci_low"], low, atol=1e-12)
        np.testing.assert_allclose(result["ci_high"], high, atol=1e-12)


def test_proportion_edges() -> None:
    none = proportion(0, 20)
    assert none.ci_low == 0.0
    assert none.ci_high == pytest.approx(0.16113, abs=1e-5)  # z^2 / (20 + z^2) = 3.8415 / 23.8415
    assert proportion(20, 20).ci_high == 1.0
    assert math.isnan(proportion(0, 0).value)
    with pytest.raises(ValueError, match="exceed"):
        proportion(5, 4)


# --- means ------------------------------------------------------------------------------


def test_mean_hand_worked() -> None:
    # Scores 4, 5, 6, 6, 7: n = 5, sum = 28, sum of squares = 162.
    # mean = 5.6; sum of squared deviations = 162 - 28^2 / 5 = 5.2; s^2 = 1.3
    # SE = sqrt(1.3 / 5) = .50990; t(.975, 4) = 2.77645 -> 5.6 +/- 1.41572 = [4.18428, 7.01572].
    est = mean(5, 28, 162)
    assert est.value == pytest.approx(5.6)
    assert est.se == pytest.approx(0.50990, abs=1e-5)
    assert est.ci_low == pytest.approx(4.18428, abs=1e-5)
    assert est.ci_high == pytest.approx(7.01572, abs=1e-5)
    clipped = mean(5, 28, 162, bounds=(1, 7))
    assert clipped.ci_high == 7.0
    assert clipped.ci_low == pytest.approx(est.ci_low)


def test_mean_matches_scipy_on_raw_data() -> None:
    rng = np.random.default_rng(11)
    samples = [rng.integers(1, 8, size=int(size)) for size in rng.integers(2, 400, size=200)]
    n = np.array([len(s) for s in samples])
    total = np.array([s.sum() for s in samples])
    squares = np.array([(s.astype(float) ** 2).sum() for s in samples])
    result = mean_frame(n, total, squares, confidence=0.9)
    for row, sample in enumerate(samples):
        interval = stats.ttest_1samp(sample, 0.0).confidence_interval(confidence_level=0.9)
        assert result["value"].iloc[row] == pytest.approx(sample.mean())
        assert result["ci_low"].iloc[row] == pytest.approx(interval.low, rel=1e-9)
        assert result["ci_high"].iloc[row] == pytest.approx(interval.high, rel=1e-9)
        assert result["se"].iloc[row] == pytest.approx(stats.sem(sample), rel=1e-9)


def test_mean_cancellation_is_clipped_to_zero_variance() -> None:
    # 0.1 * 3 repeated: sum^2 / n and the sum of squares differ only by rounding.
    n, total, squares = 3, 0.1 + 0.1 + 0.1, 0.1**2 * 3
    est = mean(n, total, squares)
    assert est.se == 0.0
    assert est.ci_low == est.ci_high == pytest.approx(0.1)


def test_mean_small_groups() -> None:
    single = mean(1, 6, 36)
    assert single.value == 6.0
    assert math.isnan(single.ci_low)
    assert math.isnan(single.se)
    assert math.isnan(mean(0, 0, 0).value)
    with pytest.raises(ValueError, match="sum_squares"):
        mean(2, 10, 10)  # mean 5 needs a sum of squares >= 50


# --- rates ------------------------------------------------------------------------------


def test_rate_hand_worked() -> None:
    # 12 voluntary leavers, average headcount 100 over one year = 100 person-years.
    # Garwood: lower = chi2(.025; 24) / 2 = 12.401 / 2 = 6.2006;
    #          upper = chi2(.975; 26) / 2 = 41.923 / 2 = 20.962  -> per person-year.
    est = rate(12, 100)
    assert est.value == pytest.approx(0.12)
    assert est.ci_low == pytest.approx(0.062006, abs=1e-6)
    assert est.ci_high == pytest.approx(0.209616, abs=1e-6)
    assert est.n == 12
    # Same data, exposure in person-days, annualised with scale 365.25.
    days = rate(12, 100 * 365.25, scale=365.25)
    assert days.value == pytest.approx(est.value)
    assert days.ci_high == pytest.approx(est.ci_high)


def test_rate_matches_statsmodels_exact() -> None:
    rng = np.random.default_rng(3)
    count = rng.integers(0, 300, size=300)
    exposure = rng.uniform(1, 500, size=300)
    result = rate_frame(count, exposure, confidence=0.9)
    low, high = confint_poisson(count, exposure, method="exact-c", alpha=0.1)
    np.testing.assert_allclose(result["ci_low"], low, rtol=1e-10)
    np.testing.assert_allclose(result["ci_high"], high, rtol=1e-10)


def test_rate_edges() -> None:
    zero = rate(0, 10)
    assert zero.value == 0.0
    assert zero.ci_low == 0.0
    assert zero.ci_high == pytest.approx(-math.log(0.025) / 10)  # 3.689 / 10
    no_exposure = rate(3, 0)
    assert math.isnan(no_exposure.value)
    assert no_exposure.n == 3


def test_estimate_is_frozen() -> None:
    est = Estimate(1.0, 2.0, 0.0, 2.0, 0.5, "x")
    with pytest.raises(AttributeError):
        est.value = 3.0  # type: ignore[misc]
