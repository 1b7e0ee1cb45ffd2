"""Writing validated rows: append the keys the store lacks, upsert the others.

Most imports bring new rows (a first load, or this month's export). Those are appended with
one plain ``INSERT ... SELECT`` per table (``COPY`` on PostgreSQL), without the upsert's
duplicate check, change counting and ``ON CONFLICT``; only the rows whose key the store
already holds go through the upsert that counts what changed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from keizer.errors import UnknownReferenceError
from keizer.feedback import service as feedback
from keizer.feedback.models import Answer, Response
from keizer.feedback.schemas import SurveyRead
from keizer.operations import service as operations
from keizer.operations.models import Customer, Interaction
from keizer.store.base import table_of
from keizer.store.bulk import UpsertResult, append, reserve_ids, stored_keys


def write_responses(
    session: Session, survey: SurveyRead, responses: pa.Table, answers: pa.Table, stored: pa.Array
) -> UpsertResult:
    """Write ``responses`` of ``survey`` and their long ``answers`` (the shapes of
    :func:`keizer.feedback.service.upsert_response_rows`, without ``survey_key``); ``stored``
    holds the response keys the store had before this import.

    ``answers`` may also carry ``response_row`` (the position of its response in
    ``responses``) and ``question_id``: then new answers find their response and question by
    position instead of by text (a hash lookup of every answer row)."""
    if responses.num_rows == 0:
        return UpsertResult()
    responses = responses.append_column("survey_id", pa.repeat(survey.id, responses.num_rows))
    result = UpsertResult()
    new: np.ndarray | None = None  # which of the given responses are new, if not all
    if len(stored):
        old = pc.is_in(responses["source_key"], value_set=stored)
        old_answers = pc.is_in(answers["response_key"], value_set=stored)
        result = feedback.upsert_response_rows(
            session=session,
            responses=responses.filter(old),
            answers=answers.filter(old_answers).select(feedback.ANSWER_SCHEMA.names),
        )
        new = ~np.asarray(old.to_numpy(), dtype=bool)
        responses = responses.filter(pc.invert(old))
        answers = answers.filter(pc.invert(old_answers))
    if responses.num_rows == 0:
        return result
    connection = session.connection()
    lookups = [
        lk for lk in (feedback.INTERACTION, feedback.TEAM) if lk.source in responses.column_names
    ]
    ids = reserve_ids(connection, "response_id_seq", responses.num_rows)
    responses = responses.append_column("id", ids)
    inserted = append(
        connection, target=table_of(Response), rows=responses, lookups=lookups,
        vouched=["survey_id"],  # the survey was read in this transaction
    )  # fmt: skip
    answered = answers.filter(pc.is_valid(answers["question_code"]))
    answer_rows = pa.table(
        {
            "response_id": pc.take(ids, _response_positions(answered, responses, new)),
            "question_id": _question_ids(answered, survey),
            "value_num": answered["value_num"],
            "value_text": answered["value_text"],
        }
    )
    append(
        connection, target=table_of(Answer), rows=answer_rows,
        vouched=["response_id", "question_id"],  # the responses just appended, the survey's
    )  # fmt: skip
    return result + UpsertResult(inserted=inserted)


def _response_positions(answers: pa.Table, responses: pa.Table, new: np.ndarray | None) -> pa.Array:
    """The position in ``responses`` (the new ones) of each answer's response."""
    if "response_row" not in answers.column_names:
        return pc.index_in(answers["response_key"], value_set=responses["source_key"])
    rows = np.asarray(answers["response_row"].to_numpy(), dtype=np.int64)
    if new is not None:  # positions among the new responses only
        rows = (np.cumsum(new) - 1)[rows]
    return pa.array(rows, pa.int64())


def _question_ids(answers: pa.Table, survey: SurveyRead) -> pa.Array:
    """The question id of each answer; unknown question codes are refused."""
    if "question_id" in answers.column_names:
        question_ids = answers["question_id"].combine_chunks()
    else:
        codes = pa.array([q.code for q in survey.questions], pa.string())
        question_list = pa.array([q.id for q in survey.questions], pa.int64())
        question_ids = pc.take(
            question_list, pc.index_in(answers["question_code"], value_set=codes)
        )
    if question_ids.null_count:
        unknown = pc.unique(answers["question_code"].filter(pc.is_null(question_ids)))
        raise UnknownReferenceError("question codes", unknown.to_pylist(), len(unknown))
    return question_ids


def write_interactions(session: Session, rows: pa.Table, stored: pa.Array) -> UpsertResult:
    """Write interaction rows (the shape of
    :func:`keizer.operations.service.upsert_interaction_rows`); ``stored`` holds the keys the
    store had before this import. Customers new to the store are appended first."""
    result = UpsertResult()
    if len(stored):
        old = pc.is_in(rows["source_key"], value_set=stored)
        result = operations.upsert_interaction_rows(session=session, rows=rows.filter(old))
        rows = rows.filter(pc.invert(old))
    if rows.num_rows == 0:
        return result
    connection = session.connection()
    if "customer_pseudonym" in rows.column_names:
        customers = pc.unique(rows["customer_pseudonym"].drop_null())
        known = stored_keys(connection, target="customer", column="pseudonym", keys=customers)
        if len(known):
            customers = customers.filter(pc.invert(pc.is_in(customers, value_set=known)))
        append(connection, target=table_of(Customer), rows=pa.table({"pseudonym": customers}))
    lookups = [
        lk
        for lk in (operations.CUSTOMER, operations.EMPLOYEE, operations.TEAM)
        if lk.source in rows.column_names
    ]
    inserted = append(connection, target=table_of(Interaction), rows=rows, lookups=lookups)
    return result + UpsertResult(inserted=inserted)
