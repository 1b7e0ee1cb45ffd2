"""Loading generated columns into the store: Arrow tables through the set-based upserts.

Person ids are pseudonymised with the workspace's pseudonymiser exactly like an import (the
raw ``DEMO-E…``/``DEMO-C…`` ids are never stored). Everything is keyed by ``source_key`` or
pseudonym. A :class:`Writer` appends into a store known to lack the rows (a first run: plain
inserts, no change counting) or upserts (a re-run: the same data changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.orm import Session

from keizer.demo.absence import Spells
from keizer.demo.models import DemoCommentTruth, DemoFact
from keizer.demo.operations import Contacts
from keizer.demo.people import NO_LEAVE, People
from keizer.demo.phrases import TOPICS
from keizer.demo.responses import Responses
from keizer.feedback import service as feedback
from keizer.feedback.models import Answer, Question, Response, Survey
from keizer.feedback.schemas import SurveyCreate
from keizer.operations import service as operations
from keizer.operations.models import Customer, Interaction
from keizer.org import service as org_service
from keizer.org.models import Employee
from keizer.org.schemas import OrgUnitCreate
from keizer.privacy import Pseudonymiser
from keizer.store.base import table_of
from keizer.store.bulk import (
    Lookup,
    UpsertResult,
    append,
    merge_select,
    staged,
    upsert,
    upsert_records,
)
from keizer.workforce import service as workforce
from keizer.workforce.models import AbsenceSpell, HREvent

TIMESTAMP = pa.timestamp("us", tz="UTC")
RESPONSE = Lookup(column="response_id", source="response_key", table="response", what="responses")
PSEUDONYM_BLOCK = 100_000


class Writer:
    """Writes generated rows: :func:`~keizer.store.bulk.append` when the store is known to lack
    them (a first run), else :func:`~keizer.store.bulk.upsert` (counts what changed)."""

    def __init__(self, connection: Connection, *, fresh: bool) -> None:
        self.connection = connection
        self.fresh = fresh

    def __call__(
        self, target: Table, rows: pa.Table, conflict: Sequence[str], lookups: Sequence[Lookup] = ()
    ) -> UpsertResult:
        if self.fresh:
            return UpsertResult(append(self.connection, target=target, rows=rows, lookups=lookups))
        return upsert(self.connection, target=target, rows=rows, conflict=conflict, lookups=lookups)


class CustomerPseudonyms:
    """Pseudonyms of the customer pool (HMAC is the costly part: computed once, kept in Arrow),
    and which customers are stored already."""

    def __init__(self, pseudonymiser: Pseudonymiser, pool: int) -> None:
        self.pool = pool
        pseudonym = pseudonymiser.pseudonym  # the ids are distinct: no cache needed
        blocks = [
            pa.array(
                [
                    pseudonym("customer", f"DEMO-C{n:08d}")
                    for n in range(start, min(start + PSEUDONYM_BLOCK, pool))
                ],
                pa.string(),
            )
            for start in range(0, pool, PSEUDONYM_BLOCK)
        ]
        self._pseudonyms = pa.concat_arrays(blocks) if blocks else pa.array([], pa.string())
        #: Customers written by this run or found stored by an earlier part of it.
        self.stored = np.zeros(pool, dtype=bool)

    def __call__(self, numbers: np.ndarray) -> pa.Array:
        return self._pseudonyms.take(numbers)


def load_units(session: Session, units: Sequence[OrgUnitCreate]) -> UpsertResult:
    return org_service.upsert_org_units(session=session, units=units)


def load_surveys(session: Session, surveys: Sequence[SurveyCreate]) -> dict[tuple[str, str], int]:
    """Upsert the surveys; returns question ids by (survey key, question code)."""
    for survey in surveys:
        feedback.upsert_survey(session=session, survey=survey)
    rows = session.execute(
        select(Survey.source_key, Question.code, Question.id).join(
            Question, Question.survey_id == Survey.id
        )
    )
    return {(str(key), str(code)): int(qid) for key, code, qid in rows}


def load_people(write: Writer, people: People, pseudonyms: np.ndarray) -> UpsertResult:
    manager = pseudonyms[np.maximum(people.manager, 0)].copy()
    manager[people.manager < 0] = None
    band_start = people.birth_year - people.birth_year % 5
    bands = np.char.add(np.char.add(band_start.astype(str), "-"), (band_start + 4).astype(str))
    rows = pa.table(
        {
            "pseudonym": _str(pseudonyms),
            "team_key": _str(people.unit_key),
            "manager_pseudonym": _str(manager),
            "role": _str(people.role),
            "hire_date": _date(people.hire_day),
            "leave_date": _date(people.leave_day, people.leave_day == NO_LEAVE),
            "work_mode": _str(people.work_mode),
            "fte": pa.array(people.fte.astype(float)),
            "birth_year_band": _str(bands),
        }
    )
    return write(table_of(Employee), rows, ["pseudonym"], [org_service.TEAM])


def load_hr_events(write: Writer, people: People, pseudonyms: np.ndarray) -> UpsertResult:
    left = np.flatnonzero(people.leave_day != NO_LEAVE)
    n = len(people)
    who = np.concatenate([np.arange(n), left])
    kind = np.array(["hire"] * n + ["leave"] * left.size, dtype=object)
    day = np.concatenate([people.hire_day, people.leave_day[left]])
    voluntary = np.concatenate([np.zeros(n, dtype=bool), people.voluntary[left]])
    reason = np.concatenate([np.full(n, None, dtype=object), people.reason[left]])
    keys = np.char.add(np.char.add("demo:hr:", people.source_id[who].astype(str)), ":")
    keys = np.char.add(keys, kind.astype(str))
    rows = pa.table(
        {
            "source_key": _str(keys),
            "employee_pseudonym": _str(pseudonyms[who]),
            "kind": _str(kind),
            "event_date": _date(day),
            "voluntary": pa.array(voluntary, mask=kind == "hire"),
            "reason": _str(reason),
        }
    )
    return write(table_of(HREvent), rows, ["source_key"], [workforce.EMPLOYEE])


def load_absence(
    write: Writer, people: People, spells: Spells, pseudonyms: np.ndarray
) -> UpsertResult:
    start = _date(spells.start_day)
    keys = [
        f"demo:abs:{people.source_id[p]}:{d}"
        for p, d in zip(spells.person, start.to_pylist(), strict=True)
    ]
    rows = pa.table(
        {
            "source_key": pa.array(keys, pa.string()),
            "employee_pseudonym": _str(pseudonyms[spells.person]),
            "start_date": start,
            "end_date": _date(spells.end_day, spells.end_day < 0),
            "fraction": pa.array(spells.fraction.astype(float)),
            "reason_class": _str(spells.reason),
        }
    )
    return write(table_of(AbsenceSpell), rows, ["source_key"], [workforce.EMPLOYEE])


def load_contacts(
    write: Writer,
    contacts: Contacts,
    employees: np.ndarray,
    team_keys: np.ndarray,
    customers: CustomerPseudonyms,
) -> tuple[UpsertResult, UpsertResult]:
    """Customers first (on a first run only those not stored yet), then the contacts; returns
    both results."""
    distinct = np.unique(contacts.customer)
    if write.fresh:
        distinct = distinct[~customers.stored[distinct]]
    customer_rows = pa.table(
        {
            "pseudonym": customers(distinct),
            "segment": _pick(np.array(["business", "private"]), distinct % 10 < 8),
        }
    )
    stored_customers = write(table_of(Customer), customer_rows, ["pseudonym"])
    customers.stored[distinct] = True
    rows = pa.table(
        {
            "source_key": contacts.key,
            "customer_pseudonym": customers(contacts.customer),
            "employee_pseudonym": _pick(employees, contacts.agent),
            "team_key": _pick(team_keys, contacts.team),
            "channel": _str(contacts.channel),
            "queue": _str(contacts.queue),
            "topic": _pick(np.array(TOPICS, dtype=object), contacts.topic),
            "started_at": pa.array(contacts.started_us, TIMESTAMP),
            "talk_s": pa.array(contacts.talk_s, from_pandas=True),
            "hold_s": pa.array(contacts.hold_s, from_pandas=True),
            "after_call_s": pa.array(contacts.after_call_s, from_pandas=True),
            "transferred": pa.array(contacts.transferred),
            "resolved": pa.array(contacts.resolved),
        }
    )
    lookups = [operations.CUSTOMER, operations.EMPLOYEE, operations.TEAM]
    return stored_customers, write(table_of(Interaction), rows, ["source_key"], lookups)


def load_responses(
    write: Writer,
    responses: Responses,
    respondents: np.ndarray | pa.Array,
    questions: Mapping[tuple[str, str], int],
) -> tuple[UpsertResult, UpsertResult, UpsertResult]:
    """Responses, their answers and the comments' truth; ``respondents`` are pseudonyms."""
    n = len(responses)
    none = np.full(n, None, dtype=object)
    rows = pa.table(
        {
            "source_key": responses.key,
            "survey_key": pa.repeat(pa.scalar(responses.survey_key, pa.string()), n),
            "respondent_pseudonym": _str(respondents),
            "respondent_role": _str(responses.role if responses.role is not None else none),
            "interaction_key": (
                responses.interaction_key
                if responses.interaction_key is not None
                else pa.nulls(n, pa.string())
            ),
            "team_key": _str(responses.team_key if responses.team_key is not None else none),
            "channel": _str(responses.channel if responses.channel is not None else none),
            "submitted_at": pa.array(responses.submitted_us, TIMESTAMP),
            "language": _str(responses.language),
        }
    )
    lookups = [feedback.SURVEY, feedback.INTERACTION, feedback.TEAM]
    stored = write(table_of(Response), rows, ["source_key"], lookups)
    ids = _question_ids(questions, responses.survey_key, responses.answers.code)
    answers = pa.table(
        {
            "response_key": responses.key.take(responses.answers.response),
            "question_id": pa.array(ids),
            "value_num": pa.array(responses.answers.value_num, from_pandas=True),
            "value_text": _str(responses.answers.value_text),
        }
    )
    stored_answers = _write_by_response(write, table_of(Answer), answers)
    truth = responses.truth
    truth_rows = pa.table(
        {
            "response_key": responses.key.take(truth.response),
            "question_id": pa.array(_question_ids(questions, responses.survey_key, truth.code)),
            "language": _str(truth.language),
            "sentiment": _str(truth.comments.sentiment),
            "emotion": _str(truth.comments.emotion),
            "themes": _str(truth.comments.themes),
            "vulnerability": _str(truth.comments.vulnerability),
            "intent": _str(truth.comments.intent),
        }
    )
    stored_truth = _write_by_response(write, table_of(DemoCommentTruth), truth_rows)
    return stored, stored_answers, stored_truth


