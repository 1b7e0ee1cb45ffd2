"""Did an intervention move a pulse item? Difference in differences on team-month cells.

The outcome is each anonymous team-month's latent mean of the item (answers are rounded and
capped; see :func:`keizer.linkage._stats.latent_cell_means`). The model has a fixed effect
per team and per month and one coefficient for "treated team, from the start month on";
errors are cluster-robust by team. The estimate is the intervention's effect if, without
it, treated and other teams would have moved in parallel — check that with the pre-period
months before believing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keizer.errors import ValidationError
from keizer.linkage._stats import corrected_least_squares, latent_cell_means
from keizer.linkage.gaps import SCALES
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import Panel


@dataclass(frozen=True)
class Intervention:
    """Teams (keys) that received an intervention from ``start`` (``YYYY-MM``) on."""

    teams: tuple[str, ...]
    start: str
    measure: str = "ees_information"


@dataclass(frozen=True)
class InterventionEffect:
    measure: str
    start: str
    effect: float
    low: float
    high: float
    p_value: float
    treated_teams: int
    other_teams: int
    cells: int
    status: str


def intervention_effect(
    panel: Panel, intervention: Intervention, options: LinkageOptions
) -> InterventionEffect:
    if intervention.measure not in SCALES:
        raise ValidationError(
            f"unknown pulse item {intervention.measure!r}; items: {', '.join(SCALES)}"
        )
    low, high = SCALES[intervention.measure]
    values = np.arange(low, high + 1, dtype=float)
    a = panel.agent_answers()
    respondents = a.groupby(["team", "month"])["respondent"].nunique()
    a = a[a["measure"] == intervention.measure]
    hist = a.assign(value=a["value"].clip(low, high).round()).pivot_table(
        index=["team", "month"], columns="value", values="respondent", aggfunc="count",
        fill_value=0,
    ).reindex(columns=values, fill_value=0)  # fmt: skip
    hist = hist[respondents.reindex(hist.index).fillna(0).to_numpy() >= options.min_group_size]
    treated_set = set(intervention.teams)
    cells = hist.index.to_frame(index=False)
    cells["treated"] = cells["team"].isin(treated_set) & (cells["month"] >= intervention.start)
    n_treated = int(cells.loc[cells["team"].isin(treated_set), "team"].nunique())
    n_other = int(cells.loc[~cells["team"].isin(treated_set), "team"].nunique())
    result = InterventionEffect(intervention.measure, intervention.start, np.nan, np.nan, np.nan,
                                np.nan, n_treated, n_other, len(cells), "ok")  # fmt: skip
    before = (cells["month"] < intervention.start).any()
    if n_treated < 2 or n_other < 2 or not before or not cells["treated"].any():
        return _status(result, "needs at least two treated and two other teams, and months "
                       "before and after the start")  # fmt: skip
    cells["y"], _ = latent_cell_means(hist.to_numpy(float), values)
    teams = sorted(cells["team"].unique())
    months = sorted(cells["month"].unique())
    columns = [cells["treated"].to_numpy(float), np.ones(len(cells))]
    columns += [(cells["team"] == t).to_numpy(float) for t in teams[1:]]
    columns += [(cells["month"] == m).to_numpy(float) for m in months[1:]]
    names = ("treated", "intercept", *(f"team {t}" for t in teams[1:]),
             *(f"month {m}" for m in months[1:]))  # fmt: skip
    clusters = pd.factorize(cells["team"])[0].astype(np.int64)
    fit = corrected_least_squares(
        cells["y"].to_numpy(float), np.column_stack(columns), clusters, names
    )
    b, _, lo, hi = fit.estimate("treated", options.confidence)
    return InterventionEffect(
        intervention.measure, intervention.start, b, lo, hi, fit.p_value("treated"),
        n_treated, n_other, len(cells), "ok",
    )  # fmt: skip


def _status(r: InterventionEffect, status: str) -> InterventionEffect:
    return InterventionEffect(r.measure, r.start, r.effect, r.low, r.high, r.p_value,
                              r.treated_teams, r.other_teams, r.cells, status)  # fmt: skip
