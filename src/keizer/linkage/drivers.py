"""Which of the four EES drivers matters most?

- **Relative importance for EES** (front-line answers): Johnson's relative weights and the
  exact Shapley decomposition of R² of the EES answer on the four driver answers, with
  percentile intervals from resampling whole teams.
- **Drivers jointly → customer outcomes next month** (team-months): the four team means in
  month t together, with the case-mix controls of the single-measure models, corrected for
  their joint sampling error (pooled within-cell covariance / respondents) with
  cluster-robust errors; and, alongside, statsmodels' ``MixedLM`` with a random intercept
  per team (not corrected for sampling error: its slopes are diluted towards zero, shown as
  a check of direction and of the team-level variance).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from keizer.linkage._stats import corrected_least_squares, relative_weights, shapley_r2
from keizer.linkage.effects import TeamCells, _dense, controls_for, lagged
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import DRIVERS, Panel


@dataclass(frozen=True)
class DriverImportance:
    """Relative importance of the drivers for EES: one row per driver."""

    table: pd.DataFrame  # driver, weight, share, low, high, shapley
    r2: float
    responses: int
    teams: int


def driver_wide(panel: Panel, min_group_size: int) -> pd.DataFrame:
    """One row per front-line response with EES and the four drivers answered, in team-months
    with at least ``min_group_size`` respondents."""
    a = panel.agent_answers()
    respondents = a.groupby(["team", "month"])["respondent"].nunique()
    a = a[a["measure"].isin(["ees", *DRIVERS])]
    wide = a.pivot_table(
        index=["team", "month", "respondent"], columns="measure", values="value", aggfunc="mean"
    )
    wide = wide.reindex(columns=["ees", *DRIVERS]).dropna().reset_index()
    keep = respondents.reindex(list(zip(wide["team"], wide["month"], strict=True))).to_numpy()
    return wide[keep >= min_group_size].reset_index(drop=True)


def driver_importance(panel: Panel, options: LinkageOptions) -> DriverImportance | None:
    wide = driver_wide(panel, options.min_group_size)
    teams = wide["team"].nunique()
    if len(wide) < 30 or teams < 3:
        return None
    x = wide[list(DRIVERS)].to_numpy(float)
    y = wide["ees"].to_numpy(float)
    weights = relative_weights(x, y)
    shapley = shapley_r2(x, y)
    rng = np.random.default_rng(options.seed)
    groups = pd.factorize(wide["team"])[0]
    members = [np.flatnonzero(groups == g) for g in range(teams)]
    boots = []
    for _ in range(min(options.n_boot, 300)):
        pick = np.concatenate([members[g] for g in rng.integers(0, teams, teams)])
        boots.append(relative_weights(x[pick], y[pick]))
    tail = (1 - options.confidence) / 2
    low, high = np.quantile(np.array(boots), [tail, 1 - tail], axis=0)
    r2 = float(weights.sum())
    table = pd.DataFrame({
        "driver": DRIVERS, "weight": weights, "share": weights / r2, "low": low, "high": high,
        "shapley": shapley,
    }).sort_values("weight", ascending=False, ignore_index=True)  # fmt: skip
    return DriverImportance(table, r2, len(wide), teams)


@dataclass(frozen=True)
class JointDrivers:
    """The four drivers together → one outcome at a lag; one row per driver."""

    outcome: str
    lag: int
    table: pd.DataFrame  # driver, estimate, low, high, p_value, mixed, mixed_low, mixed_high
    cells: int
    teams: int


def joint_drivers(
    panel: Panel, cells: TeamCells, outcome: str, lag: int, options: LinkageOptions,
    mixed: bool = True,
) -> JointDrivers | None:  # fmt: skip
    wide = driver_wide(panel, options.min_group_size)
    if wide.empty or outcome not in cells.outcomes:
        return None
    g = wide.groupby(["team", "month"])
    means = g[list(DRIVERS)].mean()
    counts = g.size()
    keys = list(zip(wide["team"], wide["month"], strict=True))
    dev = wide[list(DRIVERS)].to_numpy(float) - means.reindex(keys).to_numpy(float)
    within = dev.T @ dev / max(float((counts - 1).clip(lower=0).sum()), 1.0)
    frame = means.assign(n=counts).reset_index()
    teams = {t: i for i, t in enumerate(cells.teams)}
    months = {m: i for i, m in enumerate(cells.months)}
    x = [lagged(_dense(frame, d, teams, months), lag) for d in DRIVERS]
    n = lagged(_dense(frame, "n", teams, months), lag)
    y = cells.outcomes[outcome]
    controls = [cells.controls[c] for c in controls_for(outcome)]
    ok = np.isfinite(y) & np.isfinite(n)
    for v in (*x, *controls):
        ok &= np.isfinite(v)
    team_idx, month_idx = np.nonzero(ok)
    if len(np.unique(team_idx)) < options.min_teams or (
        len(np.unique(month_idx)) < options.min_months
    ):
        return None
    columns = [v[ok] for v in x] + [np.ones(int(ok.sum()))]
    columns += [(month_idx == m).astype(float) for m in np.unique(month_idx)[1:]]
    columns += [v[ok] for v in controls if np.std(v[ok]) > 1e-12]
    design = np.column_stack(columns)
    k = len(DRIVERS)
    if np.linalg.matrix_rank(design.T @ design) < design.shape[1]:
        return None
    names = (*DRIVERS, *(f"x{i}" for i in range(design.shape[1] - k)))
    error = np.zeros((design.shape[0], design.shape[1], design.shape[1]))
    error[:, :k, :k] = within[None, :, :] / n[ok][:, None, None]
    clusters = team_idx.astype(np.int64)
    fit = corrected_least_squares(y[ok], design, clusters, names, error)
    rows = []
    nan = np.full(design.shape[1], np.nan)
    mb_all, mse_all = _mixed(y[ok], design, clusters) if mixed else (nan, nan)
    z = stats.norm.ppf(0.5 + options.confidence / 2)
    for i, driver in enumerate(DRIVERS):
        b, _, low, high = fit.estimate(driver, options.confidence)
        mb, mse = mb_all[i], mse_all[i]
        rows.append({
            "driver": driver, "estimate": b, "low": low, "high": high,
            "p_value": fit.p_value(driver), "mixed": mb, "mixed_low": mb - z * mse,
            "mixed_high": mb + z * mse,
        })  # fmt: skip
    return JointDrivers(outcome, lag, pd.DataFrame(rows), design.shape[0],
                        len(np.unique(team_idx)))  # fmt: skip


def _mixed(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MixedLM with a random intercept per team; NaN where it does not converge."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.MixedLM(y, x, groups=groups).fit(reml=True)
            return np.asarray(fit.fe_params, float), np.asarray(fit.bse_fe, float)
        except (np.linalg.LinAlgError, ValueError):
            nan = np.full(x.shape[1], np.nan)
            return nan, nan
