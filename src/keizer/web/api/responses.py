"""``POST /api/v1/responses``: survey responses in batches, from survey tools and scripts.

Rows are checked by the rules a file import applies (the feedback schema, then the store:
known survey, team and interaction; each answer's question exists, a number within the
question's scale or text that is not a spreadsheet formula; one row per key in a batch;
not submitted in the future). Any invalid row refuses the whole batch with a problem
document listing every invalid value. Responses are matched on ``source_key``: posting the
same batch again changes nothing.

Who may post: ``admin`` users' tokens (the API's ingest permission is the admin role; give
a survey tool its own admin user and token).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from keizer.errors import KeizerError, NotFoundError
from keizer.feedback import service as feedback
from keizer.feedback.schemas import QuestionRead, ResponseCreate, SurveyRead
from keizer.ingest.fields import MAX_ANSWER_TEXT
from keizer.ingest.parse import FORMULA
from keizer.users.schemas import UserRead
from keizer.web.api.cache import Reloader, TtlCache
from keizer.web.api.deps import WorkspaceDep, require
from keizer.web.api.problems import (
    PROBLEM_RESPONSES,
    TEXT,
    FieldError,
    ProblemError,
    ProblemRoute,
    storable_text,
)
from keizer.web.api.schemas import IngestResult
from keizer.web.api.writer import submit
from keizer.workspace import Workspace

router = APIRouter(route_class=ProblemRoute, responses=PROBLEM_RESPONSES)
MAX_BATCH = 5_000
CLOCK_SKEW = timedelta(minutes=10)
WRITE_TIMEOUT_S = 60.0
INLINE_ROWS = 200  # batches up to this size are checked on the event loop when cached
_formula = re.compile(FORMULA)
_survey_cache: TtlCache[tuple[int, str], SurveyRead] = TtlCache()
_key_cache: TtlCache[tuple[int, str, str], bool] = TtlCache()
_reloader = Reloader()
INGEST_ROLES = ("admin",)


def _utc(value: datetime) -> datetime:
    """As the feedback schema's UTC conversion, but a time that falls outside the calendar
    in UTC (0001-01-01T00:00+00:01) is an invalid value, not a server error."""
    try:
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("a time within years 1 to 9999 in UTC") from None


class ResponseIn(ResponseCreate):
    """A completed survey, as :class:`keizer.feedback.schemas.ResponseCreate`."""

    submitted_at: Annotated[datetime, AfterValidator(_utc)]


class ResponseBatch(BaseModel):
    """Up to 5,000 responses; each is matched on its ``source_key``."""

    responses: list[ResponseIn] = Field(min_length=1, max_length=MAX_BATCH)


@router.post(
    "/responses",
    summary="Add or update survey responses (a batch, idempotent by source_key)",
    responses={
        400: PROBLEM_RESPONSES[500] | {"description": "The body is not JSON"},
        503: PROBLEM_RESPONSES[500] | {"description": "The write was not confirmed"},
    },
)
async def post_responses(
    batch: Annotated[ResponseBatch, Body()],
    user: Annotated[UserRead, require(*INGEST_ROLES)],
    workspace: WorkspaceDep,
) -> IngestResult:
    # An answer of null is no answer: left out, as an empty cell of an imported file is.
    responses: list[ResponseCreate] = [
        r.model_copy(update={"answers": {k: v for k, v in r.answers.items() if v is not None}})
        if None in r.answers.values() else r
        for r in batch.responses
    ]  # fmt: skip
    # Under load every reference is cached: a small batch is checked here, without a worker
    # thread or the store (a large one in a thread, not to hold up the event loop).
    surveys = check_batch_cached(workspace, responses) if len(responses) <= INLINE_ROWS else None
    if surveys is None:
        surveys = await run_in_threadpool(check_batch, workspace, responses)
    future = submit(workspace, responses, surveys)
    try:
        result = await asyncio.wait_for(asyncio.wrap_future(future), WRITE_TIMEOUT_S)
    except KeizerError as exc:
        raise ProblemError(422, str(exc)) from None
    except TimeoutError:
        raise ProblemError(
            503,
            f"the store did not confirm the batch within {WRITE_TIMEOUT_S:g} s; post it "
            "again (posting a batch twice adds nothing)",
        ) from None
    return IngestResult(
        received=len(batch.responses), new=result.inserted, updated=result.updated,
        unchanged=result.unchanged,
    )  # fmt: skip


class _Issues:
    """The invalid values found so far."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.row = 0

    def add(self, field: str, value: object, expected: str) -> None:
        shown = None if value is None else str(value)[:200]
        self.errors.append(FieldError(row=self.row, field=field, value=shown, expected=expected))


