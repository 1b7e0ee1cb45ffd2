"""Absence: do people who report more work pressure, less wellbeing or more effort report
sick more often?

One row per employee and month they answered the pulse: the new sickness reports that month
(onsets), their own answer, and the share of the month they were employed (the exposure).
A Poisson model with log link and log exposure offset gives the rate ratio per answer point;
standard errors are robust to clustering within persons (which also covers
over-dispersion), and a negative binomial fit is reported alongside as a check. Only the
rate ratios leave this module: never a person's prediction.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import Panel

ABSENCE_MEASURES = ("stress", "wellbeing", "ees")


@dataclass(frozen=True)
class AbsenceLink:
    measure: str
    rate_ratio: float
    log_rr: float
    se: float
    low: float
    high: float
    p_value: float
    nb_log_rr: float  # negative binomial estimate of the same coefficient
    people: int
    person_months: int
    reports: int


def person_months(panel: Panel, measure: str) -> pd.DataFrame:
    """Agents' answers to ``measure`` with their new sickness reports in the same month and
    the share of that month they were employed."""
    answers = panel.agent_answers()
    a = (
        answers[answers["measure"] == measure]
        .groupby(["respondent", "month"], as_index=False)["value"]
        .mean()
    )
    people = panel.people.set_index("person")
    a = a[a["respondent"].isin(people.index)]
    spells = panel.spells.set_index(["person", "month"])["spells"]
    keys = list(zip(a["respondent"], a["month"], strict=True))
    a["reports"] = spells.reindex(keys).fillna(0).to_numpy()
    start = pd.to_datetime(a["month"] + "-01")
    end = start + pd.offsets.MonthBegin(1)
    hire = pd.to_datetime(people["hire_date"].reindex(a["respondent"]).to_numpy())
    leave = pd.to_datetime(people["leave_date"].reindex(a["respondent"]).to_numpy())
    first = np.maximum(start.to_numpy(), hire.fillna(start.min()).to_numpy())
    last = np.minimum(end.to_numpy(), leave.fillna(end.max()).to_numpy())
    days = (last - first) / np.timedelta64(1, "D")
    a["exposure"] = np.clip(days / ((end - start).dt.days.to_numpy()), 0.0, 1.0)
    out: pd.DataFrame = a[a["exposure"] > 0]
    return out.sort_values(["respondent", "month"]).reset_index(drop=True)


def absence_links(panel: Panel, options: LinkageOptions) -> tuple[list[AbsenceLink], str]:
    """One Poisson model per measure; the status says why none ran, if so."""
    links = []
    status = "ok"
    for measure in ABSENCE_MEASURES:
        data = person_months(panel, measure)
        if data.empty or data["respondent"].nunique() < options.min_group_size:
            status = "too few respondents"
            continue
        if data["reports"].sum() < options.min_events:
            status = f"fewer than {options.min_events} sickness reports"
            continue
        x = sm.add_constant(data["value"].to_numpy(float))
        y = data["reports"].to_numpy(float)
        offset = np.log(data["exposure"].to_numpy(float))
        groups = pd.factorize(data["respondent"])[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(
                cov_type="cluster", cov_kwds={"groups": groups}
            )
            nb = sm.NegativeBinomial(y, x, offset=offset).fit(disp=0)
        b, se = float(poisson.params[1]), float(poisson.bse[1])
        z = stats.norm.ppf(0.5 + options.confidence / 2)
        links.append(AbsenceLink(
            measure, float(np.exp(b)), b, se, float(np.exp(b - z * se)),
            float(np.exp(b + z * se)), float(2 * stats.norm.sf(abs(b / se))),
            float(nb.params[1]), int(data["respondent"].nunique()), len(data), int(y.sum()),
        ))  # fmt: skip
    return links, status if not links else "ok"
