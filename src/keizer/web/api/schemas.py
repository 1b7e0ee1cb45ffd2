"""What the JSON API answers: typed, so that the OpenAPI schema is exact."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from keizer.users.schemas import Role

KpiFamily = Literal["survey", "workforce", "operations"]


class KpiInfo(BaseModel):
    """One KPI of the catalogue."""

    name: str
    family: KpiFamily
    description: str
    employee: bool = Field(description="an employee figure: small groups are suppressed")


class KpiRow(BaseModel):
    """One group's figure. ``value`` is null (never 0) when ``suppressed``."""

    kpi: str
    segments: dict[str, str | None] = Field(
        description="the value of each 'by' segment (and extra keys such as leave_reason)"
    )
    value: float | None
    n: float | None
    ci_low: float | None
    ci_high: float | None
    method: str | None
    low_n: bool | None
    suppressed: bool
    reason: str | None
    respondents: float | None = None
    compare_value: float | None = None
    compare_n: float | None = None
    change: float | None = None
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None


class KpiResult(BaseModel):
    """The answer to a KPI request, with the request as it was applied (after role scoping)."""

    kpis: list[str]
    by: list[str]
    where: dict[str, list[str]]
    period: list[str] | None = Field(description="[from, to] as ISO dates, or null for all")
    compare: Literal["previous_period"] | None
    confidence: float
    rows: list[KpiRow]


class OrgUnit(BaseModel):
    """An organisation unit (organisation > location > department > team)."""

    id: int
    source_key: str
    name: str
    kind: Literal["organisation", "location", "department", "team"]
    parent_id: int | None


class Me(BaseModel):
    """The caller."""

    id: int
    username: str
    display_name: str
    role: Role
    team_ids: list[int]
    language: str


class IngestResult(BaseModel):
    """What a posted batch did: ``new + updated + unchanged`` equals the batch size."""

    received: int
    new: int
    updated: int
    unchanged: int
