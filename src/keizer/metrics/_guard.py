"""The anonymity guard inside the KPI dispatcher.

Builds the anonymity plan of an employee metric from the store's responses (one row per
response, before the query's period and filters, with the org levels, month, respondent and
the query's segment), caches it by the content of those rows (a digest the database computes,
see ``keizer.metrics._plan_cache``), and protects results with it.
See ``keizer.metrics.anonymity`` for the rules and docs/metrics.md for the threat model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import cast

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from keizer.errors import AnonymityError, ValidationError
from keizer.metrics._built_once import built_once
from keizer.metrics._plan_cache import EMPTY, Digest, PlanCache, digest_query, read_digests
from keizer.metrics.anonymity import (
    NO_VALUE,
    ORG_LEVELS,
    AnonymityPlan,
    plan_figures,
    protect,
    with_unit_keys,
)
from keizer.metrics.survey_kpis import previous_in_series
from keizer.metrics.survey_queries import TIME_SEGMENTS, StoreTables, answers, segment_columns

_plans = PlanCache(64, "figures")
_shared: ContextVar[dict[tuple[object, ...], object] | None] = ContextVar(
    "keizer_shared_plan_frames", default=None
)


def employee_segment(by: Sequence[str], where: Mapping[str, object]) -> str | None:
    """The one segment (work mode, role, ...) an employee query is cut or filtered by."""
    segments = sorted({c for c in [*by, *where] if c not in ORG_LEVELS + TIME_SEGMENTS})
    if len(segments) > 1:
        raise AnonymityError(
            "employee figures can be cut by one segment at a time (got "
            f"{', '.join(segments)}); ask for each segment separately"
        )
    return segments[0] if segments else None


def whole_months(start: date, end: date) -> bool:
    return start.day == 1 and (end + timedelta(days=1)).day == 1


def time_cells(start: date, end: date) -> list[str]:
    """The fewest years, quarters and months that make up ``start``..``end`` (whole months)."""
    if not whole_months(start, end):
        raise ValidationError(
            f"employee figures are reported over whole months; the period {start} to {end} "
            "does not start on the first of a month or end on the last day of one"
        )
    cells = []
    month = start
    while month <= end:
        year_end = date(month.year, 12, 31)
        quarter = (month.month - 1) // 3
        quarter_end = _month_start(month.year, quarter * 3 + 4) - timedelta(days=1)
        if month.month == 1 and year_end <= end:
            cells.append(str(month.year))
            month = date(month.year + 1, 1, 1)
        elif month.month == quarter * 3 + 1 and quarter_end <= end:
            cells.append(f"{month.year}-Q{quarter + 1}")
            month = quarter_end + timedelta(days=1)
        else:
            cells.append(f"{month.year}-{month.month:02d}")
            month = _month_start(month.year, month.month + 1)
    return cells


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length just before: whole months when the period is whole months
    (the quarter before a quarter), else the same number of days."""
    if whole_months(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _month_start(start.year, start.month - months), start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _month_start(year: int, month: int) -> date:
    """The first day of ``month`` of ``year`` (months outside 1..12 roll over)."""
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def employee_plan(
    tables: StoreTables, metric: str, *, segment: str | None, k: int, period_end: date
) -> AnonymityPlan:
    """The anonymity plan of ``metric``'s responses (cached by their content)."""
    return EmployeePlans(tables, [metric], segment=segment, k=k, period_end=period_end)(metric)


class EmployeePlans:
    """The anonymity plans of one request's employee metrics: their responses are read in one
    query, on the first plan asked for; each plan is cached by the content of its rows."""

    def __init__(
        self,
        tables: StoreTables,
        metrics: Sequence[str],
        *,
        segment: str | None,
        k: int,
        period_end: date,
    ) -> None:
        self._tables = tables
        self._metrics = sorted(set(metrics))
        self._segment = segment
        self._k = k
        self._period_end = period_end
        self._frames: dict[str, pd.DataFrame] | None = None

    def __call__(self, metric: str) -> AnonymityPlan:
        shared = _shared.get()
        # the rows depend on the period's end only through a tenure band segment
        key = (self._tables.answer.op(), tuple(self._metrics), self._segment,
               self._period_end if self._segment else None)  # fmt: skip
        settings = (self._k, self._segment)
        before = (self._digests(key, shared).get(metric), settings)
        plan = _plans.cached(before, self._tables.plans)
        if plan is not None:
            return plan
        found = shared.get(("frames", *key)) if shared is not None else None
        if found is None:
            frames = plan_frames(self._tables, self._metrics, segment=self._segment,
                                 period_end=self._period_end)  # fmt: skip
            found = (frames, self._digests(key, None))  # the digests after reading the rows
            if shared is not None:
                shared[("frames", *key)] = found
        frames, after = cast(tuple[dict[str, pd.DataFrame], dict[str, object]], found)
        plan = plan_figures(frames[metric], min_group_size=self._k, segment=self._segment)
        _plans.store(before, plan, key_after=(after.get(metric), settings),
                     archive=self._tables.plans)  # fmt: skip
        return plan

    def _digests(
        self, key: tuple[object, ...], shared: dict[tuple[object, ...], object] | None
    ) -> dict[str, object]:
        """Per metric, the digests its plan is a function of: of its responses before the
        org walk and of the org tree (read from ``shared`` when given and there)."""
        found = shared.get(("digests", *key)) if shared is not None else None
        if found is None:
            org_unit = self._tables.org_unit.op()
            query = _digest_query(self._tables, self._metrics, self._segment,
                                  self._period_end if self._segment else None)  # fmt: skip
            tree = shared.get(("org", org_unit)) if shared is not None else None
            if tree is None:
                tree = org_digest(self._tables)
                if shared is not None:
                    shared[("org", org_unit)] = tree
            found = {
                str(metric): (digest, tree)
                for metric, digest in read_digests(query, by="metric").items()
            }  # fmt: skip
            if shared is not None:
                shared[("digests", *key)] = found
        return cast(dict[str, object], found)


@built_once
def _digest_query(
    tables: StoreTables, metrics: Sequence[str], segment: str | None, period_end: date | None
) -> ir.Table:
    """The digests of the rows a plan is a function of (before the org walk), per metric:
    team, metric, respondent, month and segment (at ``period_end``, for tenure) of each
    response."""
    t = answers(tables, metrics, [segment] if segment else [], org_levels=False)
    extra = segment_columns(t, [segment], period_end) if segment and period_end else {}
    rows = t.select("team_id", "metric", "respondent",
                    month=t.submitted_at.strftime("%Y-%m"), **extra)  # fmt: skip
    return digest_query(rows, by="metric")


def org_digest(tables: StoreTables) -> Digest:
    """The digest of the org tree (the unit columns that plans walk)."""
    return read_digests(_org_digest_query(tables)).get(None, EMPTY)


@built_once
def _org_digest_query(tables: StoreTables) -> ir.Table:
    return digest_query(tables.org_unit.select("id", "parent_id", "kind", "source_key"))


@contextmanager
def shared_plan_frames() -> Iterator[None]:
    """Inside the block (one page: several KPI calls), the responses behind the anonymity
    plans are read once per set of metrics and segment, and reused."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def plan_frame(
    tables: StoreTables, metric: str, *, segment: str | None, period_end: date
) -> pd.DataFrame:
    """One row per response to ``metric``: org levels, month, respondent, segment.

    Empty values get keys of their own: a response without a team sits in the unit
    ``∅<department>`` (the department's people outside teams), one without a segment value in
    ``∅``, and a response without a respondent counts as a respondent of its own."""
    return plan_frames(tables, [metric], segment=segment, period_end=period_end)[metric]


def plan_frames(
    tables: StoreTables, metrics: Sequence[str], *, segment: str | None, period_end: date
) -> dict[str, pd.DataFrame]:
    """:func:`plan_frame` of each of ``metrics``, read in one query."""
    t = answers(tables, list(metrics), [*ORG_LEVELS, *([segment] if segment else [])])
    extra = segment_columns(t, [segment], period_end) if segment else {}
    expr = t.select(
        *ORG_LEVELS, "metric", respondent=t.respondent, month=t.submitted_at.strftime("%Y-%m"),
        **extra,
    )  # fmt: skip
    rows = plan_rows(expr.to_pandas(), segment)
    # sorted by metric first: each metric's rows are one slice, in plan_frame's order
    bounds = (
        rows["metric"].searchsorted(list(metrics), side="left"),
        rows["metric"].searchsorted(list(metrics), side="right"),
    )
    return {
        metric: rows.iloc[low:high].drop(columns="metric").reset_index(drop=True)
        for metric, low, high in zip(metrics, *bounds, strict=True)
    }


def plan_rows(frame: pd.DataFrame, segment: str | None = None) -> pd.DataFrame:
    """Responses as a plan takes them: keys of their own for empty values (see
    :func:`plan_frame`; anonymous respondents numbered per metric when ``frame`` has one),
    rows sorted by metric (if any), then by every other column."""
    frame = with_unit_keys(frame.astype(object).where(frame.notna(), None))
    if segment:
        frame[segment] = frame[segment].fillna(NO_VALUE).astype(str)
    by_metric = "metric" in frame.columns
    anonymous = frame["respondent"].isna()
    if anonymous.any():
        rows = frame.loc[anonymous]
        number = (
            rows.groupby("metric", sort=False).cumcount()
            if by_metric
            else pd.Series(range(len(rows)), index=rows.index)
        )
        frame.loc[anonymous, "respondent"] = NO_VALUE + number.astype(str)
    order = [*(["metric"] if by_metric else []), *ORG_LEVELS, "month", "respondent"]
    return frame.sort_values(order).reset_index(drop=True)


def guard(
    result: pd.DataFrame,
    plan: AnonymityPlan,
    *,
    by: Sequence[str],
    where: Mapping[str, object],
    periods: list[str] | None,
    earlier: list[str] | None,
) -> pd.DataFrame:
    """``result`` with every hidden group blanked, and comparisons against a hidden earlier
    group blanked too (``earlier``: the previous period's time cells, when compared)."""
    out = protect(result, plan, by=by, where=where, period=periods)
    if "compare_value" not in out.columns:
        return out
    if any(c in TIME_SEGMENTS for c in by):
        shifted = previous_in_series(out, by, ["suppressed"])["suppressed"]
        before_hidden = shifted.astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        before = protect(result, plan, by=by, where=where, period=earlier)
        before_hidden = before["suppressed"].to_numpy(dtype=bool)
    columns = ["compare_value", "compare_n", "change", "change_ci_low", "change_ci_high",
               "p_value", "p_adjusted", "significant"]  # fmt: skip
    for column in columns:
        if pd.api.types.is_bool_dtype(out[column].dtype):
            out[column] = out[column].astype("boolean")
            out.loc[before_hidden, column] = pd.NA
        else:
            out.loc[before_hidden, column] = np.nan
    return out


__all__ = [
    "EmployeePlans",
    "employee_plan",
    "employee_segment",
    "guard",
    "plan_frame",
    "plan_frames",
    "previous_period",
    "shared_plan_frames",
    "time_cells",
]
