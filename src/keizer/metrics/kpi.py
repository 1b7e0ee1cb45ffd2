"""The KPI dispatcher: one call shape for every KPI.

``kpi(tables, "nps", by=["team", "month"], where={"channel": "phone"},
period=(date(2025, 1, 1), date(2025, 12, 31)), compare="previous_period")`` returns a frame
with the ``by`` columns, the contract's result columns and, when asked, the comparison columns
(see ``keizer.metrics.contract``). Employee-experience figures pass the anonymity guard here,
so no caller can bypass it. A list of names gives one frame for several KPIs of one kind
(survey, workforce or operations), computed together: survey KPIs from one query, workforce
KPIs sharing the counts they have in common (person-days, leavers, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from keizer.errors import ValidationError
from keizer.metrics import statistics
from keizer.metrics._guard import (
    EmployeePlans,
    employee_segment,
    guard,
    previous_period,
    time_cells,
    whole_months,
)
from keizer.metrics._segments import buckets
from keizer.metrics.contract import COMPARISON_COLUMNS, RESULT_COLUMNS
from keizer.metrics.operations import OPERATIONS_KPIS, operations_kpi
from keizer.metrics.survey_kpis import (
    EMPLOYEE_METRICS,
    SURVEY_KPIS,
    SurveyKpi,
    compare,
    counts_for,
    estimate,
    of_metric,
    previous_in_series,
    survey_statistics,
    zero_filled,
)
from keizer.metrics.survey_queries import STATISTICS, TIME_SEGMENTS, StoreTables
from keizer.metrics.workforce import WORKFORCE_KPIS, SharedCounts, workforce_kpi

Comparison = Literal["previous_period"]
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class KpiRequest:
    """What to compute; see the module docstring."""

    name: str | tuple[str, ...]
    by: tuple[str, ...] = ()
    where: Mapping[str, object] = field(default_factory=dict)
    period: tuple[date, date] | None = None
    compare: Comparison | None = None
    confidence: float = 0.95
    alpha: float = 0.05
    min_group_size: int = 5

    def bounds(self) -> tuple[date, date]:
        if self.period is None:
            return EARLIEST, date.today()
        start, end = self.period
        if end < start:
            raise ValidationError(f"the period ends ({end}) before it starts ({start})")
        return start, end


def kpi_names() -> list[str]:
    """Every KPI the dispatcher knows."""
    return sorted({*SURVEY_KPIS, *WORKFORCE_KPIS, *OPERATIONS_KPIS})


def kpi(tables: StoreTables, request: KpiRequest) -> pd.DataFrame:
    """Compute one KPI, or several in one pass over the data (see the module docstring)."""
    if isinstance(request.name, str) and request.name in {*WORKFORCE_KPIS, *OPERATIONS_KPIS}:
        return _workforce_or_operations(tables, request, request.name)
    names = [request.name] if isinstance(request.name, str) else list(request.name)
    if names and (
        all(n in WORKFORCE_KPIS for n in names) or all(n in OPERATIONS_KPIS for n in names)
    ):
        shared = SharedCounts(tables, names)  # counts they have in common: read once
        parts = [_workforce_or_operations(tables, request, n, shared) for n in names]
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    unknown = [n for n in names if n not in SURVEY_KPIS]
    if unknown or not names:
        raise ValidationError(
            f"unknown KPI {', '.join(map(repr, unknown)) or '(none)'}; "
            f"KPIs: {', '.join(kpi_names())}"
        )
    if request.compare is not None and request.compare != "previous_period":
        raise ValidationError(f"unknown comparison {request.compare!r}; use previous_period")
    by = list(request.by)
    if len(set(by)) != len(by):
        raise ValidationError("a segment appears twice in 'by'")
    start, end = request.bounds()
    definitions = [SURVEY_KPIS[n] for n in names]
    metrics = sorted({d.metric for d in definitions})
    where = dict(request.where)
    employee = [d.metric for d in definitions if d.metric in EMPLOYEE_METRICS]
    segment = employee_segment(by, where) if employee else None
    periods = time_cells(start, end) if employee and request.period is not None else None
    counts = counts_for(definitions)
    earlier = earlier_cells = None
    if request.compare == "previous_period" and not any(k in TIME_SEGMENTS for k in by):
        if request.period is None:
            raise ValidationError("compare=previous_period needs a period")
        before_start, before_end = previous_period(start, end)
        stats, earlier = _both_periods(
            tables, metrics, by, (before_start, before_end), (start, end), where, counts
        )
        earlier_cells = time_cells(before_start, before_end) if employee else None
    else:
        stats = survey_statistics(
            tables, metrics, by=by, start=start, end=end, where=where, counts=counts
        )
    plans = EmployeePlans(tables, employee, segment=segment, k=request.min_group_size,
                          period_end=end)  # fmt: skip
    parts = []
    for definition in definitions:
        own = of_metric(stats, definition.metric)
        result = _with_estimates(definition, own, by, request)
        if request.compare == "previous_period":
            before = of_metric(earlier, definition.metric) if earlier is not None else None
            result = _with_changes(definition, own, before, result, by, request)
        if definition.metric in EMPLOYEE_METRICS and not result.empty:
            plan = plans(definition.metric)
            result = guard(result, plan, by=by, where=where, periods=periods,
                           earlier=earlier_cells)  # fmt: skip
            if request.compare == "previous_period":
                result = _adjusted(result, request.alpha)
        parts.append(result)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _both_periods(
    tables: StoreTables,
    metrics: list[str],
    by: list[str],
    before: tuple[date, date],
    period: tuple[date, date],
    where: Mapping[str, object],
    counts: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The statistics of ``period`` and of the ``before`` it. When the period is one month,
    quarter or year, both are read in one query as that segment's two buckets (the rows of a
    bucket are those of its period alone: distinct respondents are counted per bucket)."""

    def read(segments: list[str], start: date, end: date) -> pd.DataFrame:
        return survey_statistics(
            tables, metrics, by=segments, start=start, end=end, where=where, counts=counts
        )

    unit = _one_bucket(*period)
    if unit is None:
        return read(by, *period), read(by, *before)
    return _split_buckets(read([*by, unit], before[0], period[1]), unit, period)


