"""Services of the feedback feature: surveys, questions, responses and answers.

They never commit; the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from keizer.errors import NotFoundError, UnknownReferenceError, ValidationError
from keizer.feedback.models import Answer, Question, Response, Survey
from keizer.feedback.schemas import (
    QuestionRead,
    ResponseCreate,
    ResponseRead,
    SurveyCreate,
    SurveyRead,
)
from keizer.privacy import PersonKind, Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import Lookup, UpsertResult, records_to_rows, staged, upsert, upsert_records

SURVEY = Lookup(column="survey_id", source="survey_key", table="survey", what="surveys")
INTERACTION = Lookup(
    column="interaction_id", source="interaction_key", table="interaction", what="interactions"
)
TEAM = Lookup(column="team_id", source="team_key", table="org_unit", what="teams")
ANSWER_SCHEMA = pa.schema(
    [
        ("response_key", pa.string()),
        ("question_code", pa.string()),
        ("value_num", pa.float64()),
        ("value_text", pa.string()),
    ]
)


def upsert_survey(*, session: Session, survey: SurveyCreate) -> SurveyRead:
    """Insert or update a survey and its questions (questions are matched by code)."""
    connection = session.connection()
    upsert_records(
        connection,
        target=table_of(Survey),
        records=[
            {
                "source_key": survey.source_key,
                "name": survey.name,
                "audience": survey.audience,
                "kind": survey.kind,
                "languages": ",".join(survey.languages),
            }
        ],
        conflict=["source_key"],
    )
    survey_id = session.execute(
        select(Survey.id).where(Survey.source_key == survey.source_key)
    ).scalar_one()
    questions = [
        {**q.model_dump(), "survey_id": survey_id, "position": position}
        for position, q in enumerate(survey.questions)
    ]
    upsert_records(
        connection, target=table_of(Question), records=questions, conflict=["survey_id", "code"]
    )
    session.expire_all()
    return get_survey(session=session, source_key=survey.source_key)


def get_survey(*, session: Session, source_key: str) -> SurveyRead:
    """One survey with its questions."""
    survey = session.scalars(select(Survey).where(Survey.source_key == source_key)).first()
    if survey is None:
        raise NotFoundError(f"no survey with key {source_key!r}")
    questions = session.scalars(
        select(Question).where(Question.survey_id == survey.id).order_by(Question.position)
    ).all()
    read = SurveyRead.model_validate(survey)
    read.questions = [QuestionRead.model_validate(q) for q in questions]
    return read


def list_surveys(*, session: Session) -> list[SurveyRead]:
    """All surveys without their questions, ordered by id."""
    return [
        SurveyRead.model_validate(s) for s in session.scalars(select(Survey).order_by(Survey.id))
    ]


def upsert_responses(
    *, session: Session, responses: Sequence[ResponseCreate], pseudonymiser: Pseudonymiser
) -> UpsertResult:
    """Insert or update responses by ``source_key`` and replace their answers.

    A stored response counts as updated when its own fields or its answers changed. Answers
    are checked against the survey's questions: unknown codes and values outside a question's
    scale are refused.
    """
    if not responses:
        return UpsertResult()
    audiences = survey_audiences(session=session, keys={r.survey_key for r in responses})
    records = []
    for response in responses:
        kind: PersonKind = audiences[response.survey_key]
        record = response.model_dump(exclude={"respondent_source_id", "answers"})
        record["respondent_pseudonym"] = (
            pseudonymiser.pseudonym(kind, response.respondent_source_id)
            if response.respondent_source_id
            else None
        )
        records.append(record)
    rows = records_to_rows(table_of(Response), records, [SURVEY, INTERACTION, TEAM])
    return upsert_response_rows(session=session, responses=rows, answers=_answer_rows(responses))


def upsert_response_rows(
    *, session: Session, responses: pa.Table, answers: pa.Table
) -> UpsertResult:
    """Insert or update responses from Arrow tables and replace their answers.

    ``responses`` holds the response columns with ``respondent_pseudonym`` already
    pseudonymised and ``survey_key``/``interaction_key``/``team_key`` as natural keys;
    ``answers`` has the columns of ``ANSWER_SCHEMA`` (a row without ``question_code`` marks a
    response whose answers are all removed).
    """
    if responses.num_rows == 0:
        return UpsertResult()
    connection = session.connection()
    with staged(connection, answers.cast(ANSWER_SCHEMA)) as stage:
        changed = _responses_with_changed_answers(connection, stage)
        hint = pc.is_in(responses["source_key"], value_set=pa.array(sorted(changed), pa.string()))
        lookups = [lk for lk in (SURVEY, INTERACTION, TEAM) if lk.source in responses.column_names]
        result = upsert(
            connection,
            target=table_of(Response),
            rows=responses.append_column("answers_changed", hint),
            conflict=["source_key"],
            lookups=lookups,
            changed_hint="answers_changed",
        )
        _replace_answers(connection, stage)
    return result


def _answer_rows(responses: Sequence[ResponseCreate]) -> pa.Table:
    """One row per answer; a response without answers gets one row with no question, so
    that its stored answers are still replaced."""
    columns: dict[str, list[object]] = {name: [] for name in ANSWER_SCHEMA.names}
    for response in responses:
        items: list[tuple[str | None, float | str | None]] = [*response.answers.items()]
        items = items or [(None, None)]
        for code, value in items:
            columns["response_key"].append(response.source_key)
            columns["question_code"].append(code)
            columns["value_num"].append(None if isinstance(value, str) else value)
            columns["value_text"].append(value if isinstance(value, str) else None)
    return pa.table(columns, schema=ANSWER_SCHEMA)


def _responses_with_changed_answers(connection: Connection, stage: str) -> set[str]:
    """Keys of already stored responses whose staged answers differ from the stored ones."""
    query = f"""
        WITH new AS (
            SELECT s.response_key, s.question_code, s.value_num, s.value_text
            FROM {stage} s JOIN response r ON r.source_key = s.response_key
            WHERE s.question_code IS NOT NULL
        ), old AS (
            SELECT r.source_key AS response_key, q.code AS question_code,
                   a.value_num, a.value_text
            FROM answer a
            JOIN response r ON r.id = a.response_id
            JOIN question q ON q.id = a.question_id
            WHERE r.source_key IN (SELECT response_key FROM {stage})
        )
        SELECT DISTINCT coalesce(new.response_key, old.response_key)
        FROM new FULL OUTER JOIN old
          ON new.response_key = old.response_key AND new.question_code = old.question_code
        WHERE new.response_key IS NULL OR old.response_key IS NULL
           OR new.value_num IS DISTINCT FROM old.value_num
           OR new.value_text IS DISTINCT FROM old.value_text
    """
    return {str(key) for key in connection.execute(text(query)).scalars()}


def survey_audiences(*, session: Session, keys: set[str]) -> dict[str, PersonKind]:
    """The audience (customer or employee) of each survey; unknown keys are an error."""
    connection = session.connection()
    query = select(Survey.source_key, Survey.audience).where(Survey.source_key.in_(keys))
    found = {str(key): cast(PersonKind, audience) for key, audience in connection.execute(query)}
    missing = sorted(keys - set(found))
    if missing:
        raise UnknownReferenceError("surveys", missing, len(missing))
    return found


def _replace_answers(connection: Connection, stage: str) -> None:
    """Check the staged answers and replace those of the staged responses, set-based."""
    resolved = (
        f"SELECT r.id AS response_id, q.id AS question_id, q.scale_min, q.scale_max, "
        f"s.question_code, s.value_num, s.value_text, s.response_key "
        f"FROM {stage} s JOIN response r ON r.source_key = s.response_key "
        f"LEFT JOIN question q ON q.survey_id = r.survey_id AND q.code = s.question_code "
        f"WHERE s.question_code IS NOT NULL"
    )
    unknown = (
        connection.execute(
            text(f"SELECT DISTINCT question_code FROM ({resolved}) a WHERE question_id IS NULL")
        )
        .scalars()
        .all()
    )
    if unknown:
        codes = sorted(str(u) for u in unknown)
        raise UnknownReferenceError("question codes", codes, len(codes))
    out_of_scale = connection.execute(
        text(
            f"SELECT response_key, question_code, value_num, scale_min, scale_max "
            f"FROM ({resolved}) a WHERE value_num < scale_min OR value_num > scale_max "
            f"ORDER BY response_key, question_code LIMIT 5"
        )
    ).all()
    if out_of_scale:
        shown = "; ".join(
            f"{r[0]}/{r[1]}={r[2]:g} (expected {r[3]:g}-{r[4]:g})" for r in out_of_scale
        )
        raise ValidationError(f"answers outside the question's scale: {shown}")
    connection.execute(
        text(
            f"DELETE FROM answer WHERE response_id IN (SELECT r.id FROM response r "
            f"JOIN (SELECT DISTINCT response_key FROM {stage}) s "
            f"ON r.source_key = s.response_key)"
        )
    )
    connection.execute(
        text(
            f"INSERT INTO answer (response_id, question_id, value_num, value_text) "
            f"SELECT response_id, question_id, value_num, value_text FROM ({resolved}) a"
        )
    )


def get_response(*, session: Session, source_key: str) -> ResponseRead:
    """One response by its source key (without answers)."""
    found = session.scalars(select(Response).where(Response.source_key == source_key)).first()
    if found is None:
        raise NotFoundError(f"no response with key {source_key!r}")
    return ResponseRead.model_validate(found)


def answers_of(*, session: Session, source_key: str) -> dict[str, float | str | None]:
    """The answers of one response, by question code."""
    rows = session.execute(
        select(Question.code, Answer.value_num, Answer.value_text)
        .join(Answer, Answer.question_id == Question.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.source_key == source_key)
    )
    return {code: (text_ if num is None else num) for code, num, text_ in rows}
