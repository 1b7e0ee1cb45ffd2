"""Retention: who leaves voluntarily, and does the manager make the difference?

- Kaplan–Meier curves of staying (tenure in months) by the team's manager-rating band;
- a Cox model of voluntary leaving (Breslow partial likelihood, as statsmodels ``PHReg``) on
  tenure as the time scale, with late entry for people hired before the data starts, and
  covariates: the team's manager rating and EES (team means of the pulse, shrunk towards the
  overall mean by their reliability — regression calibration — so the sampling error of a
  team mean does not dilute the hazard ratio), work mode and age band. Standard errors are robust to
  clustering within teams;
- the expected number of voluntary leavers in the next 12 months among the staff employed at
  the end of the data, and their cost. Only totals and bands of at least
  ``min_group_size`` people are reported: never a prediction for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from keizer.linkage._stats import CoxFit, cox
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import Panel

RATING_BANDS = ((0.0, 6.5, "< 6.5"), (6.5, 7.5, "6.5–7.5"), (7.5, 11.0, "≥ 7.5"))
AGE_BANDS = ((0, 30, "< 30"), (30, 45, "30–44"), (45, 200, "45+"))
COVARIATES = ("manager_rating", "ees", "home", "hybrid", "age < 30", "age 45+")


@dataclass(frozen=True)
class Retention:
    """Results of the retention analysis; frames are empty when ``status`` is not "ok"."""

    status: str
    hazard_ratios: pd.DataFrame  # covariate, log_hr, se, hr, low, high, p_value, unit
    survival: pd.DataFrame  # band, people, leavers, tenure_months, survival, low, high
    expected_leavers: float
    expected_low: float
    expected_high: float
    expected_cost: float
    people: int
    events: int
    teams: int


def team_means(panel: Panel, measure: str, min_group_size: int) -> pd.DataFrame:
    """Whole-period team means of an agent pulse item, with the reliability-shrunk mean
    (regression calibration): ``m + λ (x − m)``, ``λ = τ² / (τ² + s²_w / n)``."""
    a = panel.agent_answers()
    a = a[a["measure"] == measure]
    g = a.groupby("team")
    teams = pd.DataFrame({
        "n": g["value"].count(), "respondents": g["respondent"].nunique(),
        "mean": g["value"].mean(), "var": g["value"].var(ddof=1),
    })  # fmt: skip
    teams = teams[teams["respondents"] >= min_group_size]
    if len(teams) < 2:
        return teams.assign(calibrated=teams["mean"])
    within = float(((teams["n"] - 1) * teams["var"]).sum() / (teams["n"] - 1).sum())
    error = within / teams["n"]
    grand = float(teams["mean"].mean())
    tau2 = max(float(teams["mean"].var(ddof=1) - error.mean()), 1e-9)
    reliability = tau2 / (tau2 + error)
    return teams.assign(calibrated=grand + reliability * (teams["mean"] - grand))


def _window(panel: Panel) -> tuple[pd.Timestamp, pd.Timestamp]:
    months = panel.months()
    start = pd.Timestamp(months[0] + "-01")
    end = pd.Timestamp(months[-1] + "-01") + pd.offsets.MonthBegin(1)
    return start, end


def _band(values: pd.Series, bands: tuple[tuple[float, float, str], ...]) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    for low, high, name in bands:
        out[(values >= low) & (values < high)] = name
    return out


def survival_data(panel: Panel, options: LinkageOptions) -> pd.DataFrame:
    """One row per agent at risk in the window: entry and exit tenure (days), event, team
    covariates and own work mode and age band."""
    start, end = _window(panel)
    p = panel.people
    p = p[(p["role"] == "agent") & p["team"].notna() & p["hire_date"].notna()].copy()
    hire = pd.to_datetime(p["hire_date"])
    leave = pd.to_datetime(p["leave_date"])
    stop = leave.where(leave.notna() & (leave < end), end)
    p["entry"] = (hire.where(hire > start, start) - hire).dt.days.astype(float)
    p["exit"] = (stop - hire).dt.days.astype(float)
    p["event"] = ((p["voluntary"] == 1) & leave.notna() & (leave >= start) & (leave < end)).astype(
        int
    )
    p = p[p["exit"] > p["entry"]]
    rating = team_means(panel, "manager_rating", options.min_group_size)["calibrated"]
    ees = team_means(panel, "ees", options.min_group_size)["calibrated"]
    p["manager_rating"] = p["team"].map(rating)
    p["ees"] = p["team"].map(ees)
    p["home"] = (p["work_mode"] == "home").astype(float)
    p["hybrid"] = (p["work_mode"] == "hybrid").astype(float)
    born = pd.to_numeric(p["birth_band"].astype("string").str[:4], errors="coerce") + 2
    age = end.year - born
    p["age < 30"] = (age < 30).astype(float)
    p["age 45+"] = (age >= 45).astype(float)
    p["band"] = _band(p["manager_rating"], RATING_BANDS)
    return p.dropna(subset=["manager_rating", "ees"]).sort_values("person").reset_index(drop=True)


def retention(panel: Panel, options: LinkageOptions) -> Retention:
    """Kaplan–Meier by manager-rating band, the Cox model and the expected leavers."""
    data = survival_data(panel, options) if panel.months() else pd.DataFrame()
    empty = Retention("", pd.DataFrame(), pd.DataFrame(), np.nan, np.nan, np.nan, np.nan,
                      len(data), int(data["event"].sum()) if len(data) else 0,
                      int(data["team"].nunique()) if len(data) else 0)  # fmt: skip
    if len(data) == 0 or empty.teams < options.min_teams:
        return _with_status(empty, f"fewer than {options.min_teams} teams with a manager rating")
    if empty.events < options.min_events:
        return _with_status(empty, f"fewer than {options.min_events} voluntary leavers")
    names = [c for c in COVARIATES if data[c].std() > 0]
    fit = _cox(data, data[names].to_numpy(float) - data[names].mean().to_numpy(float))
    if not fit.converged:  # a covariate without events in one of its groups: drop it
        names = [n for n, b in zip(names, fit.coef, strict=True) if abs(b) < 8]
        fit = _cox(data, data[names].to_numpy(float) - data[names].mean().to_numpy(float))
    x = data[names].to_numpy(float)
    centre = x.mean(axis=0)
    coef = fit.coef
    se = _jackknife_se(data, x - centre, coef)
    # The jackknife over G teams has G - 1 degrees of freedom: t, not the normal.
    df = int(data["team"].nunique()) - 1
    t = stats.t.ppf(0.5 + options.confidence / 2, df)
    hr = pd.DataFrame({
        "covariate": names, "log_hr": coef, "se": se, "hr": np.exp(coef),
        "low": np.exp(coef - t * se), "high": np.exp(coef + t * se),
        "p_value": 2 * stats.t.sf(np.abs(coef / se), df),
    })  # fmt: skip
    expected, low, high = _expected_leavers(fit, data, x - centre, coef, options)
    return Retention(
        "ok", hr, _kaplan_meier(data, options), expected, low, high,
        expected * options.cost_per_leaver, len(data), int(data["event"].sum()),
        int(data["team"].nunique()),
    )  # fmt: skip


def _cox(data: pd.DataFrame, x: np.ndarray) -> CoxFit:
    return cox(
        data["exit"].to_numpy(float), data["event"].to_numpy(np.int64), x,
        data["entry"].to_numpy(float),
    )  # fmt: skip


def _jackknife_se(data: pd.DataFrame, x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Standard errors robust to clustering within teams: the delete-one-team jackknife
    (replicates that do not converge are left out)."""
    teams = pd.factorize(data["team"])[0]
    fits = [_cox(data[teams != k], x[teams != k]) for k in range(int(teams.max()) + 1)]
    estimates = np.array([f.coef for f in fits if f.converged])
    g = len(estimates)
    if g < 3:
        return np.full(coef.size, np.nan)
    centre = estimates.mean(axis=0)
    var = (g - 1) / g * ((estimates - centre) ** 2).sum(axis=0)
    return np.asarray(np.sqrt(var), float)


