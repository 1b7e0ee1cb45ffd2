"""Writing validated rows: append the keys the store lacks, upsert the others.

Most imports bring new rows (a first load, or this month's export). Those are appended with
one plain ``INSERT ... SELECT`` per table (``COPY`` on PostgreSQL), without the upsert's
duplicate check, change counting and ``ON CONFLICT``; only the rows whose key the store
already holds go through the upsert that counts what changed.
"""

from __future__ import annotations

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
    holds the response keys the store had before this import."""
    if responses.num_rows == 0:
        return UpsertResult()
    responses = responses.append_column("survey_id", pa.repeat(survey.id, responses.num_rows))
    result = UpsertResult()
    if len(stored):
        old = pc.is_in(responses["source_key"], value_set=stored)
        old_answers = pc.is_in(answers["response_key"], value_set=stored)
        result = feedback.upsert_response_rows(
            session=session, responses=responses.filter(old), answers=answers.filter(old_answers)
        )
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
    inserted = append(connection, target=table_of(Response), rows=responses, lookups=lookups)
    answered = answers.filter(pc.is_valid(answers["question_code"]))
    # The answers of the rows kept, in the same order: their response ids by position
    position = pc.index_in(answered["response_key"], value_set=responses["source_key"])
    codes = pa.array([q.code for q in survey.questions], pa.string())
    question_list = pa.array([q.id for q in survey.questions], pa.int64())
    question_ids = pc.take(question_list, pc.index_in(answered["question_code"], value_set=codes))
    if question_ids.null_count:
        unknown = pc.unique(answered["question_code"].filter(pc.is_null(question_ids)))
        raise UnknownReferenceError("question codes", unknown.to_pylist(), len(unknown))
    answer_rows = pa.table(
        {
            "response_id": pc.take(ids, position),
            "question_id": question_ids,
            "value_num": answered["value_num"],
            "value_text": answered["value_text"],
        }
    )
    append(connection, target=table_of(Answer), rows=answer_rows)
    return result + UpsertResult(inserted=inserted)


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