def load_facts(connection: Connection, facts: Mapping[str, object]) -> UpsertResult:
    records = [
        {"key": key, "value": json.dumps(value, sort_keys=True)} for key, value in facts.items()
    ]
    return upsert_records(connection, target=table_of(DemoFact), records=records, conflict=["key"])


def delete_fact(connection: Connection, key: str) -> None:
    connection.execute(delete(DemoFact).where(DemoFact.key == key))


def read_fact(connection: Connection, key: str) -> object | None:
    """A stored fact, or None when there is none."""
    # all(), not scalar(): DuckDB refuses new work while a result is not fetched to the end
    values = connection.execute(select(DemoFact.value).where(DemoFact.key == key)).all()
    return json.loads(values[0][0]) if values else None


def _write_by_response(write: Writer, target: Table, rows: pa.Table) -> UpsertResult:
    if write.fresh:
        return write(target, rows, [], [RESPONSE])
    return upsert_by_response(write.connection, target.name, rows)


def upsert_by_response(connection: Connection, target: str, rows: pa.Table) -> UpsertResult:
    """Upsert rows keyed by (response, question) whose response is named by ``response_key``.

    :func:`keizer.store.bulk.upsert` matches conflicts on staged columns, and the response id
    is only known after a join, so this does the same in one statement with that join.
    """
    if rows.num_rows == 0:
        return UpsertResult()
    q = connection.dialect.identifier_preparer.quote
    values = [c for c in rows.column_names if c not in ("response_key", "question_id")]
    columns = ["response_id", "question_id", *values]
    with staged(connection, rows) as stage:
        projected = (
            f"SELECT r.id AS response_id, s.question_id, "
            f"{', '.join(f's.{q(c)}' for c in values)} "
            f"FROM {stage} s JOIN response r ON r.source_key = s.response_key"
        )
        inserted, updated = merge_select(
            connection, projected=projected, target=target, columns=columns,
            conflict=["response_id", "question_id"],
        )  # fmt: skip
    return UpsertResult(inserted, updated, rows.num_rows - inserted - updated)


def _question_ids(
    questions: Mapping[tuple[str, str], int], survey_key: str, codes: np.ndarray
) -> np.ndarray:
    lookup = {code: qid for (key, code), qid in questions.items() if key == survey_key}
    distinct, inverse = np.unique(codes.astype(str), return_inverse=True)
    return np.array([lookup[c] for c in distinct], dtype=np.int64)[inverse]


def _str(values: np.ndarray | pa.Array) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    return pa.array(values, pa.string(), from_pandas=True)


def _pick(labels: np.ndarray, index: np.ndarray) -> pa.Array:
    """``labels[index]`` as Arrow text, without a Python string per row."""
    return pc.take(_str(labels), pa.array(index.astype(np.int64)))


def _date(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    days = np.where(missing, 0, days) if missing is not None else days
    return pa.array(days.astype(np.int32), pa.date32(), mask=missing)
