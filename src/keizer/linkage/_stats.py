"""Estimators of the linkage models, in NumPy/SciPy: correlations, errors-in-variables
corrected least squares with cluster-robust errors, latent means of rounded answer scales,
and relative importance of correlated drivers.

Each function is checked against a reference (statsmodels, SciPy, or an exact computation)
in ``tests/linkage/test_stats.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

Array = npt.NDArray[np.float64]


# -- correlations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Correlation:
    """Pearson's r with a Fisher-z interval and a cluster bootstrap percentile interval."""

    r: float
    n: int
    low: float
    high: float
    p_value: float
    boot_low: float
    boot_high: float


def fisher_interval(r: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a correlation from ``n`` pairs."""
    if n <= 3 or not np.isfinite(r):
        return float("nan"), float("nan")
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    half = stats.norm.ppf(0.5 + confidence / 2) / np.sqrt(n - 3)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def correlation(
    x: Array,
    y: Array,
    clusters: npt.NDArray[np.int64] | None = None,
    *,
    confidence: float = 0.95,
    n_boot: int = 500,
    seed: int = 0,
) -> Correlation:
    """Pearson correlation, Fisher-z interval and p-value (t test), and a percentile
    interval from resampling whole ``clusters`` (teams) with replacement."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = x.size
    r = float(np.corrcoef(x, y)[0, 1]) if n > 2 else float("nan")
    low, high = fisher_interval(r, n, confidence)
    p = float(stats.pearsonr(x, y).pvalue) if n > 2 else float("nan")
    groups = np.arange(n) if clusters is None else np.unique(clusters, return_inverse=True)[1]
    g = int(groups.max()) + 1 if n else 0
    boot_low = boot_high = float("nan")
    if n > 3 and g > 2 and n_boot > 0:
        rng = np.random.default_rng(seed)
        # Sufficient statistics per cluster: resampling clusters is a weighted sum of them.
        sums = np.stack(
            [np.bincount(groups, w, minlength=g) for w in (np.ones(n), x, y, x * x, y * y, x * y)]
        )
        counts = rng.multinomial(g, np.full(g, 1 / g), size=n_boot)
        s = counts @ sums.T  # (n_boot, 6)
        m, sx, sy, sxx, syy, sxy = s.T
        cov = sxy - sx * sy / m
        var = (sxx - sx**2 / m) * (syy - sy**2 / m)
        with np.errstate(invalid="ignore", divide="ignore"):
            rs = cov / np.sqrt(var)
        rs = rs[np.isfinite(rs)]
        if rs.size:
            tail = (1 - confidence) / 2
            boot_low, boot_high = (float(v) for v in np.quantile(rs, [tail, 1 - tail]))
    return Correlation(r, n, low, high, p, boot_low, boot_high)


# -- corrected least squares -----------------------------------------------------------------
@dataclass(frozen=True)
class Fit:
    """Coefficients with a cluster-robust covariance; inference uses t with ``df``."""

    names: tuple[str, ...]
    coef: Array
    cov: Array
    df: int
    n: int
    clusters: int

    def index(self, name: str) -> int:
        return self.names.index(name)

    def estimate(self, name: str, confidence: float = 0.95) -> tuple[float, float, float, float]:
        """Coefficient, standard error, interval low and high for ``name``."""
        i = self.index(name)
        se = float(np.sqrt(self.cov[i, i]))
        t = float(stats.t.ppf(0.5 + confidence / 2, self.df))
        b = float(self.coef[i])
        return b, se, b - t * se, b + t * se

    def p_value(self, name: str) -> float:
        b, se, *_ = self.estimate(name)
        return float(2 * stats.t.sf(abs(b / se), self.df)) if se > 0 else float("nan")


def corrected_least_squares(
    y: Array,
    x: Array,
    clusters: npt.NDArray[np.int64],
    names: tuple[str, ...],
    error_cov: Array | None = None,
) -> Fit:
    """Least squares of ``y`` on ``x`` corrected for measurement error in some columns.

    ``error_cov`` (rows × p × p) holds each row's measurement-error covariance of the columns
    of ``x`` (zeros for columns measured without error). The estimate solves
    ``(X'X - Σ D_i) b = X'y`` (the method-of-moments correction, Fuller 1987, §2.2); without
    ``error_cov`` it is ordinary least squares. The covariance is the cluster-robust sandwich
    of these estimating equations with the CR1 small-sample factor (as statsmodels'
    ``cov_type="cluster"``), and inference uses t with clusters − 1 degrees of freedom.
    """
    y = np.asarray(y, float)
    x = np.asarray(x, float)
    n, p = x.shape
    d = np.zeros((n, p, p)) if error_cov is None else np.asarray(error_cov, float)
    a = x.T @ x - d.sum(axis=0)
    coef = np.linalg.solve(a, x.T @ y)
    psi = x * (y - x @ coef)[:, None] + np.einsum("ijk,k->ij", d, coef)
    groups = np.unique(clusters, return_inverse=True)[1]
    g = int(groups.max()) + 1
    per_cluster = np.zeros((g, p))
    np.add.at(per_cluster, groups, psi)
    inv = np.linalg.inv(a)
    meat = per_cluster.T @ per_cluster * (g / (g - 1)) * ((n - 1) / (n - p))
    cov = inv @ meat @ inv.T
    return Fit(names, coef, cov, g - 1, n, g)


# -- latent means of rounded answer scales -----------------------------------------------------
def _bounds(values: Array) -> tuple[Array, Array]:
    """Cut points between consecutive answer values; the ends are open."""
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[-np.inf], mid]), np.concatenate([mid, [np.inf]])