def _split_buckets(
    both: pd.DataFrame, unit: str, period: tuple[date, date]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``period``'s bucket and those of the bucket before, without ``unit``."""
    now = both[unit] == buckets(*period, [unit])[0].label
    current, earlier = (both[rows].drop(columns=unit).reset_index(drop=True)
                        for rows in (now, ~now))  # fmt: skip
    return current, earlier


def _workforce_or_operations(
    tables: StoreTables, request: KpiRequest, name: str, shared: SharedCounts | None = None
) -> pd.DataFrame:
    """Workforce KPIs (HR data: anonymity by headcount) and operations KPIs, with changes
    against the previous period or bucket when asked (``shared``: see ``workforce_kpi``)."""
    if request.compare is not None and request.compare != "previous_period":
        raise ValidationError(f"unknown comparison {request.compare!r}; use previous_period")
    start, end = request.bounds()
    shared = shared if shared is not None else SharedCounts(tables)
    unit = _one_bucket(start, end) if _both_as_buckets(request, name) else None
    earlier = None
    if unit is None:
        result = _workforce_or_operations_figures(tables, request, name, start, end, shared)
    else:  # both periods as two buckets of one period: one set of queries, not two
        both = _workforce_or_operations_figures(
            tables, replace(request, by=(*request.by, unit)), name,
            previous_period(start, end)[0], end, shared,
        )  # fmt: skip
        result, earlier = _split_buckets(both, unit, (start, end))
    if request.compare is None:
        return result
    by = list(result.columns[: list(result.columns).index("kpi")])  # + e.g. leave_reason
    if any(k in TIME_SEGMENTS for k in by):
        figures = ["value", "n", "ci_low", "ci_high", "suppressed"]
        before = previous_in_series(result, by, figures)
    elif request.period is None:
        raise ValidationError("compare=previous_period needs a period")
    else:
        if earlier is None:
            earlier = _workforce_or_operations_figures(
                tables, request, name, *previous_period(start, end), shared
            )
        before = result[by].merge(earlier, on=by, how="left") if by else earlier
        if len(before) != len(result):  # nothing in the earlier period
            before = pd.DataFrame({c: [np.nan] * len(result) for c in result.columns})
    return _interval_changes(result, before.reset_index(drop=True), by, request)


def _both_as_buckets(request: KpiRequest, name: str) -> bool:
    """Whether a workforce comparison may read both periods as buckets of one: a bucket's
    figures are those of its period alone (clipped, tenure at its end, headcount per
    bucket), so only the number of queries changes."""
    return (
        request.compare == "previous_period" and request.period is not None
        and name in WORKFORCE_KPIS and not any(k in TIME_SEGMENTS for k in request.by)
    )  # fmt: skip


def _one_bucket(start: date, end: date) -> str | None:
    """``month``, ``quarter`` or ``year`` when ``start``..``end`` is exactly one of them."""
    if not whole_months(start, end):
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return "month"
    if months == 3 and start.month % 3 == 1:
        return "quarter"
    return "year" if months == 12 and start.month == 1 else None


def _workforce_or_operations_figures(
    tables: StoreTables,
    request: KpiRequest,
    name: str,
    start: date,
    end: date,
    shared: SharedCounts,
) -> pd.DataFrame:
    common = {"kpi": name, "by": list(request.by), "start": start, "end": end,
              "where": dict(request.where) or None, "confidence": request.confidence}  # fmt: skip
    if name in WORKFORCE_KPIS:
        result = workforce_kpi(tables, **common, shared=shared)  # type: ignore[arg-type]
        small = result["n"].to_numpy(dtype=float) < request.min_group_size
        hidden = [c for c in ("value", "n", "ci_low", "ci_high") if c in result]
        result.loc[small, hidden] = np.nan
        result.loc[small, "low_n"] = False
        result.loc[small, "suppressed"] = True
        result.loc[small, "reason"] = f"fewer than {request.min_group_size} employees"
        return result
    return operations_kpi(tables, **common)  # type: ignore[arg-type]


def _interval_changes(
    result: pd.DataFrame, before: pd.DataFrame, by: list[str], request: KpiRequest
) -> pd.DataFrame:
    """Change against ``before`` (aligned rows) with a Wald test from the two intervals.

    The standard error of each estimate is read from its interval (width / 2z), and the
    difference is tested as normal (Altman & Bland, BMJ 2003;326:219): the workforce and
    operations estimators (Poisson/Wilson/t/ratio intervals) do not share one exact
    two-sample test. Figures without an interval (counts, costs) get the change only.
    """
    z = float(stats.norm.isf((1 - request.confidence) / 2))
    value = result["value"].to_numpy(dtype=float)
    previous = before["value"].to_numpy(dtype=float)
    hidden_before = before["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    previous = np.where(hidden_before, np.nan, previous)
    se_now = (result["ci_high"].to_numpy(float) - result["ci_low"].to_numpy(float)) / (2 * z)
    se_before = (before["ci_high"].to_numpy(float) - before["ci_low"].to_numpy(float)) / (2 * z)
    change = value - previous
    se = np.sqrt(se_now**2 + se_before**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(se > 0, 2 * stats.norm.sf(np.abs(change) / se), np.nan)
    out = result.copy()
    out["compare_value"] = previous
    out["compare_n"] = np.where(hidden_before, np.nan, before["n"].to_numpy(dtype=float))
    out["change"] = change
    out["change_ci_low"] = change - z * se
    out["change_ci_high"] = change + z * se
    out["p_value"] = p_value
    out["p_adjusted"] = statistics.benjamini_hochberg(p_value)
    out["significant"] = out["p_adjusted"] < request.alpha
    return out[[*by, *RESULT_COLUMNS, *COMPARISON_COLUMNS]]


def _with_estimates(
    definition: SurveyKpi, stats: pd.DataFrame, by: list[str], request: KpiRequest
) -> pd.DataFrame:
    estimates = estimate(definition, stats, confidence=request.confidence)
    result = pd.concat([stats[by].reset_index(drop=True), estimates], axis=1)
    result.insert(len(by), "kpi", definition.name)
    result["low_n"] = statistics.below_min_n(
        result["n"].to_numpy(dtype=float), "nps" if definition.family == "nps" else "mean"
    )
    result["suppressed"] = False
    result["reason"] = None
    result["respondents"] = stats["respondents"].to_numpy()
    if definition.metric in EMPLOYEE_METRICS:
        result = _protect_employees(result, by, request.min_group_size)
    return result[[*by, *RESULT_COLUMNS, "respondents"]]


def _protect_employees(result: pd.DataFrame, by: list[str], k: int) -> pd.DataFrame:
    """Minimum group size on distinct respondents (full guard: keizer.metrics.anonymity)."""
    small = result["respondents"] < k
    result.loc[small, ["value", "ci_low", "ci_high", "n", "respondents"]] = np.nan
    result.loc[small, "low_n"] = False
    result.loc[small, "suppressed"] = True
    result.loc[small, "reason"] = f"fewer than {k} respondents"
    return result


def _with_changes(
    definition: SurveyKpi,
    stats: pd.DataFrame,
    earlier: pd.DataFrame | None,
    result: pd.DataFrame,
    by: list[str],
    request: KpiRequest,
) -> pd.DataFrame:
    """Add the change against the previous time bucket (when ``by`` has one) or against
    ``earlier``, the statistics of the previous period of equal length."""
    time_keys = [k for k in by if k in TIME_SEGMENTS]
    if result.empty:
        for column in COMPARISON_COLUMNS:
            result[column] = pd.Series(dtype=bool if column == "significant" else float)
        return result[[*by, *RESULT_COLUMNS, *COMPARISON_COLUMNS, "respondents"]]
    if time_keys:
        columns = [c for c in STATISTICS if c in stats.columns]
        before = stats[by].join(previous_in_series(stats, by, columns))
    else:
        assert earlier is not None
        before = stats[by].merge(earlier, on=by, how="left") if by else earlier
        if not by and before.empty:
            before = pd.DataFrame({c: [0.0] for c in STATISTICS})
    before = zero_filled(before, STATISTICS)
    now = zero_filled(stats, STATISTICS)
    change = compare(definition, now, before, confidence=request.confidence)
    previous = estimate(definition, before, confidence=request.confidence)
    result["compare_value"] = previous["value"].to_numpy()
    result["compare_n"] = before["n"].to_numpy()
    result["change"] = change["difference"].to_numpy()
    result["change_ci_low"] = change["ci_low"].to_numpy()
    result["change_ci_high"] = change["ci_high"].to_numpy()
    result["p_value"] = change["p_value"].to_numpy()
    hidden = result["suppressed"].to_numpy(dtype=bool)
    if definition.metric in EMPLOYEE_METRICS:
        too_few_before = before["respondents"].to_numpy() < request.min_group_size
        hide = hidden | too_few_before
        if hide.any():
            result.loc[hide, ["compare_value", "compare_n", "change", "change_ci_low",
                              "change_ci_high", "p_value"]] = np.nan  # fmt: skip
    result["p_adjusted"] = statistics.benjamini_hochberg(result["p_value"].to_numpy(float))
    result["significant"] = result["p_adjusted"] < request.alpha
    return result[[*by, *RESULT_COLUMNS, *COMPARISON_COLUMNS, "respondents"]]


def _adjusted(result: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Benjamini–Hochberg again over the changes still shown (hidden ones do not count)."""
    p_values = result["p_value"].to_numpy(dtype=float, na_value=np.nan)
    adjusted = statistics.benjamini_hochberg(p_values)
    shown = ~np.isnan(p_values)
    result["p_adjusted"] = adjusted
    result["significant"] = pd.array(
        [bool(a < alpha) if s else pd.NA for a, s in zip(adjusted, shown, strict=True)],
        dtype="boolean",
    )
    return result
