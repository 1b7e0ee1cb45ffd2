"""Perception gaps and working conditions, from the same pulse questions.

- **Perception gaps**: the board, managers and team leads answer the pulse questions too.
  For every question the gap between each group and the front-line staff is estimated on the
  latent scale (a normal variable rounded to the answer scale and capped at its ends, fitted
  by maximum likelihood per group), with an interval from the sandwich variance over
  respondents (their monthly answers are correlated) and t on the smaller group's
  respondents − 1 degrees of freedom. Groups smaller than ``min_group_size`` respondents are
  not shown.
- **Working from home without proper equipment**: the effort score (EES) of home and hybrid
  workers who say they lack proper equipment (answer 1–2 on "I have proper equipment to work
  from home") compared with those who have it (4–5), on each person's mean EES, with
  standard errors robust to clustering within teams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from keizer.linkage._stats import corrected_least_squares, latent_group
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import SURVEY_MEASURES, Panel
from keizer.linkage.queries import EQUIPMENT_CODE

GAP_GROUPS = ("board", "manager", "team_lead")
SCALES = {
    "ees": (1, 7), "ees_time": (1, 7), "ees_information": (1, 7), "ees_authority": (1, 7),
    "ees_competence": (1, 7), "engagement": (1, 5), "wellbeing": (1, 5), "stress": (1, 5),
    "enps": (0, 10), "manager_rating": (1, 10),
}  # fmt: skip


@dataclass(frozen=True)
class Gap:
    measure: str
    group: str
    group_mean: float  # mean answer of the group
    staff_mean: float  # mean answer of front-line staff
    gap: float  # latent gap (group − staff), answer points
    low: float
    high: float
    p_value: float
    group_respondents: int
    staff_respondents: int


def perception_gaps(panel: Panel, options: LinkageOptions) -> list[Gap]:
    a = panel.ex_answers
    a = a.assign(role=a["role"].fillna("agent"))
    out = []
    for measure in SURVEY_MEASURES:
        rows = a[a["measure"] == measure]
        if rows.empty:
            continue
        low, high = SCALES[measure]
        values = np.arange(low, high + 1, dtype=float)
        rows = rows.assign(value=rows["value"].clip(low, high).round())
        staff = rows[rows["role"] == "agent"]
        if staff["respondent"].nunique() < options.min_group_size:
            continue
        base = latent_group(_per_respondent(staff, values), values)
        for group in GAP_GROUPS:
            part = rows[rows["role"] == group]
            g = part["respondent"].nunique()
            if g < max(options.min_group_size, 2):
                continue
            fit = latent_group(_per_respondent(part, values), values)
            gap = fit.mean - base.mean
            # A group whose respondents all answer alike has a sandwich variance of zero,
            # or just below by rounding; when neither group varies there is no interval
            # and no test to show.
            variance = max(fit.mean_var, 0.0) + max(base.mean_var, 0.0)
            if not np.isfinite(variance) or variance <= 1e-12:
                continue
            se = float(np.sqrt(variance))
            df = min(fit.clusters, base.clusters) - 1
            t = float(stats.t.ppf(0.5 + options.confidence / 2, df))
            out.append(Gap(
                measure, group, float(part["value"].mean()), float(staff["value"].mean()),
                gap, gap - t * se, gap + t * se, float(2 * stats.t.sf(abs(gap / se), df)),
                g, int(staff["respondent"].nunique()),
            ))  # fmt: skip
    return out


def _per_respondent(rows: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Answers per respondent (rows) and answer value (columns)."""
    person = pd.factorize(rows["respondent"], sort=True)[0]
    column = np.searchsorted(values, rows["value"].to_numpy(float))
    counts = np.zeros((int(person.max()) + 1, values.size))
    np.add.at(counts, (person, column), 1.0)
    return counts


@dataclass(frozen=True)
class EquipmentGap:
    work_mode: str  # home or hybrid
    lacking: int  # people without proper equipment
    equipped: int
    difference: float  # EES of those lacking − those equipped
    low: float
    high: float
    p_value: float


def equipment_gaps(panel: Panel, options: LinkageOptions) -> list[EquipmentGap]:
    """EES of home and hybrid workers without vs with proper equipment (person means)."""
    a = panel.agent_answers()
    people = panel.people.set_index("person")
    equipment = a[a["measure"] == EQUIPMENT_CODE].groupby("respondent")["value"].mean()
    ees = (
        a[a["measure"] == "ees"]
        .groupby("respondent")
        .agg(ees=("value", "mean"), team=("team", "first"))
    )
    data = ees.join(equipment.rename("equipment"), how="inner")
    data["work_mode"] = people["work_mode"].reindex(data.index)
    data = data[data["work_mode"].isin(["home", "hybrid"]) & data["equipment"].notna()]
    data = data[(data["equipment"] <= 2.5) | (data["equipment"] >= 3.5)]
    data["lacking"] = (data["equipment"] <= 2.5).astype(float)
    data = data.sort_index()
    out = []
    for mode in ("home", "hybrid"):
        part = data[data["work_mode"] == mode]
        lacking, equipped = int(part["lacking"].sum()), int((1 - part["lacking"]).sum())
        if min(lacking, equipped) < options.min_group_size or part["team"].nunique() < 3:
            continue
        x = np.column_stack([part["lacking"].to_numpy(), np.ones(len(part))])
        clusters = pd.factorize(part["team"])[0].astype(np.int64)
        fit = corrected_least_squares(
            part["ees"].to_numpy(float), x, clusters, ("lacking", "intercept")
        )
        b, _, low, high = fit.estimate("lacking", options.confidence)
        out.append(EquipmentGap(mode, lacking, equipped, b, low, high, fit.p_value("lacking")))
    return out