def check_batch(workspace: Workspace, responses: Sequence[ResponseCreate]) -> dict[str, SurveyRead]:
    """Raise a 422 problem listing every invalid value of the batch (see the module);
    returns the batch's surveys by key."""
    _check_texts(responses)
    with workspace.unit_of_work() as session:
        surveys = _surveys(session, workspace, {r.survey_key for r in responses})
        teams = _existing(session, workspace, "org_unit", {r.team_key for r in responses})
        contacts = _existing(
            session, workspace, "interaction", {r.interaction_key for r in responses}
        )
    _check_rows(responses, surveys, teams, contacts)
    return surveys


def check_batch_cached(
    workspace: Workspace, responses: Sequence[ResponseCreate]
) -> dict[str, SurveyRead] | None:
    """:func:`check_batch` from the caches alone; ``None`` when a survey or a referenced key
    is not cached (then :func:`check_batch` reads the store). Entries that are due are
    renewed in the background."""
    _check_texts(responses)
    surveys: dict[str, SurveyRead] = {}
    due_surveys = []
    for key in {r.survey_key for r in responses}:
        found = _survey_cache.lookup((id(workspace), key))
        if found is None:
            return None
        surveys[key] = found[0]
        if found[1]:
            due_surveys.append(key)
    known: dict[str, set[str]] = {}
    due_keys: dict[str, list[str]] = {}
    for table, wanted in (
        ("org_unit", {r.team_key for r in responses}),
        ("interaction", {r.interaction_key for r in responses}),
    ):
        known[table] = set()
        for ref in wanted:
            if ref is None:
                continue
            hit = _key_cache.lookup((id(workspace), table, ref))
            if hit is None:
                return None
            known[table].add(ref)
            if hit[1]:
                due_keys.setdefault(table, []).append(ref)
    if due_surveys:
        _reloader.refresh(
            ("surveys", id(workspace)), lambda: _reload_surveys(workspace, due_surveys)
        )
    for table, refs in due_keys.items():
        reload = partial(_reload_keys, workspace, table, refs)
        _reloader.refresh(("keys", id(workspace), table), reload)
    _check_rows(responses, surveys, known["org_unit"], known["interaction"])
    return surveys


def _reload_surveys(workspace: Workspace, keys: list[str]) -> None:
    with workspace.unit_of_work() as session:
        for key in keys:
            with contextlib.suppress(NotFoundError):
                survey = feedback.get_survey(session=session, source_key=key)
                _survey_cache.put((id(workspace), key), survey)


def _reload_keys(workspace: Workspace, table: str, keys: list[str]) -> None:
    with workspace.unit_of_work() as session:
        _existing(session, workspace, table, set(keys), cached=False)


def _check_texts(responses: Sequence[ResponseCreate]) -> None:
    """Refuse text that a store cannot hold (before any store access)."""
    issues = _Issues()
    for row, r in enumerate(responses):
        issues.row = row
        for name, value in _texts(r):
            if not storable_text(value):
                issues.add(name, value, TEXT)
    _refuse(issues)


