"""Comment routes: the analysed, redacted comments the dashboards show, as JSON.

The rows come from ``ws.comments``, so employee lists follow the anonymity plan for comments
of the metrics layer; the role rules are those of the KPI routes (a team lead sees their own
teams, the board no single team). Respondents' pseudonyms are never returned: they would
let a reader link one person's comments across lists.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from keizer.metrics.comments import FILTERS
from keizer.web.api.deps import CurrentUser, WorkspaceDep, reading
from keizer.web.api.kpis import PeriodQuery, WhereDep, parse_period
from keizer.web.api.problems import PROBLEM_RESPONSES, ProblemError, ProblemRoute, forbidden
from keizer.web.api.scope import scoped

router = APIRouter(route_class=ProblemRoute, responses=PROBLEM_RESPONSES)
MAX_COMMENTS = 500
READERS = {
    "customer": ("admin", "analyst", "board", "cx-manager", "team-lead"),
    "employee": ("admin", "analyst", "board", "ex-manager", "team-lead"),
}


class CommentRow(BaseModel):
    """One analysed comment, with personal data redacted by the text analytics."""

    submitted_at: datetime
    channel: str | None
    team: str | None
    department: str | None
    location: str | None
    language: str
    sentiment: str
    emotions: list[str]
    themes: list[str]
    vulnerability: list[str]
    text: str | None = Field(description="the comment with names, numbers and addresses redacted")


class CommentsResult(BaseModel):
    audience: Literal["customer", "employee"]
    period: list[str]
    where: dict[str, list[str]]
    suppressed: bool = Field(description="the anonymity rules hide this employee list")
    reason: str | None
    total: int = Field(description="comments in the view (0 when suppressed)")
    comments: list[CommentRow] = Field(description="the newest ones, at most 'limit'")


@router.get(
    "/comments/{audience}", summary="Analysed comments of customers or employees, newest first"
)
def get_comments(
    audience: Literal["customer", "employee"],
    user: CurrentUser,
    workspace: WorkspaceDep,
    where: WhereDep,
    period: PeriodQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_COMMENTS)] = 100,
) -> CommentsResult:
    if user.role not in READERS[audience]:
        raise forbidden(f"{audience} comments are not shown to the role {user.role}")
    bounds = parse_period(period)
    if bounds is None:
        raise ProblemError(422, "comments need a period: period=FROM:TO")
    unknown = sorted(set(where) - set(FILTERS))
    if unknown:
        raise ProblemError(
            422, f"comments can be filtered by {', '.join(FILTERS)}; not by {', '.join(unknown)}"
        )
    applied = scoped(workspace, user, [], where)
    several = [name for name, values in applied.items() if len(values) > 1 and name != "team"]
    if several:
        raise ProblemError(422, f"filter comments on one value of {several[0]} at a time")
    teams = applied.get("team", [])
    filters = {name: values[0] for name, values in applied.items() if name != "team"}
    if len(teams) == 1:
        filters["team"] = teams[0]
    with reading(workspace):
        listing = workspace.comments(
            audience, period=bounds, where=filters, teams=teams if len(teams) > 1 else None
        )
    rows = listing.rows
    return CommentsResult(
        audience=audience, period=[bounds[0].isoformat(), bounds[1].isoformat()],
        where=applied, suppressed=listing.suppressed, reason=listing.reason,
        total=len(rows), comments=[_row(r) for r in rows.head(limit).to_dict("records")],
    )  # fmt: skip


def _row(record: Mapping[Hashable, Any]) -> CommentRow:
    def text(name: str) -> str | None:
        value = record.get(name)
        return None if value is None or pd.isna(value) else str(value)

    def codes(name: str) -> list[str]:
        value = text(name)
        return [c.strip() for c in value.split(",") if c.strip()] if value else []

    return CommentRow(
        submitted_at=pd.Timestamp(record["submitted_at"]).to_pydatetime(),
        channel=text("channel"), team=text("team"), department=text("department"),
        location=text("location"), language=text("language") or "",
        sentiment=text("sentiment") or "", emotions=codes("emotions"), themes=codes("themes"),
        vulnerability=codes("vulnerability"), text=text("redacted_text"),
    )  # fmt: skip