def _category_terms(
    mu: Array, sigma: float | Array, lower: Array, upper: Array
) -> tuple[Array, Array, Array, Array, Array]:
    """Probabilities of each category under N(mu, sigma²) and the pieces of their
    derivatives: (p, φ(a), φ(b), a·φ(a), b·φ(b)) with a, b the standardised bounds."""
    s = np.asarray(sigma, float)[..., None] if np.ndim(sigma) else sigma
    a = (lower[None, :] - mu[:, None]) / s
    b = (upper[None, :] - mu[:, None]) / s
    p: Array = np.clip(special.ndtr(b) - special.ndtr(a), 1e-300, None)
    fa: Array = stats.norm.pdf(a)
    fb: Array = stats.norm.pdf(b)
    with np.errstate(invalid="ignore"):
        afa = np.where(np.isfinite(a), a * fa, 0.0)
        bfb = np.where(np.isfinite(b), b * fb, 0.0)
    return p, fa, fb, afa, bfb


def latent_cell_means(counts: Array, values: Array) -> tuple[Array, float]:
    """Latent means of groups (rows of ``counts``: answers per value of ``values``) under a
    normal latent variable rounded to the answer scale and clipped at its ends, with one
    standard deviation for all groups (maximum likelihood, profiled over the sd).

    Answer means understate differences near the ends of a scale (a CES of 7 cannot rise);
    the latent means undo that, so effects are on the scale the answers measure before
    rounding. Groups with every answer at one end get the bound ``end ± 2 sd``.
    """
    counts = np.asarray(counts, float)
    values = np.asarray(values, float)
    lower, upper = _bounds(values)
    n = counts.sum(axis=1)
    start = (counts @ values) / np.where(n > 0, n, 1)
    lo, hi = values[0], values[-1]

    def means(sigma: float) -> tuple[Array, float]:
        mu = start.copy()
        for _ in range(50):
            p, fa, fb, afa, bfb = _category_terms(mu, sigma, lower, upper)
            # d log p / d mu = (φ(a) − φ(b)) / (σ p); second derivative from the same pieces
            with np.errstate(over="ignore", invalid="ignore"):
                g1 = (fa - fb) / (sigma * p)
                g2 = np.nan_to_num((afa - bfb) / (sigma**2 * p) - g1**2, nan=-1.0)
            grad = (counts * g1).sum(axis=1)
            hess = (counts * g2).sum(axis=1)
            step = np.where(hess < 0, grad / np.where(hess < 0, hess, -1.0), 0.0)
            mu = np.clip(mu - step, lo - 2 * sigma, hi + 2 * sigma)
            if np.max(np.abs(step)) < 1e-9:
                break
        p = _category_terms(mu, sigma, lower, upper)[0]
        return mu, float(-(counts * np.log(p)).sum())

    spread = np.sqrt(
        max(float((counts @ values**2).sum() / n.sum() - ((counts @ values).sum() / n.sum()) ** 2),
            1e-4)
    )  # fmt: skip
    best = optimize.minimize_scalar(
        lambda log_s: means(float(np.exp(log_s)))[1],
        bounds=(np.log(spread / 10), np.log(spread * 5)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    sigma = float(np.exp(best.x))
    return means(sigma)[0], sigma


@dataclass(frozen=True)
class LatentGroup:
    """Latent mean and sd of one group's answers, with a cluster-robust variance of the mean."""

    mean: float
    sd: float
    mean_var: float
    n: int
    clusters: int


def latent_group(counts: Array, values: Array) -> LatentGroup:
    """Maximum-likelihood latent mean and sd of one group from answers per respondent
    (rows of ``counts``); the variance of the mean is the sandwich over respondents (their
    answers are correlated), with the CR1 factor."""
    counts = np.asarray(counts, float)
    values = np.asarray(values, float)
    lower, upper = _bounds(values)
    total = counts.sum(axis=0)

    def negloglik(theta: Array) -> float:
        p = _category_terms(np.array([theta[0]]), float(np.exp(theta[1])), lower, upper)[0][0]
        return float(-(total * np.log(p)).sum())

    mean0 = float(total @ values / total.sum())
    sd0 = float(np.sqrt(max(total @ (values - mean0) ** 2 / total.sum(), 0.05)))
    res = optimize.minimize(  # type: ignore[call-overload]
        negloglik, np.array([mean0, np.log(sd0)]), method="BFGS",
        jac=lambda theta: -_score(total, theta, lower, upper), options={"gtol": 1e-8},
    )  # fmt: skip
    mu, log_s = float(res.x[0]), float(res.x[1])
    sigma = float(np.exp(log_s))
    p, fa, fb, afa, bfb = (v[0] for v in _category_terms(np.array([mu]), sigma, lower, upper))
    # Scores per category for (mu, log sigma).
    d_mu = (fa - fb) / (sigma * p)
    d_ls = (afa - bfb) / p
    scores = np.stack([counts @ d_mu, counts @ d_ls], axis=1)
    # Observed information by numerical differentiation of the analytic score.
    eps = 1e-5
    hess = np.zeros((2, 2))
    for j in range(2):
        up, down = np.array([mu, log_s]), np.array([mu, log_s])
        up[j] += eps
        down[j] -= eps
        hess[:, j] = (_score(total, up, lower, upper) - _score(total, down, lower, upper)) / (
            2 * eps
        )
    inv = np.linalg.inv(-hess)
    g = counts.shape[0]
    meat = scores.T @ scores * (g / (g - 1) if g > 1 else 1.0)
    cov = inv @ meat @ inv.T
    return LatentGroup(mu, sigma, float(cov[0, 0]), int(total.sum()), g)


def _score(total: Array, theta: Array, lower: Array, upper: Array) -> Array:
    sigma = float(np.exp(theta[1]))
    p, fa, fb, afa, bfb = (v[0] for v in _category_terms(np.array([theta[0]]), sigma, lower, upper))
    return np.array([total @ ((fa - fb) / (sigma * p)), total @ ((afa - bfb) / p)])


# -- relative importance -----------------------------------------------------------------------
def relative_weights(x: Array, y: Array) -> Array:
    """Johnson's (2000) relative weights: each predictor's share of R², summing to R²."""
    data = np.column_stack([x, y])
    corr = np.asarray(np.corrcoef(data, rowvar=False), float)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    lam = eigvec @ np.diag(np.sqrt(np.clip(eigval, 0, None))) @ eigvec.T
    beta = np.linalg.solve(lam, rxy)
    weights: Array = (lam**2) @ (beta**2)
    return weights


def shapley_r2(x: Array, y: Array) -> Array:
    """Shapley decomposition of R² (exact, over all subsets; for a handful of predictors)."""
    k = x.shape[1]
    corr = np.asarray(np.corrcoef(np.column_stack([x, y]), rowvar=False), float)

    def r2(subset: tuple[int, ...]) -> float:
        if not subset:
            return 0.0
        idx = list(subset)
        rxy = corr[idx, -1]
        return float(rxy @ np.linalg.solve(corr[np.ix_(idx, idx)], rxy))

    out = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            weight = 1 / (k * special.comb(k - 1, size))
            for subset in combinations(others, size):
                out[j] += weight * (r2((*subset, j)) - r2(subset))
    return out


# -- Cox proportional hazards -------------------------------------------------------------------
@dataclass(frozen=True)
class CoxFit:
    coef: Array
    information: Array  # observed information (negative Hessian of the log partial likelihood)
    times: Array  # event times
    baseline_hazard: Array  # Breslow increments of the cumulative baseline hazard at x = 0
    converged: bool


def cox(
    exit: Array, event: npt.NDArray[np.int64], x: Array, entry: Array | None = None,
    max_iter: int = 50,
) -> CoxFit:  # fmt: skip
    """Cox proportional hazards by Newton–Raphson on the Breslow partial likelihood, with late
    entry: a subject is at risk at ``t`` when ``entry < t <= exit``. Matches statsmodels'
    ``PHReg(ties="breslow")`` and is fast enough to refit per team (jackknife)."""
    exit = np.asarray(exit, float)
    x = np.asarray(x, float)
    entry = np.zeros_like(exit) if entry is None else np.asarray(entry, float)
    dead = np.asarray(event).astype(bool)
    times = np.unique(exit[dead])
    p = x.shape[1]
    by_exit = np.argsort(exit)
    by_entry = np.argsort(entry)
    exit_sorted, entry_sorted = exit[by_exit], entry[by_entry]
    # Subjects leaving the risk set before t: exit < t; not yet entered: entry >= t.
    gone = np.searchsorted(exit_sorted, times, side="left")
    waiting = entry.size - np.searchsorted(entry_sorted, times, side="left")
    d = np.bincount(np.searchsorted(times, exit[dead]), minlength=times.size).astype(float)
    sum_x = x[dead].sum(axis=0)
    beta = np.zeros(p)

    def risk_sums(b: Array) -> tuple[Array, Array, Array]:
        with np.errstate(over="ignore"):
            w = np.exp(x @ b)
        moments = [w, w[:, None] * x, w[:, None, None] * x[:, :, None] * x[:, None, :]]
        out = []
        for m in moments:
            by_e = np.concatenate([np.zeros((1, *m.shape[1:])), np.cumsum(m[by_exit], axis=0)])
            by_n = np.concatenate([np.zeros((1, *m.shape[1:])), np.cumsum(m[by_entry], axis=0)])
            total = by_e[-1]
            at_risk = total - by_e[gone] - (total - by_n[entry.size - waiting])
            out.append(at_risk)
        return out[0], out[1], out[2]

    def loglik(b: Array) -> float:
        s0 = risk_sums(b)[0]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = float(sum_x @ b - d @ np.log(s0))
        return value if np.isfinite(value) else -np.inf

    converged = False
    for _ in range(max_iter):
        s0, s1, s2 = risk_sums(beta)
        mean = s1 / s0[:, None]
        score = sum_x - d @ mean
        info = np.einsum("k,kij->ij", d, s2 / s0[:, None, None]) - np.einsum(
            "k,ki,kj->ij", d, mean, mean
        )
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            break
        step *= min(1.0, 2.0 / max(float(np.max(np.abs(step))), 1e-300))  # at most 2 per step
        current = loglik(beta)
        scale = 1.0
        while not loglik(beta + scale * step) >= current - 1e-12 and scale > 1e-4:
            scale /= 2
        beta = beta + scale * step
        if np.max(np.abs(scale * step)) < 1e-10:
            converged = True
            break
    s0, s1, s2 = risk_sums(beta)
    mean = s1 / s0[:, None]
    info = np.einsum("k,kij->ij", d, s2 / s0[:, None, None]) - np.einsum(
        "k,ki,kj->ij", d, mean, mean
    )
    return CoxFit(beta, info, times, d / s0, converged and bool(np.all(np.abs(beta) < 10)))
