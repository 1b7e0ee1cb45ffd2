"""Survey KPIs (NPS, eNPS, CSAT, CES, EES and its drivers, engagement, wellbeing, ...):
estimates with intervals and changes from the sufficient statistics the database returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keizer.metrics import statistics
from keizer.metrics._built_once import built_once
from keizer.metrics.survey_queries import (
    TIME_SEGMENTS,
    StoreTables,
    answers,
    in_written_join_order,
    rolled_up_statistics,
    sufficient_statistics,
)

Family = Literal["nps", "proportion", "mean"]


@dataclass(frozen=True)
class SurveyKpi:
    """How a KPI is read from answers to questions of one metric."""

    name: str
    metric: str
    family: Family
    successes: Literal["top", "agree", "low"] | None = None
    description: str = ""


SURVEY_KPIS: dict[str, SurveyKpi] = {
    k.name: k
    for k in (
        SurveyKpi("nps", "nps", "nps", description="Net Promoter Score, -100..100"),
        SurveyKpi("enps", "enps", "nps", description="employee Net Promoter Score, -100..100"),
        SurveyKpi("csat", "csat", "proportion", "top", "share top-2-box (0..1)"),
        SurveyKpi("ces", "ces", "mean", description="Customer Effort Score, mean 1..7"),
        SurveyKpi("ces_agree", "ces", "proportion", "agree", "share agreeing 5-7 (0..1)"),
        SurveyKpi("ees", "ees", "mean", description="Employee Effort Score, mean 1..7"),
        SurveyKpi("ees_agree", "ees", "proportion", "agree", "share agreeing 5-7 (0..1)"),
        SurveyKpi("ees_time", "ees_time", "mean", description="EES driver: time available"),
        SurveyKpi("ees_information", "ees_information", "mean",
                  description="EES driver: information at hand"),
        SurveyKpi("ees_authority", "ees_authority", "mean",
                  description="EES driver: authority to act"),
        SurveyKpi("ees_competence", "ees_competence", "mean",
                  description="EES driver: competences"),
        SurveyKpi("engagement", "engagement", "mean", description="engagement, mean 1..5"),
        SurveyKpi("wellbeing", "wellbeing", "mean", description="wellbeing, mean 1..5"),
        SurveyKpi("burnout_risk", "wellbeing", "proportion", "low",
                  "share with wellbeing at or below 2 of 5 (0..1)"),
        SurveyKpi("stress", "stress", "mean", description="experienced pressure, mean 1..5"),
        SurveyKpi("manager_rating", "manager_rating", "mean",
                  description="grade for the manager, mean 1..10"),
    )
}  # fmt: skip
EMPLOYEE_METRICS = {
    "enps", "ees", "ees_time", "ees_information", "ees_authority", "ees_competence",
    "engagement", "wellbeing", "stress", "manager_rating",
}  # fmt: skip


def survey_statistics(
    tables: StoreTables,
    metrics: Sequence[str],
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Mapping[str, object] | None = None,
    counts: Sequence[str] = ("promoters", "detractors", "top", "agree", "low"),
) -> pd.DataFrame:
    """Sufficient statistics per group and metric, from the database in one query."""
    expr = _statistics_query(tables, metrics, by=by, start=start, end=end, where=where,
                             counts=counts)  # fmt: skip
    if any(m in EMPLOYEE_METRICS for m in metrics):
        frame: pd.DataFrame = expr.to_pandas()
    else:
        frame = in_written_join_order(expr)
    return frame.sort_values([*by, "metric"]).reset_index(drop=True)


@built_once
def _statistics_query(
    tables: StoreTables,
    metrics: Sequence[str],
    *,
    by: Sequence[str],
    start: date,
    end: date,
    where: Mapping[str, object] | None,
    counts: Sequence[str],
) -> ir.Table:
    if any(m in EMPLOYEE_METRICS for m in metrics):  # distinct respondents: one step
        needed = [*by, *(where or {})]
        return sufficient_statistics(
            answers(tables, metrics, needed, (start, end)), by=by, start=start, end=end,
            where=where, counts=counts,
        )  # fmt: skip
    return rolled_up_statistics(
        tables, metrics, by=by, start=start, end=end, where=where, counts=counts
    )


def counts_for(kpis: Sequence[SurveyKpi]) -> list[str]:
    """The bucket counts the KPIs' estimates and tests read."""
    needed: set[str] = set()
    for kpi in kpis:
        if kpi.family == "nps":
            needed |= {"promoters", "detractors"}
        elif kpi.successes is not None:
            needed.add(kpi.successes)
    return sorted(needed)


