"""Workforce KPIs: turnover, headcount, hires, leavers and Dutch sickness-absence figures.

``workforce_kpi(tables, kpi="verzuimpercentage", by=["team"], start=..., end=...)`` returns
the contract frame (``keizer.metrics.contract``). The database returns person-days, counts
and sums per group (``keizer.metrics._workforce_queries``); figures and intervals are
computed here. Definitions and references: docs/metrics.md, "Workforce and operations KPIs".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keizer.errors import ValidationError
from keizer.metrics import _workforce_queries as queries
from keizer.metrics import statistics
from keizer.metrics._segments import (
    EMPLOYEE_SEGMENTS,
    ORG_SEGMENTS,
    TIME_SEGMENTS,
    WorkforceTables,
    check_request,
)
from keizer.metrics.contract import RESULT_COLUMNS

DAYS_PER_YEAR = 365.25
DEFAULT_COST_PER_LEAVER = 12_500.0
WORKFORCE_SEGMENTS = (*ORG_SEGMENTS, *EMPLOYEE_SEGMENTS, *TIME_SEGMENTS)
Kind = Literal["rate", "proportion", "mean", "figure"]


@dataclass(frozen=True)
class WorkforceKpi:
    """A workforce KPI: its statistical kind (for comparisons), unit and rate scale."""

    name: str
    kind: Kind
    unit: str
    description: str
    scale: float = 1.0  # rates: value = scale * events / person-days


WORKFORCE_KPIS: dict[str, WorkforceKpi] = {
    k.name: k
    for k in (
        WorkforceKpi("voluntary_turnover", "rate", "% per year",
                     "voluntary leavers / average headcount, annualised", 100 * DAYS_PER_YEAR),
        WorkforceKpi("turnover", "rate", "% per year",
                     "all leavers / average headcount, annualised", 100 * DAYS_PER_YEAR),
        WorkforceKpi("turnover_cost", "figure", "EUR", "leavers x cost per leaver (by role)"),
        WorkforceKpi("headcount", "figure", "employees", "average headcount in the period"),
        WorkforceKpi("headcount_end", "figure", "employees", "employed on the last day"),
        WorkforceKpi("hires", "figure", "employees", "hire dates in the period"),
        WorkforceKpi("leavers", "figure", "employees", "leave dates in the period"),
        WorkforceKpi("leavers_by_reason", "figure", "employees",
                     "leavers per reason (adds a 'leave_reason' column)"),
        WorkforceKpi("verzuimpercentage", "figure", "%",
                     "sick days x fraction x part-time factor / available days x part-time "
                     "factor x 100"),
        WorkforceKpi("meldingsfrequentie", "rate", "reports per employee per year",
                     "new sickness reports / average headcount, annualised", DAYS_PER_YEAR),
        WorkforceKpi("verzuimduur", "mean", "calendar days",
                     "mean length of sickness cases ended (recovered) in the period"),
        WorkforceKpi("nulverzuim", "proportion", "%",
                     "employees employed in the period without a sick day in it"),
        WorkforceKpi("ex_response_rate", "proportion", "%",
                     "employees employed in the period who answered an employee survey in it"),
    )
}  # fmt: skip


def workforce_kpi(
    tables: WorkforceTables,
    *,
    kpi: str,
    by: Sequence[str] = (),
    start: date,
    end: date,
    where: Mapping[str, object] | None = None,
    cost_per_leaver: Mapping[str, float] | float = DEFAULT_COST_PER_LEAVER,
    confidence: float = 0.95,
    statistics_columns: bool = False,
    shared: SharedCounts | None = None,
) -> pd.DataFrame:
    """One row per group: the ``by`` columns, then ``RESULT_COLUMNS``.

    ``tables`` has Ibis tables ``employee``, ``org_unit``, ``hr_event``, ``absence_spell``.
    ``cost_per_leaver`` is one amount or a mapping role -> amount (roles not in it cost
    the default). With ``statistics_columns`` the sufficient statistics behind each figure
    are appended (``events``/``exposure_days`` for rates, ``successes`` for proportions,
    ``total``/``sum_squares`` for means) for comparisons between periods. Several KPIs of one
    request pass one ``shared``: the counts they have in common (person-days, leavers, ...)
    are then read from the database once.
    """
    definition = WORKFORCE_KPIS.get(kpi)
    if definition is None:
        raise ValidationError(f"unknown workforce KPI {kpi!r}; KPIs: {', '.join(WORKFORCE_KPIS)}")
    by = list(by)
    check_request(kpi, by, where, WORKFORCE_SEGMENTS, start, end)

    shared = shared if shared is not None else SharedCounts(tables)

    def run(query: Callable[..., ir.Table], extra: Sequence[str] = ()) -> pd.DataFrame:
        return shared.get(query, by=by, start=start, end=end, where=where, extra=extra)

    people = run(queries.population)
    if kpi == "leavers_by_reason":
        left = run(queries.leavers, extra=["leave_reason"])
        stats = _merge(left, people, by)
        stats = stats[stats["leave_reason"].notna() | (stats["leavers"] > 0)]
        by = [*by, "leave_reason"]
    elif kpi in ("voluntary_turnover", "turnover", "leavers", "turnover_cost"):
        by_role = kpi == "turnover_cost" or "turnover_cost" in shared.kpis
        left = run(queries.leavers, extra=["role"] if by_role else [])
        if kpi == "turnover_cost":
            left = _with_cost(left, by, cost_per_leaver)
        elif by_role:  # the same counts, summed over roles
            left = _summed(left, by, ["leavers", "voluntary_leavers"])
        stats = _merge(people, left, by)
    elif kpi == "hires":
        stats = _merge(people, run(queries.hires), by)
    elif kpi in ("verzuimpercentage", "nulverzuim"):
        stats = _merge(people, run(queries.sickness), by)
    elif kpi == "ex_response_rate":
        stats = _merge(people, run(queries.participation), by)
    elif kpi == "meldingsfrequentie":
        stats = _merge(people, run(queries.reports), by)
    else:  # verzuimduur
        stats = _merge(people, run(queries.durations), by)
    stats = stats.sort_values(by).reset_index(drop=True) if by else stats
    result = _estimate(definition, stats, confidence)
    frame = pd.concat([stats[by].reset_index(drop=True), result], axis=1)
    frame.insert(len(by), "kpi", kpi)
    frame["suppressed"] = False
    frame["reason"] = None
    extra = [c for c in ("events", "exposure_days", "successes", "total", "sum_squares")
             if c in frame.columns] if statistics_columns else []  # fmt: skip
    return frame[[*by, *RESULT_COLUMNS, *extra]]


class SharedCounts:
    """The per-group counts of one request, each read from the database once (a copy is
    handed out). ``kpis``: the KPIs the request asks for (leavers are then counted per role
    once when turnover cost is among them)."""

    def __init__(self, tables: WorkforceTables, kpis: Sequence[str] = ()) -> None:
        self._tables = tables
        self.kpis = tuple(kpis)
        self._frames: dict[tuple[object, ...], pd.DataFrame] = {}

    def get(
        self,
        query: Callable[..., ir.Table],
        *,
        by: Sequence[str],
        start: date,
        end: date,
        where: Mapping[str, object] | None,
        extra: Sequence[str] = (),
    ) -> pd.DataFrame:
        filters = tuple(sorted((k, repr(v)) for k, v in (where or {}).items()))
        key = (query.__name__, tuple(by), start, end, filters, tuple(extra))
        frame = self._frames.get(key)
        if frame is None:
            options: dict[str, object] = {"extra": list(extra)} if extra else {}
            expr = query(self._tables, by=list(by), start=start, end=end, where=where,
                         **options)  # fmt: skip
            frame = self._frames[key] = expr.to_pandas()
        return frame.copy()


def _merge(left: pd.DataFrame, right: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Join two per-group frames (outer), counts missing on one side being zero."""
    # With no segments each side is one row (or a breakdown): a cross join pairs them.
    if by and (left.empty or right.empty):  # pandas cannot join empty Arrow string keys
        left, right = (f.astype(dict.fromkeys(by, object)) for f in (left, right))
    merged = left.merge(right, on=by, how="outer") if by else left.merge(right, how="cross")
    keep = (*by, "bucket_days", "leave_reason")
    counts = [c for c in merged.columns if c not in keep]
    merged[counts] = merged[counts].astype("float64").fillna(0.0)
    return merged


