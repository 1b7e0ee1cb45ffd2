"""The linkage estimators against references: SciPy, statsmodels, exact computations and
simulations with known truth."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize, stats

from keizer.linkage._stats import (
    corrected_least_squares,
    correlation,
    cox,
    fisher_interval,
    latent_cell_means,
    latent_group,
    relative_weights,
    shapley_r2,
)


def test_fisher_interval_matches_the_textbook_formula_and_scipy() -> None:
    low, high = fisher_interval(0.42, 60, 0.95)
    z, half = np.arctanh(0.42), 1.959963984540054 / np.sqrt(57)
    assert low == pytest.approx(np.tanh(z - half), abs=1e-12)
    assert high == pytest.approx(np.tanh(z + half), abs=1e-12)
    # SciPy's own Fisher interval of a Pearson result agrees.
    rng = np.random.default_rng(1)
    x = rng.standard_normal(60)
    y = 0.5 * x + rng.standard_normal(60)
    ref = stats.pearsonr(x, y).confidence_interval(0.95)
    c = correlation(x, y, n_boot=0)
    assert (c.low, c.high) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert c.p_value == pytest.approx(stats.pearsonr(x, y).pvalue, rel=1e-10)


def test_cluster_bootstrap_interval_covers_the_estimate_and_widens_with_clustering() -> None:
    rng = np.random.default_rng(2)
    teams = np.repeat(np.arange(30), 10)
    shared = rng.standard_normal(30)[teams]
    x = shared + 0.3 * rng.standard_normal(300)
    y = 0.4 * shared + rng.standard_normal(300)
    clustered = correlation(x, y, teams.astype(np.int64), n_boot=800, seed=3)
    naive = correlation(x, y, np.arange(300, dtype=np.int64), n_boot=800, seed=3)
    assert clustered.boot_low < clustered.r < clustered.boot_high
    naive_width = naive.boot_high - naive.boot_low
    # Resampling single pairs reproduces Fisher's interval; resampling teams is wider.
    assert naive_width == pytest.approx(naive.high - naive.low, rel=0.15)
    assert (clustered.boot_high - clustered.boot_low) > 1.15 * naive_width


def test_least_squares_without_error_is_statsmodels_ols_with_cluster_errors() -> None:
    rng = np.random.default_rng(4)
    n, groups = 400, rng.integers(0, 25, 400)
    x = np.column_stack([rng.standard_normal(n), np.ones(n), rng.standard_normal(n)])
    y = x @ [0.7, 1.0, -0.3] + rng.standard_normal(n) + 0.5 * rng.standard_normal(25)[groups]
    fit = corrected_least_squares(y, x, groups.astype(np.int64), ("a", "const", "b"))
    ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.cov, ref.cov_params(), rtol=1e-8)
    assert fit.df == 24


def test_measurement_error_correction_is_unbiased_and_its_interval_covers() -> None:
    """Team means measured with known sampling error: naive least squares is diluted by the
    reliability, the corrected estimate is not, and its 95 % interval covers about 95 %."""
    rng = np.random.default_rng(5)
    teams, months, truth = 30, 12, 0.5
    hits, estimates, naive = 0, [], []
    for _ in range(300):
        team = np.repeat(np.arange(teams), months)
        true_x = rng.normal(0, 0.4, teams)[team] + rng.normal(0, 0.3, team.size)
        n = rng.integers(5, 12, team.size)
        error_var = 0.6 / n
        observed = true_x + rng.normal(0, np.sqrt(error_var))
        y = truth * true_x + rng.normal(0, 0.15, team.size)
        x = np.column_stack([observed, np.ones(team.size)])
        d = np.zeros((team.size, 2, 2))
        d[:, 0, 0] = error_var
        fit = corrected_least_squares(y, x, team.astype(np.int64), ("x", "c"), d)
        b, _, low, high = fit.estimate("x")
        estimates.append(b)
        naive.append(corrected_least_squares(y, x, team.astype(np.int64), ("x", "c")).coef[0])
        hits += low <= truth <= high
    assert np.mean(estimates) == pytest.approx(truth, abs=0.01)
    assert np.mean(naive) < 0.85 * truth  # what the correction undoes
    assert 0.91 <= hits / 300 <= 0.98


def _direct_loglik(mu: float, sigma: float, counts: np.ndarray, values: np.ndarray) -> float:
    edges = np.concatenate([[-np.inf], (values[1:] + values[:-1]) / 2, [np.inf]])
    p = stats.norm.cdf(edges[1:], mu, sigma) - stats.norm.cdf(edges[:-1], mu, sigma)
    return float(counts @ np.log(p))


def test_latent_cell_means_are_the_maximum_likelihood_estimates() -> None:
    rng = np.random.default_rng(6)
    values = np.arange(1.0, 8.0)
    mus = np.array([4.2, 5.6, 6.4, 3.0])
    latent = mus[:, None] + 1.1 * rng.standard_normal((4, 400))
    answers = np.clip(np.round(latent), 1, 7)
    counts = np.stack([(answers == v).sum(axis=1) for v in values], axis=1).astype(float)
    means, sigma = latent_cell_means(counts, values)

    def negloglik(theta: np.ndarray) -> float:
        return -sum(
            _direct_loglik(theta[i], np.exp(theta[-1]), counts[i], values) for i in range(4)
        )

    ref = optimize.minimize(negloglik, np.r_[counts @ values / 400, 0.0], method="Nelder-Mead",
                            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20000})  # fmt: skip
    np.testing.assert_allclose(means, ref.x[:4], atol=1e-4)
    assert sigma == pytest.approx(np.exp(ref.x[-1]), abs=1e-4)
    # The latent means undo the ceiling: the answer mean of the 6.4 cell is well below 6.4.
    assert counts[2] @ values / 400 < 6.2
    np.testing.assert_allclose(means, mus, atol=0.15)


def test_latent_group_fit_and_its_cluster_robust_variance() -> None:
    """One group's latent mean and sd are the MLE; the sandwich variance over respondents
    matches the spread of the estimate across simulated samples."""
    values = np.arange(0.0, 11.0)
    rng = np.random.default_rng(7)
    estimates, variances = [], []
    for _ in range(200):
        person = rng.normal(8.5, 0.8, 40)  # near the top of 0-10: heavily capped
        latent = person[:, None] + rng.normal(0, 1.2, (40, 10))
        answers = np.clip(np.round(latent), 0, 10)
        counts = np.stack([(answers == v).sum(axis=1) for v in values], axis=1).astype(float)
        fit = latent_group(counts, values)
        estimates.append(fit.mean)
        variances.append(fit.mean_var)
    total = counts.sum(axis=0)
    ref = optimize.minimize(lambda t: -_direct_loglik(t[0], np.exp(t[1]), total, values),
                            np.array([8.0, 0.3]), method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12})  # fmt: skip
    assert fit.mean == pytest.approx(ref.x[0], abs=1e-5)
    assert fit.sd == pytest.approx(np.exp(ref.x[1]), abs=1e-5)
    assert np.mean(estimates) == pytest.approx(8.5, abs=0.05)
    assert np.sqrt(np.mean(variances)) == pytest.approx(np.std(estimates), rel=0.15)


def test_relative_weights_sum_to_r2_and_agree_with_shapley() -> None:
    rng = np.random.default_rng(8)
    common = rng.standard_normal(2000)
    x = np.column_stack([common + rng.standard_normal(2000) for _ in range(4)])
    y = x @ [0.3, 0.3, 0.2, 0.05] + rng.standard_normal(2000)
    r2 = sm.OLS(y, sm.add_constant(x)).fit().rsquared
    weights = relative_weights(x, y)
    shapley = shapley_r2(x, y)
    assert weights.sum() == pytest.approx(r2, rel=1e-9)
    assert shapley.sum() == pytest.approx(r2, rel=1e-9)
    np.testing.assert_allclose(weights, shapley, atol=0.01)
    assert np.argmin(weights) == 3
    # Uncorrelated predictors: each weight is its squared correlation with y.
    z = rng.standard_normal((5000, 3))
    z = np.linalg.qr(z - z.mean(axis=0))[0]
    yz = z @ [1.0, 0.5, 0.0] + 0.1 * rng.standard_normal(5000)
    r = [np.corrcoef(z[:, j], yz)[0, 1] ** 2 for j in range(3)]
    np.testing.assert_allclose(relative_weights(z, yz), r, atol=1e-9)


def test_cox_matches_statsmodels_phreg_with_late_entry() -> None:
    rng = np.random.default_rng(9)
    n = 900
    x = rng.standard_normal((n, 3))
    entry = rng.uniform(0, 5, n)
    event_time = entry + rng.exponential(1 / np.exp(x @ [0.5, -0.3, 0.0]))
    censor = entry + rng.uniform(0, 3, n)
    exit_ = np.round(np.minimum(event_time, censor), 1)  # rounding makes ties
    event = (event_time <= censor).astype(np.int64)
    keep = exit_ > entry
    fit = cox(exit_[keep], event[keep], x[keep], entry[keep])
    ref = sm.PHReg(exit_[keep], x[keep], status=event[keep], entry=entry[keep],
                   ties="breslow").fit()  # fmt: skip
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(np.linalg.inv(fit.information))), ref.bse,
                               rtol=1e-6)  # fmt: skip
    times, cumhaz = ref.baseline_cumulative_hazard[0][:2]
    # statsmodels reports the cumulative hazard just before each event time.
    np.testing.assert_allclose(np.cumsum(fit.baseline_hazard)[:-1], cumhaz[1:], rtol=1e-7)
    np.testing.assert_allclose(fit.times, times)
