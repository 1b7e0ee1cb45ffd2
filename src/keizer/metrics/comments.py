"""Comment lists for dashboards and exports, with the employee-anonymity rules applied here.

A list of customer comments is filtered by period, channel and org unit. A list of employee
comments is shown only when the anonymity plan for comments publishes it: the employees'
commented responses are kept in blocks of at least ``min_comment_group_size`` respondents
and a list is shown only when it is a union of whole blocks, so no difference or
intersection of two shown lists holds fewer (``keizer.metrics.anonymity.plan_comments``).
Callers get the rows or nothing, with the reason; they cannot ask around the rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from keizer.errors import AnonymityError, ValidationError
from keizer.metrics._guard import time_cells
from keizer.metrics._plan_cache import PlanCache
from keizer.metrics.anonymity import (
    COMMENT_GROUP_SIZE,
    NO_VALUE,
    ORG_LEVELS,
    AnonymityPlan,
    plan_comments,
    protect_comments,
)
from keizer.metrics.survey_queries import StoreTables, _with_org_levels

Audience = Literal["customer", "employee"]
COLUMNS = (
    "submitted_at", "channel", *ORG_LEVELS[::-1], "respondent", "language", "sentiment",
    "emotions", "themes", "vulnerability", "redacted_text",
)  # fmt: skip
FILTERS = ("channel", *ORG_LEVELS)
_plans = PlanCache(16)


@dataclass(frozen=True)
class CommentList:
    """The comments of one view, newest first; ``suppressed`` with a ``reason`` when the
    anonymity rules hide an employee list (``rows`` is then empty)."""

    rows: pd.DataFrame
    suppressed: bool = False
    reason: str | None = None


def comment_list(
    backend: Any,
    audience: Audience,
    *,
    period: tuple[date, date],
    where: Mapping[str, str] | None = None,
    teams: Collection[str] | None = None,
    min_group_size: int = 5,
    min_comment_group_size: int = 10,
) -> CommentList:
    """The analysed comments of ``audience`` submitted in ``period`` (inclusive), filtered by
    ``where`` (``channel`` and org levels, one value each) and, when given, limited to the
    ``teams`` (source keys: a team lead's own teams). Employee lists pass the anonymity plan
    for comments: with ``teams`` each team's comments are shown or hidden as a whole."""
    where = dict(where or {})
    unknown = [name for name in where if name not in FILTERS]
    if unknown:
        raise ValidationError(
            f"comments can be filtered by {', '.join(FILTERS)}; not by {', '.join(unknown)}"
        )
    rows = _read(backend, audience, period=period, where=where, teams=teams)
    if audience == "customer":
        return CommentList(rows)
    if "channel" in where:
        raise AnonymityError("employee comments cannot be filtered by channel")
    if rows.empty:  # nothing to show, nothing to protect
        return CommentList(rows)
    plan = _plan(backend, min_group_size, min_comment_group_size)
    by = ["team"] if teams is not None else []
    shown = protect_comments(_keyed(rows), plan, by=by, where=where, period=time_cells(*period))
    kept = rows.loc[shown.index].reset_index(drop=True)
    return CommentList(kept, True, _reason(plan)) if kept.empty else CommentList(kept)


def _reason(plan: AnonymityPlan) -> str:
    return (
        f"{COMMENT_GROUP_SIZE}: comments are shown for groups of {plan.min_group_size} or "
        "more respondents only, and only where no two shown lists single out fewer"
    )


def _keyed(rows: pd.DataFrame) -> pd.DataFrame:
    """Empty org keys as the plan names them (``∅<parent>``)."""
    out = rows.copy()
    out["organisation"] = out["organisation"].fillna(NO_VALUE)
    for child, parent in zip(ORG_LEVELS[1:], ORG_LEVELS[:-1], strict=True):
        missing = out[child].isna()
        out.loc[missing, child] = NO_VALUE + out.loc[missing, parent].astype(str)
    return out


def _base(backend: Any, audience: Audience) -> ir.Table:
    """One row per analysed comment of ``audience``: its response's team (the response's own,
    else its contact's), channel, org levels, respondent and analysis."""
    tables = StoreTables.from_backend(backend)
    analysis = backend.table("comment_analysis")
    survey = tables.survey.filter(tables.survey.audience == audience).select(survey_id="id")
    response = tables.response.select(
        response_id="id", survey_id="survey_id", submitted_at="submitted_at",
        respondent="respondent_pseudonym", r_team_id="team_id", r_channel="channel",
        interaction_id="interaction_id",
    )  # fmt: skip
    contact = tables.interaction.select(
        interaction_id="id", i_team_id="team_id", i_channel="channel"
    )
    rows = analysis.join(response, "response_id").join(survey, "survey_id")
    rows = rows.join(contact, "interaction_id", how="left")
    rows = rows.select(
        "submitted_at", "respondent", "language", "sentiment", "emotions", "themes",
        "vulnerability", "redacted_text",
        team_id=ibis.coalesce(rows.r_team_id, rows.i_team_id),
        channel=ibis.coalesce(rows.r_channel, rows.i_channel),
    )  # fmt: skip
    return _with_org_levels(rows, tables.org_unit, depth=len(ORG_LEVELS))


def _read(
    backend: Any,
    audience: Audience,
    *,
    period: tuple[date, date],
    where: Mapping[str, str],
    teams: Collection[str] | None,
) -> pd.DataFrame:
    rows = _base(backend, audience)
    start, end = period
    rows = rows.filter(
        rows.submitted_at >= ibis.literal(start).cast("timestamp"),
        rows.submitted_at < ibis.literal(end + timedelta(days=1)).cast("timestamp"),
    )
    for name, value in where.items():
        rows = rows.filter(rows[name] == value)
    if teams is not None:
        rows = rows.filter(rows.team.isin(sorted(teams)))
    frame: pd.DataFrame = rows.select(*COLUMNS).order_by(ibis.desc("submitted_at")).to_pandas()
    return frame.reset_index(drop=True)


def _plan(backend: Any, k: int, kc: int) -> AnonymityPlan:
    """The comment plan of every employee comment ever stored (cached by their content)."""
    rows = _base(backend, "employee")
    expr = rows.select(*ORG_LEVELS, "respondent", month=rows.submitted_at.strftime("%Y-%m"))
    frame: pd.DataFrame = expr.to_pandas()
    frame = _keyed(frame.astype(object).where(frame.notna(), None))
    anonymous = frame["respondent"].isna()
    frame.loc[anonymous, "respondent"] = [f"{NO_VALUE}{i}" for i in range(int(anonymous.sum()))]
    frame = frame.sort_values([*ORG_LEVELS, "month", "respondent"]).reset_index(drop=True)
    return _plans.get(
        frame, (k, kc), lambda: plan_comments(frame, min_comment_group_size=kc, min_group_size=k)
    )
