"""KPI routes: the same call shape as ``ws.kpi``, with the role scoping of
:mod:`keizer.web.api.scope` applied first."""

from __future__ import annotations

import inspect
import math
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query

from keizer.errors import ValidationError
from keizer.metrics.contract import COMPARISON_COLUMNS, RESULT_COLUMNS, SEGMENTS
from keizer.metrics.kpi import kpi_names
from keizer.metrics.operations import OPERATIONS_KPIS
from keizer.metrics.survey_kpis import EMPLOYEE_METRICS, SURVEY_KPIS
from keizer.metrics.workforce import WORKFORCE_KPIS
from keizer.org import service as org
from keizer.web.api.deps import CurrentUser, WorkspaceDep, reading
from keizer.web.api.problems import (
    PROBLEM_RESPONSES,
    TEXT,
    FieldError,
    ProblemError,
    ProblemRoute,
    storable_text,
)
from keizer.web.api.schemas import KpiInfo, KpiResult, KpiRow, OrgUnit
from keizer.web.api.scope import scoped, team_keys

router = APIRouter(route_class=ProblemRoute, responses=PROBLEM_RESPONSES)
PERIOD_PATTERN = r"^\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}$"
MAX_VALUES = 500
Segment = Literal[
    "team", "department", "location", "organisation", "channel", "work_mode", "role",
    "tenure_band", "generation_band", "month", "quarter", "year", "survey",
]  # fmt: skip
NUMBER_COLUMNS = (
    "value", "n", "ci_low", "ci_high", "respondents", "compare_value", "compare_n", "change",
    "change_ci_low", "change_ci_high", "p_value", "p_adjusted",
)  # fmt: skip
KNOWN_COLUMNS = {*RESULT_COLUMNS, *COMPARISON_COLUMNS, "respondents"}


def catalogue() -> list[KpiInfo]:
    """Every KPI with its family and description."""
    infos = []
    for name in kpi_names():
        if name in SURVEY_KPIS:
            k = SURVEY_KPIS[name]
            info = KpiInfo(
                name=name, family="survey", description=k.description,
                employee=k.metric in EMPLOYEE_METRICS,
            )  # fmt: skip
        elif name in WORKFORCE_KPIS:
            w = WORKFORCE_KPIS[name]
            description = f"{w.description} ({w.unit})"
            info = KpiInfo(name=name, family="workforce", description=description, employee=True)
        else:
            description = OPERATIONS_KPIS[name]
            info = KpiInfo(name=name, family="operations", description=description, employee=False)
        infos.append(info)
    return infos


def _where_params(**values: list[str] | None) -> dict[str, list[str]]:
    where = {name.removeprefix("where_"): list(v) for name, v in values.items() if v}
    bad = [
        FieldError(field=f"where.{name}", value=repr(v), expected=TEXT)
        for name, wanted in where.items()
        for v in wanted
        if not storable_text(v)
    ]
    if bad:
        raise ProblemError(422, "a filter value cannot be stored or matched", errors=bad)
    return where


_where_params.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            f"where_{segment}",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                list[str] | None,
                Query(
                    alias=f"where.{segment}",
                    description=f"keep only rows whose {segment} is one of these",
                    max_length=MAX_VALUES,
                ),
            ],
        )
        for segment in SEGMENTS
    ]
)
WhereDep = Annotated[dict[str, list[str]], Depends(_where_params)]
ByQuery = Annotated[
    list[Segment] | None, Query(description="segments to break the figures down by")
]
PeriodQuery = Annotated[
    str | None,
    Query(pattern=PERIOD_PATTERN, description="FROM:TO, e.g. 2025-01-01:2025-12-31"),
]
CompareQuery = Annotated[
    Literal["previous_period"] | None,
    Query(description="add change, p value and significance against the period before"),
]
ConfidenceQuery = Annotated[float, Query(gt=0.5, lt=1, description="interval confidence")]


@router.get("/kpis", summary="The KPI catalogue")
def list_kpis(user: CurrentUser) -> list[KpiInfo]:
    return catalogue()