def _check_rows(
    responses: Sequence[ResponseCreate],
    surveys: dict[str, SurveyRead],
    teams: set[str],
    contacts: set[str],
) -> None:
    """Refuse the batch unless every row is valid against the known references."""
    issues = _Issues()
    seen: set[str] = set()
    latest = datetime.now(UTC) + CLOCK_SKEW
    questions = {k: {q.code: q for q in s.questions} for k, s in surveys.items()}
    for row, r in enumerate(responses):
        issues.row = row
        if r.source_key in seen:
            issues.add("source_key", r.source_key, "a source_key that is unique in the batch")
        seen.add(r.source_key)
        if r.submitted_at > latest:
            issues.add("submitted_at", r.submitted_at.isoformat(), "a time not in the future")
        if r.team_key is not None and r.team_key not in teams:
            issues.add("team_key", r.team_key, "a known team (load the organisation first)")
        if r.interaction_key is not None and r.interaction_key not in contacts:
            issues.add("interaction_key", r.interaction_key, "a known interaction (load it first)")
        survey = surveys.get(r.survey_key)
        if survey is None:
            issues.add("survey_key", r.survey_key, "a known survey (create it first)")
            continue
        _check_answers(survey, questions[r.survey_key], r, issues)
    _refuse(issues)


def _refuse(issues: _Issues) -> None:
    if issues.errors:
        rows = len({e.row for e in issues.errors})
        raise ProblemError(
            422, f"{rows} invalid row(s); nothing was stored", kind="invalid-rows",
            errors=issues.errors,
        )  # fmt: skip


def _texts(response: ResponseCreate) -> list[tuple[str, str]]:
    fields = ("source_key", "survey_key", "respondent_source_id", "interaction_key", "team_key")
    found = [(f, v) for f in fields if isinstance(v := getattr(response, f), str)]
    for code, value in response.answers.items():
        found.append(("answers", code))
        if isinstance(value, str):
            found.append((f"answers.{code}", value))
    return found


def _check_answers(
    survey: SurveyRead,
    questions: dict[str, QuestionRead],
    response: ResponseCreate,
    issues: _Issues,
) -> None:
    for code, value in response.answers.items():
        field = f"answers.{code}"
        question = questions.get(code)
        if question is None:
            codes = ", ".join(questions)
            issues.add(field, code, f"a question of survey {survey.source_key!r}: {codes}")
        elif value is None:
            continue
        elif question.scale_min is not None and question.scale_max is not None:
            low, high = question.scale_min, question.scale_max
            number = not isinstance(value, str) and math.isfinite(value)
            if not (number and low <= value <= high):  # type: ignore[operator]
                issues.add(field, value, f"a number from {low:g} to {high:g}")
        elif isinstance(value, str):
            if len(value) > MAX_ANSWER_TEXT or _formula.search(value):
                expected = f"text of at most {MAX_ANSWER_TEXT:,} characters, not a formula"
                issues.add(field, value, expected)
        elif not math.isfinite(value):
            issues.add(field, value, "a finite number or text")


def _surveys(session: Session, workspace: Workspace, keys: set[str]) -> dict[str, SurveyRead]:
    """The surveys with these keys that exist (with their questions; cached briefly)."""
    found = {}
    for key in sorted(keys):
        survey = _survey_cache.get((id(workspace), key))
        if survey is None:
            with contextlib.suppress(NotFoundError):
                survey = feedback.get_survey(session=session, source_key=key)
                _survey_cache.put((id(workspace), key), survey)
        if survey is not None:
            found[key] = survey
    return found


def _existing(
    session: Session,
    workspace: Workspace,
    table: str,
    keys: set[str | None],
    *,
    cached: bool = True,
) -> set[str]:
    """Which of ``keys`` the table holds as ``source_key`` (known ones cached briefly;
    ``cached=False`` reads every key again)."""
    wanted = {k for k in keys if k is not None}
    known = {k for k in wanted if cached and _key_cache.get((id(workspace), table, k))}
    missing = sorted(wanted - known)
    if not missing:
        return known
    query = text(f"SELECT source_key FROM {table} WHERE source_key IN :keys").bindparams(
        bindparam("keys", expanding=True)
    )
    for start in range(0, len(missing), 5_000):
        chunk = missing[start : start + 5_000]
        for key in session.execute(query, {"keys": chunk}).scalars():
            known.add(str(key))
            _key_cache.put((id(workspace), table, str(key)), True)
    return known