def of_metric(stats: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric, without the metric column."""
    return stats[stats["metric"] == metric].drop(columns=["metric"]).reset_index(drop=True)


def estimate(kpi: SurveyKpi, stats: pd.DataFrame, *, confidence: float) -> pd.DataFrame:
    """Value, n and interval per row of ``stats``."""
    if kpi.family == "nps":
        passives = stats.n - stats.promoters - stats.detractors
        result = statistics.nps_frame(
            stats.promoters, passives, stats.detractors, confidence=confidence
        )
        method = "Tango score interval"
    elif kpi.family == "proportion":
        assert kpi.successes is not None
        result = statistics.proportion_frame(stats[kpi.successes], stats.n, confidence=confidence)
        method = "Wilson score interval"
    else:
        result = statistics.mean_frame(
            stats.n, stats.total, stats.sum_squares, confidence=confidence
        )
        method = "t interval"
    result = result.reset_index(drop=True)
    result["method"] = method
    return result[["value", "n", "ci_low", "ci_high", "method"]]


def compare(
    kpi: SurveyKpi, now: pd.DataFrame, before: pd.DataFrame, *, confidence: float
) -> pd.DataFrame:
    """Change between two aligned frames of sufficient statistics (``before`` may hold NaN
    rows for groups that had no answers then)."""
    if kpi.family == "nps":
        result = statistics.compare_nps_frame(
            promoters_a=before.promoters, passives_a=before.n - before.promoters
            - before.detractors, detractors_a=before.detractors,
            promoters_b=now.promoters, passives_b=now.n - now.promoters - now.detractors,
            detractors_b=now.detractors, confidence=confidence,
        )  # fmt: skip
    elif kpi.family == "proportion":
        assert kpi.successes is not None
        result = statistics.compare_proportions_frame(
            successes_a=before[kpi.successes], n_a=before.n,
            successes_b=now[kpi.successes], n_b=now.n, confidence=confidence,
        )  # fmt: skip
    else:
        result = statistics.compare_means_frame(
            n_a=before.n, total_a=before.total, sum_squares_a=before.sum_squares,
            n_b=now.n, total_b=now.total, sum_squares_b=now.sum_squares, confidence=confidence,
        )  # fmt: skip
    return result.reset_index(drop=True)


def zero_filled(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Missing comparison groups have no answers: zero counts, so tests return NaN."""
    out = frame.copy()
    present = [c for c in columns if c in out]
    out[present] = out[present].fillna(0).astype(np.float64)  # one block, not one per column
    return out


def previous_in_series(frame: pd.DataFrame, by: Sequence[str], columns: list[str]) -> pd.DataFrame:
    """For each row of ``frame`` (one per group of ``by``), ``columns`` of the row of the
    preceding time bucket in the same series (NaN for the first), aligned to ``frame``."""
    time_keys = [k for k in by if k in TIME_SEGMENTS]
    series = [k for k in by if k not in time_keys]
    ordered = frame.sort_values([*series, *time_keys])
    shifted = (
        ordered.groupby(series, sort=False)[columns].shift(1)
        if series
        else ordered[columns].shift(1)
    )
    return shifted.reindex(frame.index)
