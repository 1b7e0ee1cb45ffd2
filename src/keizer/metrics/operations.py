"""Operations KPIs from interactions: AHT, ACW share, FCR and contact volume.

``operations_kpi(tables, kpi="aht", by=["channel"], start=..., end=...)`` returns the contract
frame. The database returns counts, sums and sums of squares per group; intervals are
computed here. A contact belongs to the period by ``started_at`` in UTC (the period's days
run from 00:00 UTC). Definitions: docs/metrics.md, "Workforce and operations KPIs".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from keizer.errors import ValidationError
from keizer.metrics import statistics
from keizer.metrics._segments import (
    EMPLOYEE_SEGMENTS,
    ORG_SEGMENTS,
    P_END,
    TIME_SEGMENTS,
    OperationsTables,
    apply_where,
    buckets,
    check_request,
    day_number,
    employees,
    org_levels,
    with_tenure,
)
from keizer.metrics.contract import RESULT_COLUMNS

OPERATIONS_SEGMENTS = (*ORG_SEGMENTS, "channel", *EMPLOYEE_SEGMENTS, *TIME_SEGMENTS)
OPERATIONS_KPIS = {
    "aht": "average handle time in seconds: (talk + hold + after-call) / handled contacts",
    "acw_share": "after-call time as % of handle time",
    "fcr": "% of contacts without a repeat contact of the same customer within the window",
    "contact_volume": "number of contacts",
    "response_rate": "% of contacts followed by at least one customer survey response",
}
#: Percentage KPIs: (successes, out of) columns of the collected statistics.
PERCENTAGES = {"fcr": ("resolved_first", "observed"), "response_rate": ("responded", "contacts")}
FCR_WINDOW_DAYS = 7
RATIO_METHOD = "ratio-delta"


def operations_kpi(
    tables: OperationsTables,
    *,
    kpi: str,
    by: Sequence[str] = (),
    start: date,
    end: date,
    where: Mapping[str, object] | None = None,
    confidence: float = 0.95,
    fcr_window_days: int = FCR_WINDOW_DAYS,
) -> pd.DataFrame:
    """One row per group: the ``by`` columns, then ``RESULT_COLUMNS``.

    ``tables`` has Ibis tables ``interaction``, ``employee`` and ``org_unit``. Team and the
    levels above come from the contact's team; work mode, role, tenure (at the bucket's
    end) and generation from the agent who handled it.
    """
    if kpi not in OPERATIONS_KPIS:
        raise ValidationError(f"unknown operations KPI {kpi!r}; KPIs: {', '.join(OPERATIONS_KPIS)}")
    by = list(by)
    check_request(kpi, by, where, OPERATIONS_SEGMENTS, start, end)
    rows = contacts(tables, by=by, start=start, end=end, fcr_window_days=fcr_window_days)
    if kpi == "response_rate":
        rows = _with_responded(rows, tables.response)
    rows = apply_where(rows, where)
    stats = _collect(rows, by, fcr=kpi == "fcr", responded=kpi == "response_rate")
    if by:
        stats = stats.sort_values(by).reset_index(drop=True)
    result = _estimate(kpi, stats.drop(columns=by), confidence)
    frame = pd.concat([stats[by].reset_index(drop=True), result], axis=1)
    frame.insert(len(by), "kpi", kpi)
    frame["suppressed"] = False
    frame["reason"] = None
    return frame[[*by, *RESULT_COLUMNS]]


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def contacts(
    tables: OperationsTables,
    *,
    by: Sequence[str],
    start: date,
    end: date,
    fcr_window_days: int = FCR_WINDOW_DAYS,
) -> ir.Table:
    """Contacts started in the period, with segment columns, handle times and FCR flags.

    ``repeat``: the same customer made another contact within the window after this one
    (ties in time broken by id). ``observed``: the whole window lies before the latest
    contact in the store, so a repeat could have been seen.
    """
    t = tables.interaction
    window = ibis.interval(days=fcr_window_days)
    customer = ibis.window(group_by=t.customer_id, order_by=[t.started_at, t.id])
    t = t.mutate(
        next_at=t.started_at.lead().over(customer),
        horizon=t.started_at.max().over(ibis.window()),
    )
    t = t.mutate(
        repeat=t.customer_id.notnull() & t.next_at.notnull() & (t.next_at <= t.started_at + window),
        observed=t.customer_id.notnull() & (t.started_at + window <= t.horizon),
    )
    t = t.filter(t.started_at >= _utc(start), t.started_at < _utc(end + timedelta(days=1)))
    chosen = buckets(start, end, by)
    kind = next((name for name in by if name in TIME_SEGMENTS), None)
    bounds = pd.DataFrame(
        {
            "_from": [_utc(b.first) for b in chosen],
            "_to": [_utc(b.last + timedelta(days=1)) for b in chosen],
            P_END: [day_number(b.last) for b in chosen],
            **({kind: [b.label for b in chosen]} if kind else {}),
        }
    )
    periods = ibis.memtable(bounds)
    t = t.join(periods, [t.started_at >= periods._from, t.started_at < periods._to])
    levels = org_levels(tables.org_unit)
    t = t.left_join(levels, t.team_id == levels.unit_id).view()
    agents = employees(tables).drop(*ORG_SEGMENTS)
    t = t.left_join(agents, t.employee_id == agents.employee_id).view()
    talk, hold, acw = (t[c].fill_null(0.0) for c in ("talk_s", "hold_s", "after_call_s"))
    handled = t.talk_s.notnull() | t.hold_s.notnull() | t.after_call_s.notnull()
    t = t.mutate(handled=handled, handle=talk + hold + acw, acw=acw)
    return with_tenure(t, t[P_END])


def _with_responded(rows: ir.Table, response: ir.Table) -> ir.Table:
    """Flag the contacts that at least one survey response follows."""
    answered = (
        response.filter(response.interaction_id.notnull())
        .select(answered_id="interaction_id")
        .distinct()
    )
    joined = rows.left_join(answered, rows.id == answered.answered_id)
    return joined.mutate(responded=joined.answered_id.notnull()).drop("answered_id").view()


def _collect(
    rows: ir.Table, by: Sequence[str], *, fcr: bool, responded: bool = False
) -> pd.DataFrame:
    handled = rows.handled
    h = ibis.ifelse(handled, rows.handle, 0.0)
    a = ibis.ifelse(handled, rows.acw, 0.0)
    metrics = {
        "contacts": rows.count(),
        "handled": ibis.ifelse(handled, 1, 0).sum(),
        "handle_total": h.sum(),
        "handle_squares": (h * h).sum(),
        "acw_total": a.sum(),
        "acw_squares": (a * a).sum(),
        "cross": (a * h).sum(),
    }
    if fcr:
        metrics["observed"] = ibis.ifelse(rows.observed, 1, 0).sum()
        metrics["resolved_first"] = ibis.ifelse(rows.observed & ~rows.repeat, 1, 0).sum()
    if responded:
        metrics["responded"] = ibis.ifelse(rows.responded, 1, 0).sum()
    expr = rows.group_by(list(by)).aggregate(**metrics) if by else rows.aggregate(**metrics)
    frame: pd.DataFrame = expr.to_pandas()
    values = [c for c in frame.columns if c not in by]
    frame[values] = frame[values].astype("float64").fillna(0.0)
    return frame


def acw_ratio(
    n: np.ndarray,
    handle: np.ndarray,
    acw: np.ndarray,
    handle_squares: np.ndarray,
    acw_squares: np.ndarray,
    cross: np.ndarray,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of sums acw/handle with a delta-method (linearisation) normal interval.

    With ``R = A/H`` and residuals ``d = a - R h``: ``se = sqrt(s_d^2 / n) / mean(h)``,
    ``s_d^2 = (sum a^2 - 2R sum ah + R^2 sum h^2) / (n - 1)`` (Cochran 1977, ch. 6).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(handle > 0, acw / handle, np.nan)
        residual = acw_squares - 2 * ratio * cross + ratio**2 * handle_squares
        variance = np.maximum(residual, 0.0) / (n - 1)
        se = np.sqrt(variance / n) / (handle / n)
    z = float(scipy_stats.norm.isf((1 - confidence) / 2))
    valid = (n > 1) & (handle > 0)
    low = np.where(valid, np.clip(ratio - z * se, 0.0, 1.0), np.nan)
    high = np.where(valid, np.clip(ratio + z * se, 0.0, 1.0), np.nan)
    return ratio, low, high


def _estimate(kpi: str, stats: pd.DataFrame, confidence: float) -> pd.DataFrame:
    column = {name: stats[name].to_numpy(float) for name in stats.columns}
    nan = np.full(len(stats), np.nan)
    out = pd.DataFrame({"value": nan, "n": column["handled"], "ci_low": nan, "ci_high": nan})
    out["method"] = "none"
    out["low_n"] = False
    if kpi == "aht":
        est = statistics.mean_frame(
            column["handled"], column["handle_total"], column["handle_squares"],
            confidence=confidence, bounds=(0.0, np.inf),
        )  # fmt: skip
        out[["value", "ci_low", "ci_high"]] = est[["value", "ci_low", "ci_high"]].to_numpy()
        out["method"] = statistics.mean(2, 1, 1).method
        out["low_n"] = statistics.below_min_n(column["handled"], "mean")
    elif kpi == "acw_share":
        ratio, low, high = acw_ratio(
            column["handled"], column["handle_total"], column["acw_total"],
            column["handle_squares"], column["acw_squares"], column["cross"], confidence,
        )  # fmt: skip
        out["value"], out["ci_low"], out["ci_high"] = 100 * ratio, 100 * low, 100 * high
        out["method"] = RATIO_METHOD
        out["low_n"] = statistics.below_min_n(column["handled"], "mean")
    elif kpi in PERCENTAGES:
        successes, n = (column[c] for c in PERCENTAGES[kpi])
        est = statistics.proportion_frame(successes, n, confidence=confidence)
        out[["value", "ci_low", "ci_high"]] = 100 * est[["value", "ci_low", "ci_high"]].to_numpy()
        out["n"] = n
        out["method"] = statistics.proportion(1, 1).method
        out["low_n"] = statistics.below_min_n(n, "proportion")
    else:
        out["value"] = out["n"] = column["contacts"]
    return out