@router.get("/kpi/{name}", summary="One KPI by segments, with n, interval and change")
def get_kpi(
    name: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    where: WhereDep,
    by: ByQuery = None,
    period: PeriodQuery = None,
    compare: CompareQuery = None,
    confidence: ConfidenceQuery = 0.95,
) -> KpiResult:
    return _answer(workspace, user, [name], by, where, period, compare, confidence)


@router.get("/kpi", summary="Several survey KPIs in one pass, by segments")
def get_kpis(
    user: CurrentUser,
    workspace: WorkspaceDep,
    where: WhereDep,
    name: Annotated[list[str], Query(min_length=1, max_length=50, description="KPI names")],
    by: ByQuery = None,
    period: PeriodQuery = None,
    compare: CompareQuery = None,
    confidence: ConfidenceQuery = 0.95,
) -> KpiResult:
    return _answer(workspace, user, name, by, where, period, compare, confidence)


def _answer(
    workspace: WorkspaceDep,
    user: CurrentUser,
    names: list[str],
    by: list[Segment] | None,
    where: dict[str, list[str]],
    period: str | None,
    compare: Literal["previous_period"] | None,
    confidence: float,
) -> KpiResult:
    known = set(kpi_names())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ProblemError(
            404, f"no KPI {', '.join(map(repr, unknown))}; the catalogue is at /api/v1/kpis"
        )
    segments = list(by or [])
    if len(set(segments)) != len(segments):
        raise ProblemError(422, "a segment appears twice in 'by'")
    if len(names) > 1 and any(n not in SURVEY_KPIS for n in names):
        raise ProblemError(422, "several KPIs in one request must all be survey KPIs")
    bounds = parse_period(period)
    applied = scoped(workspace, user, segments, where)
    # One value as a value, not a list of one: the anonymity guard of employee figures
    # accepts filters on a single value only.
    filters = {k: v[0] if len(v) == 1 else v for k, v in applied.items()}
    with reading(workspace):
        frame = workspace.kpi(
            names[0] if len(names) == 1 else names, by=segments, where=filters,
            period=bounds, compare=compare, confidence=confidence,
        )  # fmt: skip
    return KpiResult(
        kpis=names, by=segments, where=applied,
        period=[bounds[0].isoformat(), bounds[1].isoformat()] if bounds else None,
        compare=compare, confidence=confidence, rows=rows_of(frame),
    )  # fmt: skip


def parse_period(period: str | None) -> tuple[date, date] | None:
    if period is None:
        return None
    start, _, end = period.partition(":")
    try:
        bounds = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise ValidationError(f"period {period!r}: {exc}") from None
    if bounds[1] < bounds[0]:
        raise ValidationError(f"period {period!r} ends before it starts")
    return bounds


def rows_of(frame: pd.DataFrame) -> list[KpiRow]:
    """API rows from ``ws.kpi``'s frame: NaN becomes null, a suppressed value stays null."""
    extra = [c for c in frame.columns if c not in KNOWN_COLUMNS]
    rows = []
    for record in frame.to_dict("records"):
        numbers = {c: _number(record.get(c)) for c in NUMBER_COLUMNS}
        suppressed = bool(record.get("suppressed") or False)
        if suppressed:
            numbers.update(value=None, ci_low=None, ci_high=None)
        rows.append(
            KpiRow(
                kpi=str(record["kpi"]),
                segments={c: _text(record.get(c)) for c in extra},
                method=_text(record.get("method")),
                low_n=_flag(record.get("low_n")),
                suppressed=suppressed,
                reason=_text(record.get("reason")),
                significant=_flag(record.get("significant")),
                **numbers,
            )
        )
    return rows


def _missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _number(value: Any) -> float | None:
    if _missing(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _flag(value: Any) -> bool | None:
    return None if _missing(value) else bool(value)


@router.get("/org-units", summary="The organisation's units")
def list_org_units(user: CurrentUser, workspace: WorkspaceDep) -> list[OrgUnit]:
    """Every unit; a team lead gets their own teams, the board no teams."""
    with workspace.unit_of_work() as session:
        units = [
            OrgUnit.model_validate(u.model_dump()) for u in org.list_org_units(session=session)
        ]
    if user.role == "team-lead":
        own = set(team_keys(workspace, user.team_ids))
        return [u for u in units if u.source_key in own]
    if user.role == "board":
        return [u for u in units if u.kind != "team"]
    return units
