"""Coverage of the 95 % intervals: simulation (acceptance criterion) and exact enumeration.

Each simulation draws 2,000 samples at once and computes all intervals in one vectorised
call. The Monte-Carlo standard error of a coverage near .95 is sqrt(.95 * .05 / 2000) = .5
percentage points, so the 93-97 % band is about four standard errors either side.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from keizer.metrics.statistics import (
    compare_means_frame,
    compare_nps_frame,
    compare_proportions_frame,
    compare_rates_frame,
    mean_frame,
    nps_frame,
    proportion_frame,
)

SIMULATIONS = 2_000
BAND = (0.93, 0.97)

# Realistic truths. NPS: 45 % promoters, 35 % passives, 20 % detractors (NPS 25).
NPS_SHARES = [0.45, 0.35, 0.20]
# CSAT answers 1..5; top-2-box share .05 + ... = .38 + .40 = .78.
CSAT_SHARES = [0.05, 0.05, 0.12, 0.38, 0.40]
# CES answers 1..7, skewed towards "easy" as CES data usually is; mean 5.30.
CES_SHARES = [0.04, 0.05, 0.07, 0.10, 0.19, 0.25, 0.30]
CES_SCALE = np.arange(1, 8, dtype=float)


def _covered(low: np.ndarray, high: np.ndarray, truth: float) -> float:
    return float(np.mean((low <= truth) & (truth <= high)))


@pytest.mark.parametrize("n", [30, 300])
def test_nps_interval_coverage(n: int) -> None:
    # Exact coverage for these truths (enumerating all trinomial outcomes): .952 at n = 30.
    rng = np.random.default_rng(2026_11_25 + n)
    counts = rng.multinomial(n, NPS_SHARES, size=SIMULATIONS)
    result = nps_frame(counts[:, 0], counts[:, 1], counts[:, 2])
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), 25.0)
    assert BAND[0] <= coverage <= BAND[1], coverage


@pytest.mark.parametrize("n", [30, 300])
def test_csat_wilson_coverage(n: int) -> None:
    # Exact Wilson coverage at p = .78: .954 (n = 30), .957 (n = 300). Wilson's coverage
    # oscillates with p; see test_wilson_exact_coverage_over_p for the whole range.
    rng = np.random.default_rng(2026_11_26 + n)
    answers = rng.multinomial(n, CSAT_SHARES, size=SIMULATIONS)
    top2 = answers[:, 3] + answers[:, 4]
    result = proportion_frame(top2, n)
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), 0.78)
    assert BAND[0] <= coverage <= BAND[1], coverage


@pytest.mark.parametrize("n", [30, 300])
def test_ces_mean_t_coverage(n: int) -> None:
    # With 200,000 draws the t interval covers this skewed 1-7 distribution 94.3 % (n = 30)
    # and 94.9 % (n = 300) of the time.
    truth = float(np.dot(CES_SHARES, CES_SCALE))
    rng = np.random.default_rng(2026_11_27 + n)
    answers = rng.multinomial(n, CES_SHARES, size=SIMULATIONS)
    result = mean_frame(n, answers @ CES_SCALE, answers @ CES_SCALE**2, bounds=(1, 7))
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), truth)
    assert BAND[0] <= coverage <= BAND[1], coverage


# --- two-group intervals (not part of the acceptance criterion, same band) ---------------


def test_nps_difference_coverage_at_small_n() -> None:
    rng = np.random.default_rng(41)
    a = rng.multinomial(30, NPS_SHARES, size=SIMULATIONS)
    b = rng.multinomial(30, [0.55, 0.30, 0.15], size=SIMULATIONS)  # NPS 40: difference 15
    result = compare_nps_frame(
        promoters_a=a[:, 0], passives_a=a[:, 1], detractors_a=a[:, 2],
        promoters_b=b[:, 0], passives_b=b[:, 1], detractors_b=b[:, 2],
    )  # fmt: skip
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), 15.0)
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_proportion_difference_coverage_at_small_n() -> None:
    rng = np.random.default_rng(42)
    x_a = rng.binomial(30, 0.70, size=SIMULATIONS)
    x_b = rng.binomial(40, 0.78, size=SIMULATIONS)
    result = compare_proportions_frame(successes_a=x_a, n_a=30, successes_b=x_b, n_b=40)
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), 0.08)
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_mean_difference_coverage_at_small_n() -> None:
    rng = np.random.default_rng(43)
    other = [0.10, 0.10, 0.10, 0.15, 0.20, 0.20, 0.15]  # flatter, mean 4.45
    a = rng.multinomial(30, CES_SHARES, size=SIMULATIONS)
    b = rng.multinomial(25, other, size=SIMULATIONS)
    truth = float(np.dot(other, CES_SCALE) - np.dot(CES_SHARES, CES_SCALE))
    result = compare_means_frame(
        n_a=30, total_a=a @ CES_SCALE, sum_squares_a=a @ CES_SCALE**2,
        n_b=25, total_b=b @ CES_SCALE, sum_squares_b=b @ CES_SCALE**2,
    )  # fmt: skip
    coverage = _covered(result["ci_low"].to_numpy(), result["ci_high"].to_numpy(), truth)
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_rate_ratio_coverage_is_at_least_nominal() -> None:
    # The exact conditional interval is conservative by construction: at least 95 %.
    rng = np.random.default_rng(44)
    count_a = rng.poisson(0.12 * 80, size=SIMULATIONS)  # 80 person-years at 12 %
    count_b = rng.poisson(0.18 * 60, size=SIMULATIONS)  # 60 person-years at 18 %
    result = compare_rates_frame(count_a=count_a, exposure_a=80, count_b=count_b, exposure_b=60)
    low = result["ratio_ci_low"].to_numpy()
    high = result["ratio_ci_high"].to_numpy()
    coverage = _covered(np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=np.inf), 1.5)
    assert 0.94 <= coverage <= 0.995, coverage


# --- exact coverage by enumeration -------------------------------------------------------


def test_nps_exact_coverage_across_truths() -> None:
    # Every trinomial outcome at n = 30 (496 of them), weighted by its probability, for
    # promoter and detractor shares on a .05 grid: coverage stays within 93.5-97 %.
    n = 30
    promoters, detractors = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    possible = promoters + detractors <= n
    promoters, detractors = promoters[possible], detractors[possible]
    passives = n - promoters - detractors
    result = nps_frame(promoters, passives, detractors)
    outcomes = np.stack([promoters, passives, detractors], axis=1)
    coverages = []
    for p in np.arange(0.05, 0.951, 0.05):
        for d in np.arange(0.05, 0.951 - p, 0.05):
            probability = stats.multinomial.pmf(outcomes, n, [p, 1 - p - d, d])
            truth = 100 * (p - d)
            hit = (result["ci_low"] <= truth + 1e-9) & (truth - 1e-9 <= result["ci_high"])
            coverages.append(probability[hit.to_numpy()].sum())
    assert min(coverages) >= 0.935
    assert max(coverages) <= 0.97
    assert np.mean(coverages) == pytest.approx(0.95, abs=0.005)


def test_wilson_exact_coverage_over_p() -> None:
    # Wilson's coverage at n = 30 oscillates with p (a property of every interval for a
    # discrete count): 92.4-97.8 % over p in [.05, .95], averaging 95.2 %.
    n = 30
    successes = np.arange(n + 1)
    result = proportion_frame(successes, n)
    coverages = []
    for p in np.linspace(0.05, 0.95, 181):
        hit = (result["ci_low"] <= p) & (p <= result["ci_high"])
        coverages.append(stats.binom.pmf(successes, n, p)[hit.to_numpy()].sum())
    assert min(coverages) >= 0.92
    assert np.mean(coverages) == pytest.approx(0.95, abs=0.005)