def _with_status(r: Retention, status: str) -> Retention:
    return Retention(status, r.hazard_ratios, r.survival, r.expected_leavers, r.expected_low,
                     r.expected_high, r.expected_cost, r.people, r.events, r.teams)  # fmt: skip


def _expected_leavers(
    fit: CoxFit, data: pd.DataFrame, x: np.ndarray, coef: np.ndarray, options: LinkageOptions
) -> tuple[float, float, float]:
    """Sum over staff employed at the end of P(voluntary leave within 365 days | still
    there), from the Cox baseline; past the longest tenure seen the baseline hazard goes on
    at its average rate over the tenures beyond one year."""
    times, cumhaz = fit.times, np.cumsum(fit.baseline_hazard)
    if times.size == 0:
        return 0.0, 0.0, 0.0
    tmax = times[-1]
    after = times > 365
    rate = (cumhaz[-1] - np.interp(365, times, cumhaz)) / max(tmax - 365, 1) if after.any() else (
        cumhaz[-1] / max(tmax, 1))  # fmt: skip

    def baseline(t: np.ndarray) -> np.ndarray:
        inside = np.interp(np.minimum(t, tmax), times, cumhaz, left=0.0)
        return np.asarray(inside + rate * np.maximum(t - tmax, 0), float)

    staying = _employed_at_end(data)
    t0 = data.loc[staying, "exit"].to_numpy(float)
    risk = np.exp(x[staying.to_numpy()] @ coef)
    p = 1 - np.exp(-(baseline(t0 + 365) - baseline(t0)) * risk)
    total = float(p.sum())
    sd = float(np.sqrt((p * (1 - p)).sum()))
    z = stats.norm.ppf(0.5 + options.confidence / 2)
    return total, max(total - z * sd, 0.0), total + z * sd


