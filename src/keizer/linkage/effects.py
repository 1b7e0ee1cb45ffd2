"""Team × month models: employee measures in month t and customer or operational outcomes in
month t + lag, with case-mix controls, corrected for the sampling error of team means.

Per (measure, outcome, lag) the model is

    outcome[team, t + lag] = a[t + lag] + b · measure[team, t] + c · controls[team, t + lag] + e

with month fixed effects ``a`` and controls: resolution rate (for survey outcomes), transfer
rate, phone and e-mail share and log volume. Three corrections make ``b`` the effect on the
scale the questions measure:

- customer answers are rounded and capped (a CES of 7 cannot rise): outcomes are the teams'
  *latent* monthly means (:func:`keizer.linkage._stats.latent_cell_means`);
- a team's measure is the mean of a handful of answers, so it carries sampling error that
  would shrink ``b`` towards zero (regression dilution): the estimate subtracts each cell's
  error variance from the cross-products
  (:func:`keizer.linkage._stats.corrected_least_squares`), allowing for small teams (a mean
  over most of a team has little error from people's lasting personal levels);
- team-months are correlated within a team: errors are cluster-robust by team, with t on
  teams − 1 degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keizer.linkage._stats import Fit, corrected_least_squares, latent_cell_means
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import (
    CX_OUTCOMES,
    HR_MEASURES,
    OPS_OUTCOMES,
    SURVEY_MEASURES,
    Panel,
    cx_histograms,
    ex_cells,
    hr_cells,
    operations_cells,
    person_variance,
    within_variance,
)

#: Answer scales of the customer outcomes.
CX_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
BASE_CONTROLS = ("transfer_rate", "phone_share", "email_share", "log_volume")


@dataclass(frozen=True)
class TeamCells:
    """Everything the team models need, computed once per analysis, as teams × months
    arrays (NaN where a cell is missing or below the anonymity threshold)."""

    teams: list[str]
    months: list[str]
    ex: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # measure -> mean, error var, n
    outcomes: dict[str, np.ndarray]  # outcome -> y
    controls: dict[str, np.ndarray]  # control -> value
    latent_sd: dict[str, float]

    def measures(self) -> list[str]:
        return [m for m in (*SURVEY_MEASURES, *HR_MEASURES) if m in self.ex]


def _dense(
    frame: pd.DataFrame, column: str, teams: dict[str, int], months: dict[str, int]
) -> np.ndarray:
    out = np.full((len(teams), len(months)), np.nan)
    t = frame["team"].map(teams).to_numpy()
    m = frame["month"].map(months).to_numpy()
    ok = ~(pd.isna(t) | pd.isna(m))
    out[t[ok].astype(int), m[ok].astype(int)] = frame[column].to_numpy(float)[ok]
    return out


def team_cells(panel: Panel, options: LinkageOptions) -> TeamCells:
    survey = ex_cells(panel, options.min_group_size)
    hr_all = hr_cells(panel, 1)
    headcount = hr_all.drop_duplicates(["team", "month"]).set_index(["team", "month"])["n"]
    survey = survey.assign(error_var=_error_variance(panel, survey, headcount))
    hr = hr_all[hr_all["n"] >= options.min_group_size].assign(error_var=0.0)
    ex = pd.concat([survey.drop(columns="respondents"), hr], ignore_index=True)
    ops = operations_cells(panel)
    team_list = sorted(set(ex["team"]) | set(ops["team"]))
    month_list = panel.months()
    teams = {t: i for i, t in enumerate(team_list)}
    months = {m: i for i, m in enumerate(month_list)}
    ex_arrays = {}
    for measure, part in ex.groupby("measure"):
        ex_arrays[str(measure)] = (
            _dense(part, "mean", teams, months), _dense(part, "error_var", teams, months),
            _dense(part, "n", teams, months),
        )  # fmt: skip
    outcomes: dict[str, np.ndarray] = {}
    latent_sd: dict[str, float] = {}
    for outcome in CX_OUTCOMES:
        low, high = CX_SCALES[outcome]
        values = np.arange(low, high + 1, dtype=float)
        hist = cx_histograms(panel, outcome, values)
        hist = hist[hist.sum(axis=1) >= 10]  # a latent mean needs a few answers
        if hist.empty:
            continue
        means, sd = latent_cell_means(hist.to_numpy(float), values)
        latent_sd[outcome] = sd
        frame = hist.index.to_frame(index=False).assign(y=means)
        outcomes[outcome] = _dense(frame, "y", teams, months)
    for outcome in OPS_OUTCOMES:
        if ops[outcome].notna().any():
            outcomes[outcome] = _dense(ops, outcome, teams, months)
    controls = {c: _dense(ops, c, teams, months) for c in ("resolution", *BASE_CONTROLS)}
    return TeamCells(team_list, month_list, ex_arrays, outcomes, controls, latent_sd)


def _error_variance(panel: Panel, survey: pd.DataFrame, headcount: pd.Series) -> np.ndarray:
    """Sampling-error variance of each team-month mean: ``(σ²_t + (1 − n/N) σ²_p) / n`` with
    ``σ²_p`` the variance of people's lasting personal levels, ``σ²_t`` the rest of the
    within-cell variance, ``n`` the answers and ``N`` the team's agents that month (a mean over
    most of a team carries little of the personal-level error)."""
    total = survey["measure"].map(within_variance(survey)).fillna(0.0).to_numpy(float)
    personal = survey["measure"].map(person_variance(panel, survey)).fillna(0.0).to_numpy(float)
    personal = np.minimum(personal, total)
    n = survey["n"].to_numpy(float)
    agents = headcount.reindex(list(zip(survey["team"], survey["month"], strict=True)))
    share = np.clip(n / agents.to_numpy(float), 0.0, 1.0)
    share = np.where(np.isfinite(share), share, 0.0)
    return np.asarray((total - personal + (1 - share) * personal) / n, float)


@dataclass(frozen=True)
class EffectFit:
    """One fitted (measure, outcome, lag) model, or the reason it was not fitted."""

    measure: str
    outcome: str
    lag: int
    fit: Fit | None
    cells: int
    teams: int
    months: int
    status: str  # "ok", or why the model was not shown


def controls_for(outcome: str) -> list[str]:
    """Case-mix controls: resolution only for survey outcomes (it is an outcome itself)."""
    return ["resolution", *BASE_CONTROLS] if outcome in CX_OUTCOMES else list(BASE_CONTROLS)


def lagged(values: np.ndarray, lag: int) -> np.ndarray:
    """``values`` of month t placed at month t + lag (NaN where there is no such month)."""
    out = np.full_like(values, np.nan)
    if lag < values.shape[1]:
        out[:, lag:] = values[:, : values.shape[1] - lag]
    return out


def fit_effect(
    cells: TeamCells, measure: str, outcome: str, lag: int, options: LinkageOptions
) -> EffectFit:
    """Fit one lagged team model (see the module docstring)."""
    mean, error_var, _ = (lagged(a, lag) for a in cells.ex[measure])
    y = cells.outcomes[outcome]
    controls = controls_for(outcome)
    stack = [cells.controls[c] for c in controls]
    ok = np.isfinite(y) & np.isfinite(mean)
    for c in stack:
        ok &= np.isfinite(c)
    team_idx, month_idx = np.nonzero(ok)
    teams, months = len(np.unique(team_idx)), len(np.unique(month_idx))
    base = EffectFit(measure, outcome, lag, None, int(ok.sum()), teams, months, "ok")
    if teams < options.min_teams:
        return _replace(base, f"fewer than {options.min_teams} teams")
    if months < options.min_months:
        return _replace(base, f"fewer than {options.min_months} months")
    x = mean[ok]
    if np.std(x) == 0:
        return _replace(base, "the measure does not vary")
    columns = [x, np.ones(x.size)]
    names = ["measure", "intercept"]
    for m in np.unique(month_idx)[1:]:
        columns.append((month_idx == m).astype(float))
        names.append(f"month {cells.months[m]}")
    for name, values in zip(controls, stack, strict=True):
        v = values[ok]
        if np.std(v) > 1e-12:
            columns.append(v)
            names.append(name)
    design = np.column_stack(columns)
    if (
        np.linalg.matrix_rank(design.T @ design) < design.shape[1]
        or design.shape[0] <= design.shape[1]
    ):
        return _replace(base, "the controls leave no variation to estimate from")
    error = np.zeros((x.size, design.shape[1], design.shape[1]))
    error[:, 0, 0] = error_var[ok]
    fit = corrected_least_squares(y[ok], design, team_idx.astype(np.int64), tuple(names), error)
    if not np.isfinite(fit.cov[0, 0]) or fit.cov[0, 0] <= 0:
        return _replace(base, "the model could not be estimated")
    return EffectFit(measure, outcome, lag, fit, base.cells, teams, months, "ok")


def _replace(fit: EffectFit, status: str) -> EffectFit:
    return EffectFit(fit.measure, fit.outcome, fit.lag, None, fit.cells, fit.teams,
                     fit.months, status)  # fmt: skip


def team_effects(cells: TeamCells, options: LinkageOptions) -> list[EffectFit]:
    """Every measure × outcome × lag model of the analysis."""
    return [
        fit_effect(cells, measure, outcome, lag, options)
        for outcome in (*CX_OUTCOMES, *OPS_OUTCOMES) if outcome in cells.outcomes
        for measure in cells.measures()
        for lag in options.lags
    ]  # fmt: skip