def _summed(left: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """``columns`` summed per group of ``by`` (one row when ``by`` is empty)."""
    if not by:
        return pd.DataFrame({c: [left[c].sum()] for c in columns})
    summed: pd.DataFrame = left.groupby(by, dropna=False)[columns].sum()
    return summed.reset_index()


def _with_cost(
    left: pd.DataFrame, by: list[str], cost: Mapping[str, float] | float
) -> pd.DataFrame:
    """Leavers' cost per group, the amount depending on the leaver's role."""
    if isinstance(cost, Mapping):
        amounts = left["role"].map(lambda role: cost.get(role, DEFAULT_COST_PER_LEAVER))
    else:
        amounts = pd.Series(float(cost), index=left.index)
    left = left.assign(cost=left["leavers"].astype("float64") * amounts.astype("float64"))
    if not by:
        return pd.DataFrame({"leavers": [left["leavers"].sum()], "cost": [left["cost"].sum()]})
    summed: pd.DataFrame = left.groupby(by, dropna=False)[["leavers", "cost"]].sum()
    return summed.reset_index()


def _estimate(definition: WorkforceKpi, stats: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """value, n, ci_low, ci_high, method, low_n (+ sufficient statistics) per group."""
    days = stats["bucket_days"].astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        headcount = np.where(days > 0, stats["person_days"].to_numpy(float) / days, np.nan)
    headcount = np.nan_to_num(headcount, nan=0.0)
    name = definition.name
    nan = np.full(len(stats), np.nan)
    out = pd.DataFrame({"value": nan, "n": headcount, "ci_low": nan, "ci_high": nan})
    out["method"] = "none"
    out["low_n"] = False
    if definition.kind == "rate":
        column = {"voluntary_turnover": "voluntary_leavers", "turnover": "leavers"}.get(
            name, "reports"
        )
        events = stats[column].to_numpy(float)
        exposure = stats["person_days"].to_numpy(float)
        est = statistics.rate_frame(events, exposure, scale=definition.scale, confidence=confidence)
        out[["value", "ci_low", "ci_high"]] = est[["value", "ci_low", "ci_high"]].to_numpy()
        out["method"] = statistics.rate(1, 1).method
        out["low_n"] = statistics.below_min_n(events, "rate")
        out["events"], out["exposure_days"] = events, exposure
    elif name in ("nulverzuim", "ex_response_rate"):
        employees = stats["employees"].to_numpy(float)
        counted = (
            employees - stats["sick_employees"].to_numpy(float)
            if name == "nulverzuim"
            else stats["respondents"].to_numpy(float)
        )
        est = statistics.proportion_frame(counted, employees, confidence=confidence)
        out[["value", "ci_low", "ci_high"]] = 100 * est[["value", "ci_low", "ci_high"]].to_numpy()
        out["n"], out["successes"] = employees, counted
        out["method"] = statistics.proportion(1, 1).method
        out["low_n"] = statistics.below_min_n(employees, "proportion")
    elif name == "verzuimduur":
        n = stats["ended"].to_numpy(float)
        total = stats["length_total"].to_numpy(float)
        squares = stats["length_squares"].to_numpy(float)
        est = statistics.mean_frame(n, total, squares, confidence=confidence)
        out[["value", "ci_low", "ci_high"]] = est[["value", "ci_low", "ci_high"]].to_numpy()
        out["n"], out["total"], out["sum_squares"] = n, total, squares
        out["method"] = statistics.mean(2, 1, 1).method
        out["low_n"] = statistics.below_min_n(n, "mean")
    else:
        out["value"] = _figure(name, stats, headcount)
    return out


def _figure(name: str, stats: pd.DataFrame, headcount: np.ndarray) -> np.ndarray:
    """Figures without an interval."""
    if name == "headcount":
        return headcount
    if name == "verzuimpercentage":
        available = stats["fte_days"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                available > 0, 100 * stats["sick_fte_days"].to_numpy(float) / available, np.nan
            )
    column = {"headcount_end": "headcount_end", "hires": "hires", "turnover_cost": "cost"}
    result: np.ndarray = stats[column.get(name, "leavers")].to_numpy(float)
    return result