def _employed_at_end(data: pd.DataFrame) -> pd.Series:
    leave = pd.to_datetime(data["leave_date"])
    hire = pd.to_datetime(data["hire_date"])
    stop = hire + pd.to_timedelta(data["exit"], unit="D")
    employed: pd.Series = leave.isna() | (leave > stop)
    return employed


def _kaplan_meier(data: pd.DataFrame, options: LinkageOptions) -> pd.DataFrame:
    """Staying curves per manager-rating band (bands of fewer people are left out)."""
    rows = []
    for _, _, band in RATING_BANDS:
        part = data[data["band"] == band]
        if len(part) < options.min_group_size or part["event"].sum() == 0:
            continue
        km = sm.SurvfuncRight(
            part["exit"].to_numpy(float) / 30.4375, part["event"].to_numpy(int),
            entry=part["entry"].to_numpy(float) / 30.4375,
        )  # fmt: skip
        low, high = _pointwise(km, options.confidence)
        rows.append(pd.DataFrame({
            "band": band, "people": len(part), "leavers": int(part["event"].sum()),
            "tenure_months": km.surv_times, "survival": km.surv_prob, "low": low, "high": high,
        }))  # fmt: skip
    columns = ["band", "people", "leavers", "tenure_months", "survival", "low", "high"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def _pointwise(km: sm.SurvfuncRight, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Log-log pointwise interval of a Kaplan–Meier curve (Greenwood variance)."""
    s = np.clip(np.asarray(km.surv_prob, float), 1e-12, 1 - 1e-12)
    se = np.asarray(km.surv_prob_se, float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = se / (s * np.abs(np.log(s)))
    low = s ** np.exp(z * theta)
    high = s ** np.exp(-z * theta)
    return np.nan_to_num(low, nan=s), np.nan_to_num(high, nan=s)
