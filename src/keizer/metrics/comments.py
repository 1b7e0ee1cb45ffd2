"""Comment lists for dashboards and exports, with the employee-anonymity rules applied here.

A list of customer comments is filtered by period, channel and org unit. A list of employee
comments is shown only when the anonymity plan for comments publishes it: the employees'
commented responses are kept in blocks of at least ``min_comment_group_size`` respondents
and a list is shown only when it is a union of whole blocks, so no difference or
intersection of two shown lists holds fewer (``keizer.metrics.anonymity.plan_comments``).
Callers get the rows or nothing, with the reason; they cannot ask around the rule.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from keizer.errors import AnonymityError, ValidationError
from keizer.metrics._built_once import built_once
from keizer.metrics._guard import org_digest, plan_rows, time_cells
from keizer.metrics._plan_cache import EMPTY, PlanCache, digest_query, read_digests
from keizer.metrics.anonymity import (
    COMMENT_GROUP_SIZE,
    ORG_LEVELS,
    AnonymityPlan,
    plan_comments,
    protect_comments,
    with_unit_keys,
)
from keizer.metrics.survey_queries import StoreTables, _with_org_levels, responses

Audience = Literal["customer", "employee"]
COLUMNS = (
    "submitted_at", "channel", *ORG_LEVELS[::-1], "respondent", "language", "sentiment",
    "emotions", "themes", "vulnerability", "redacted_text",
)  # fmt: skip
FILTERS = ("channel", *ORG_LEVELS)
_plans = PlanCache(16, "comments")


@dataclass(frozen=True)
class CommentList:
    """The comments of one view, newest first; ``suppressed`` with a ``reason`` when the
    anonymity rules hide an employee list (``rows`` is then empty)."""

    rows: pd.DataFrame
    suppressed: bool = False
    reason: str | None = None


def comment_list(
    tables: StoreTables,
    analysis: ir.Table,
    audience: Audience,
    *,
    period: tuple[date, date],
    where: Mapping[str, str] | None = None,
    teams: Collection[str] | None = None,
    min_group_size: int = 5,
    min_comment_group_size: int = 10,
) -> CommentList:
    """The analysed comments (``analysis``: the ``comment_analysis`` table) of ``audience``
    submitted in ``period`` (inclusive), filtered by ``where`` (``channel`` and org levels,
    one value each) and, when given, limited to the ``teams`` (source keys: a team lead's own
    teams). Employee lists pass the anonymity plan for comments: with ``teams`` each team's
    comments are shown or hidden as a whole."""
    where = dict(where or {})
    unknown = [name for name in where if name not in FILTERS]
    if unknown:
        raise ValidationError(
            f"comments can be filtered by {', '.join(FILTERS)}; not by {', '.join(unknown)}"
        )
    rows = _read(tables, analysis, audience, period=period, where=where, teams=teams)
    if audience == "customer":
        return CommentList(rows)
    if "channel" in where:
        raise AnonymityError("employee comments cannot be filtered by channel")
    if rows.empty:  # nothing to show, nothing to protect
        return CommentList(rows)
    plan = _plan(tables, analysis, min_group_size, min_comment_group_size)
    by = ["team"] if teams is not None else []
    shown = protect_comments(
        with_unit_keys(rows), plan, by=by, where=where, period=time_cells(*period)
    )
    kept = rows.loc[shown.index].reset_index(drop=True)
    return CommentList(kept, True, _reason(plan)) if kept.empty else CommentList(kept)


def _reason(plan: AnonymityPlan) -> str:
    return (
        f"{COMMENT_GROUP_SIZE}: comments are shown for groups of {plan.min_group_size} or "
        "more respondents only, and only where no two shown lists single out fewer"
    )


def _base(
    tables: StoreTables, analysis: ir.Table, audience: Audience, period: tuple[date, date] | None
) -> ir.Table:
    """One row per analysed comment of ``audience`` (submitted in ``period``): the team and
    channel its response counts for (as for the KPIs), org levels, respondent and analysis."""
    rows = _unit_rows(tables, analysis, audience, period)
    return _with_org_levels(rows, tables.org_unit, depth=len(ORG_LEVELS))


def _unit_rows(
    tables: StoreTables, analysis: ir.Table, audience: Audience, period: tuple[date, date] | None
) -> ir.Table:
    """:func:`_base` before the walk up the org tree: with the ``team_id`` only."""
    survey = tables.survey.filter(tables.survey.audience == audience).select(survey_id="id")
    rows = analysis.join(responses(tables, period), "response_id").join(survey, "survey_id")
    return rows.select(
        "submitted_at", "respondent", "language", "sentiment", "emotions", "themes",
        "vulnerability", "redacted_text", "team_id", "channel",
    )  # fmt: skip


def _read(
    tables: StoreTables,
    analysis: ir.Table,
    audience: Audience,
    *,
    period: tuple[date, date],
    where: Mapping[str, str],
    teams: Collection[str] | None,
) -> pd.DataFrame:
    rows = _base(tables, analysis, audience, period)
    for name, value in where.items():
        rows = rows.filter(rows[name] == value)
    if teams is not None:
        rows = rows.filter(rows.team.isin(sorted(teams)))
    frame: pd.DataFrame = rows.select(*COLUMNS).order_by(ibis.desc("submitted_at")).to_pandas()
    return frame.reset_index(drop=True)


def _plan(tables: StoreTables, analysis: ir.Table, k: int, kc: int) -> AnonymityPlan:
    """The comment plan of every employee comment ever stored (cached by the digests of
    those comments and of the org tree, see ``keizer.metrics._plan_cache``)."""

    def key() -> Hashable:
        comments = read_digests(_digest_query(tables, analysis)).get(None, EMPTY)
        return comments, org_digest(tables), k, kc

    before = key()
    plan = _plans.cached(before, tables.plans)
    if plan is not None:
        return plan
    rows = _base(tables, analysis, "employee", None)
    expr = rows.select(*ORG_LEVELS, "respondent", month=rows.submitted_at.strftime("%Y-%m"))
    frame = plan_rows(expr.to_pandas())
    plan = plan_comments(frame, min_comment_group_size=kc, min_group_size=k)
    _plans.store(before, plan, key_after=key(), archive=tables.plans)
    return plan


@built_once
def _digest_query(tables: StoreTables, analysis: ir.Table) -> ir.Table:
    """The digest of what the comment plan is a function of: team, respondent and month of
    every employee comment."""
    rows = _unit_rows(tables, analysis, "employee", None)
    rows = rows.select("team_id", "respondent", month=rows.submitted_at.strftime("%Y-%m"))
    return digest_query(rows)
