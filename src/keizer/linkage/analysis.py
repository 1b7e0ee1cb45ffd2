"""One linkage analysis: every model on one panel, with multiple-testing control and
plain-language summaries, as plain data (DataFrames and dataclasses) for the CLI report, the
web page and notebooks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keizer.errors import ValidationError
from keizer.linkage._stats import correlation
from keizer.linkage.absence import absence_links
from keizer.linkage.drivers import (
    DriverImportance,
    JointDrivers,
    driver_importance,
    joint_drivers,
)
from keizer.linkage.effects import TeamCells, lagged, team_cells, team_effects
from keizer.linkage.gaps import equipment_gaps, perception_gaps
from keizer.linkage.intervention import Intervention, InterventionEffect, intervention_effect
from keizer.linkage.labels import status_text
from keizer.linkage.options import LinkageOptions
from keizer.linkage.panel import CX_OUTCOMES, SURVEY_MEASURES, Panel, records
from keizer.linkage.retention import Retention, retention
from keizer.linkage.summaries import (
    ASSOCIATION_NOTE,
    absence_sentence,
    effect_sentence,
    gap_sentence,
    hazard_sentence,
)
from keizer.metrics.statistics import benjamini_hochberg


@dataclass(frozen=True)
class LinkageResult:
    """Everything a linkage report shows. Frames hold one row per finding; ``summary_en`` /
    ``summary_nl`` columns carry the plain-language sentence. ``significant`` is after
    Benjamini–Hochberg control of the false-discovery rate over every link tested."""

    options: LinkageOptions
    teams: int
    months: list[str]
    effects: pd.DataFrame
    correlations: pd.DataFrame
    drivers: DriverImportance | None
    joint: list[JointDrivers]
    retention: Retention
    absence: pd.DataFrame
    gaps: pd.DataFrame
    equipment: pd.DataFrame
    intervention: InterventionEffect | None
    notes: dict[str, list[str]] = field(default_factory=dict)

    def links(self) -> pd.DataFrame:
        """Every tested link in one frame: kind, name, estimate, p, q, significant."""
        rows = []
        ok = self.effects[self.effects["status"] == "ok"]
        for r in records(ok):
            rows.append(("team", f"{r.measure} -> {r.outcome} (lag {r.lag})", r.estimate,
                         r.p_value, r.q_value, r.significant))  # fmt: skip
        if self.retention.status == "ok":
            for r in records(self.retention.hazard_ratios):
                rows.append(("retention", f"{r.covariate} -> leaving", r.log_hr, r.p_value,
                             r.q_value, r.significant))  # fmt: skip
        for r in records(self.absence):
            rows.append(("absence", f"{r.measure} -> absence", r.log_rr, r.p_value, r.q_value,
                         r.significant))  # fmt: skip
        return pd.DataFrame(
            rows, columns=["kind", "link", "estimate", "p_value", "q_value", "significant"]
        )


def analyse(
    panel: Panel, options: LinkageOptions | None = None,
    intervention: Intervention | None = None, *, descriptive: bool = True,
) -> LinkageResult:  # fmt: skip
    """Run every linkage model on ``panel`` (see docs/linkage.md). With ``descriptive``
    false only the tested links are computed (effects, retention, absence): no correlations,
    driver importance, perception gaps or equipment comparison."""
    options = options or LinkageOptions()
    if panel.contacts.empty or panel.agent_answers().empty:
        raise ValidationError(
            "nothing to link: the store needs employee pulse answers of teams and the contacts "
            "those teams handled; import them (keizer import ...) or try 'keizer demo'"
        )
    cells = team_cells(panel, options)
    effects = _effects_frame(cells, options)
    ret = retention(panel, options)
    absence_list, absence_status = absence_links(panel, options)
    absence = pd.DataFrame([vars(a) for a in absence_list]) if absence_list else pd.DataFrame(
        columns=["measure", "rate_ratio", "log_rr", "se", "low", "high", "p_value"])  # fmt: skip
    hr = ret.hazard_ratios
    # One false-discovery-rate family over every link tested.
    p_all = np.concatenate([
        effects.loc[effects["status"] == "ok", "p_value"].to_numpy(float),
        hr["p_value"].to_numpy(float) if len(hr) else np.array([]),
        absence["p_value"].to_numpy(float),
    ])  # fmt: skip
    q_all = benjamini_hochberg(p_all) if p_all.size else p_all
    n_eff = int((effects["status"] == "ok").sum())
    effects["q_value"] = np.nan
    effects.loc[effects["status"] == "ok", "q_value"] = q_all[:n_eff]
    effects["significant"] = effects["q_value"] <= options.alpha
    if len(hr):
        hr = hr.assign(q_value=q_all[n_eff : n_eff + len(hr)])
        hr["significant"] = hr["q_value"] <= options.alpha
        ret = dataclasses.replace(ret, hazard_ratios=hr)
    absence["q_value"] = q_all[n_eff + len(hr) :]
    absence["significant"] = absence["q_value"] <= options.alpha
    _absence_summaries(absence, options)
    gaps = pd.DataFrame([vars(g) for g in perception_gaps(panel, options)] if descriptive else [])
    if len(gaps):
        gaps["q_value"] = benjamini_hochberg(gaps["p_value"].to_numpy(float))
        gaps["significant"] = gaps["q_value"] <= options.alpha
        for language in ("en", "nl"):
            gaps[f"summary_{language}"] = [
                gap_sentence(g.measure, g.group, g.gap, g.low, g.high, options.confidence, language)
                for g in records(gaps)
            ]
    equipment = pd.DataFrame(
        [vars(e) for e in equipment_gaps(panel, options)] if descriptive else []
    )
    joint = [
        j for outcome in CX_OUTCOMES
        if descriptive and (j := joint_drivers(panel, cells, outcome, 1, options)) is not None
    ]  # fmt: skip
    notes = {language: [ASSOCIATION_NOTE[language]] for language in ("en", "nl")}
    if absence_status != "ok":
        notes["en"].append(f"Absence model not shown: {absence_status}.")
        notes["nl"].append(f"Verzuimmodel niet getoond: {status_text(absence_status, 'nl')}.")
    if ret.status != "ok":
        notes["en"].append(f"Retention model not shown: {ret.status}.")
        notes["nl"].append(f"Behoudmodel niet getoond: {status_text(ret.status, 'nl')}.")
    return LinkageResult(
        options=options,
        teams=len(cells.teams),
        months=cells.months,
        effects=effects,
        correlations=_correlations(cells, options) if descriptive else pd.DataFrame(),
        drivers=driver_importance(panel, options) if descriptive else None,
        joint=joint,
        retention=_retention_summaries(ret, options),
        absence=absence,
        gaps=gaps,
        equipment=equipment,
        intervention=(
            intervention_effect(panel, intervention, options) if intervention is not None else None
        ),
        notes=notes,
    )


EFFECT_COLUMNS = [
    "measure", "outcome", "lag", "estimate", "se", "low", "high", "p_value", "cells", "teams",
    "months", "status",
]  # fmt: skip


def _effects_frame(cells: TeamCells, options: LinkageOptions) -> pd.DataFrame:
    rows = []
    for e in team_effects(cells, options):
        row: dict[str, object] = {
            "measure": e.measure, "outcome": e.outcome, "lag": e.lag, "estimate": np.nan,
            "se": np.nan, "low": np.nan, "high": np.nan, "p_value": np.nan, "cells": e.cells,
            "teams": e.teams, "months": e.months, "status": e.status,
        }  # fmt: skip
        if e.fit is not None:
            b, se, low, high = e.fit.estimate("measure", options.confidence)
            row.update(estimate=b, se=se, low=low, high=high, p_value=e.fit.p_value("measure"))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    for language in ("en", "nl"):
        frame[f"summary_{language}"] = [
            effect_sentence(
                r.measure, r.outcome, r.lag, r.estimate, r.low, r.high, options.confidence, language
            )
            if r.status == "ok"
            else ""
            for r in records(frame)
        ]
    return frame


def _absence_summaries(absence: pd.DataFrame, options: LinkageOptions) -> None:
    for language in ("en", "nl"):
        absence[f"summary_{language}"] = [
            absence_sentence(r.measure, r.rate_ratio, r.low, r.high, options.confidence, language)
            for r in records(absence)
        ]


def _retention_summaries(ret: Retention, options: LinkageOptions) -> Retention:
    if ret.status != "ok":
        return ret
    hr = ret.hazard_ratios.copy()
    for language in ("en", "nl"):
        hr[f"summary_{language}"] = [
            hazard_sentence(r.hr, r.low, r.high, options.confidence, language)
            if r.covariate == "manager_rating"
            else ""
            for r in records(hr)
        ]
    return dataclasses.replace(ret, hazard_ratios=hr)


def _correlations(cells: TeamCells, options: LinkageOptions) -> pd.DataFrame:
    """Team-month correlations of each pulse measure with next month's customer outcomes."""
    rows = []
    for measure in SURVEY_MEASURES:
        if measure not in cells.ex:
            continue
        x = lagged(cells.ex[measure][0], 1)
        for outcome in CX_OUTCOMES:
            if outcome not in cells.outcomes:
                continue
            y = cells.outcomes[outcome]
            ok = np.isfinite(x) & np.isfinite(y)
            team_idx = np.nonzero(ok)[0]
            if len(np.unique(team_idx)) < options.min_teams or ok.sum() < 10:
                continue
            c = correlation(
                x[ok], y[ok], team_idx.astype(np.int64), confidence=options.confidence,
                n_boot=options.n_boot, seed=options.seed,
            )  # fmt: skip
            rows.append({"measure": measure, "outcome": outcome, "lag": 1, **vars(c)})
    return pd.DataFrame(rows)
