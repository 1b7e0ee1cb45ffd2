"""Loading generated columns into the store: Arrow tables through the set-based upserts.

Person ids are pseudonymised with the workspace's pseudonymiser exactly like an import (the
raw ``DEMO-E…``/``DEMO-C…`` ids are never stored). Everything is keyed by ``source_key`` or
pseudonym, so loading the same data again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, select, text
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
from keizer.store.bulk import UpsertResult, staged, upsert, upsert_records
from keizer.workforce import service as workforce
from keizer.workforce.models import AbsenceSpell, HREvent

TIMESTAMP = pa.timestamp("us", tz="UTC")


class CustomerPseudonyms:
    """Pseudonyms of customer numbers, each computed once (HMAC is the costly part)."""

    def __init__(self, pseudonymiser: Pseudonymiser, pool: int) -> None:
        self._pseudonymiser = pseudonymiser
        self.pool = pool
        self._known = np.empty(pool, dtype=object)

    def __call__(self, numbers: np.ndarray) -> np.ndarray:
        missing = np.unique(numbers[self._known[numbers] == None])  # noqa: E711
        if missing.size:
            ids = [f"DEMO-C{n:08d}" for n in missing]
            self._known[missing] = self._pseudonymiser.pseudonyms("customer", ids)
        out: np.ndarray = self._known[numbers]
        return out


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


def load_people(connection: Connection, people: People, pseudonyms: np.ndarray) -> UpsertResult:
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
    return upsert(
        connection, target=table_of(Employee), rows=rows, conflict=["pseudonym"],
        lookups=[org_service.TEAM],
    )  # fmt: skip


def load_hr_events(connection: Connection, people: People, pseudonyms: np.ndarray) -> UpsertResult:
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
    return upsert(
        connection, target=table_of(HREvent), rows=rows, conflict=["source_key"],
        lookups=[workforce.EMPLOYEE],
    )  # fmt: skip


def load_absence(
    connection: Connection, people: People, spells: Spells, pseudonyms: np.ndarray
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
    return upsert(
        connection, target=table_of(AbsenceSpell), rows=rows, conflict=["source_key"],
        lookups=[workforce.EMPLOYEE],
    )  # fmt: skip


def load_contacts(
    connection: Connection,
    contacts: Contacts,
    employees: np.ndarray,
    team_keys: np.ndarray,
    customers: CustomerPseudonyms,
) -> tuple[UpsertResult, UpsertResult]:
    """Customers first (those not stored yet), then the contacts; returns both results."""
    distinct = np.unique(contacts.customer)
    customer_rows = pa.table(
        {
            "pseudonym": _str(customers(distinct)),
            "segment": _str(np.where(distinct % 10 < 8, "private", "business").astype(object)),
        }
    )
    stored_customers = upsert(
        connection, target=table_of(Customer), rows=customer_rows, conflict=["pseudonym"]
    )
    rows = pa.table(
        {
            "source_key": _str(contacts.key),
            "customer_pseudonym": _str(customers(contacts.customer)),
            "employee_pseudonym": _str(employees[contacts.agent]),
            "team_key": _str(team_keys[contacts.team]),
            "channel": _str(contacts.channel),
            "queue": _str(contacts.queue),
            "topic": _str(np.array(TOPICS, dtype=object)[contacts.topic]),
            "started_at": pa.array(contacts.started_us, TIMESTAMP),
            "talk_s": pa.array(contacts.talk_s, from_pandas=True),
            "hold_s": pa.array(contacts.hold_s, from_pandas=True),
            "after_call_s": pa.array(contacts.after_call_s, from_pandas=True),
            "transferred": pa.array(contacts.transferred),
            "resolved": pa.array(contacts.resolved),
        }
    )
    stored = upsert(
        connection, target=table_of(Interaction), rows=rows, conflict=["source_key"],
        lookups=[operations.CUSTOMER, operations.EMPLOYEE, operations.TEAM],
    )  # fmt: skip
    return stored_customers, stored


def load_responses(
    connection: Connection,
    responses: Responses,
    respondents: np.ndarray,
    questions: Mapping[tuple[str, str], int],
) -> tuple[UpsertResult, UpsertResult, UpsertResult]:
    """Responses, their answers and the comments' truth; ``respondents`` are pseudonyms."""
    n = len(responses)
    none = np.full(n, None, dtype=object)
    rows = pa.table(
        {
            "source_key": _str(responses.key),
            "survey_key": _str(np.full(n, responses.survey_key, dtype=object)),
            "respondent_pseudonym": _str(respondents),
            "respondent_role": _str(responses.role if responses.role is not None else none),
            "interaction_key": _str(
                responses.interaction_key if responses.interaction_key is not None else none
            ),
            "team_key": _str(responses.team_key if responses.team_key is not None else none),
            "channel": _str(responses.channel if responses.channel is not None else none),
            "submitted_at": pa.array(responses.submitted_us, TIMESTAMP),
            "language": _str(responses.language),
        }
    )
    stored = upsert(
        connection, target=table_of(Response), rows=rows, conflict=["source_key"],
        lookups=[feedback.SURVEY, feedback.INTERACTION, feedback.TEAM],
    )  # fmt: skip
    ids = _question_ids(questions, responses.survey_key, responses.answers.code)
    answers = pa.table(
        {
            "response_key": _str(responses.key[responses.answers.response]),
            "question_id": pa.array(ids),
            "value_num": pa.array(responses.answers.value_num, from_pandas=True),
            "value_text": _str(responses.answers.value_text),
        }
    )
    stored_answers = upsert_by_response(connection, table_of(Answer).name, answers)
    truth = responses.truth
    truth_rows = pa.table(
        {
            "response_key": _str(responses.key[truth.response]),
            "question_id": pa.array(_question_ids(questions, responses.survey_key, truth.code)),
            "language": _str(truth.language),
            "sentiment": _str(truth.comments.sentiment),
            "emotion": _str(truth.comments.emotion),
            "themes": _str(truth.comments.themes),
            "vulnerability": _str(truth.comments.vulnerability),
            "intent": _str(truth.comments.intent),
        }
    )
    stored_truth = upsert_by_response(connection, table_of(DemoCommentTruth).name, truth_rows)
    return stored, stored_answers, stored_truth


def load_facts(connection: Connection, facts: Mapping[str, object]) -> UpsertResult:
    records = [
        {"key": key, "value": json.dumps(value, sort_keys=True)} for key, value in facts.items()
    ]
    return upsert_records(connection, target=table_of(DemoFact), records=records, conflict=["key"])


def read_fact(connection: Connection, key: str) -> object | None:
    """A stored fact, or None when there is none."""
    # all(), not scalar(): DuckDB refuses new work while a result is not fetched to the end
    values = connection.execute(select(DemoFact.value).where(DemoFact.key == key)).all()
    return json.loads(values[0][0]) if values else None


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
        changed = " OR ".join(f"t.{q(c)} IS DISTINCT FROM p.{q(c)}" for c in values)
        counts = connection.execute(
            text(
                f"SELECT count(*) FILTER (WHERE t.response_id IS NULL), "
                f"count(*) FILTER (WHERE t.response_id IS NOT NULL AND ({changed})) "
                f"FROM ({projected}) p LEFT JOIN {q(target)} t "
                f"ON t.response_id = p.response_id AND t.question_id = p.question_id"
            )
        ).one()
        differs = " OR ".join(
            f"{q(target)}.{q(c)} IS DISTINCT FROM excluded.{q(c)}" for c in values
        )
        connection.execute(
            text(
                f"INSERT INTO {q(target)} ({', '.join(q(c) for c in columns)}) "
                f"SELECT {', '.join(q(c) for c in columns)} FROM ({projected}) p "
                f"ON CONFLICT (response_id, question_id) DO UPDATE SET "
                f"{', '.join(f'{q(c)} = excluded.{q(c)}' for c in values)} WHERE {differs}"
            )
        )
    inserted, updated = int(counts[0]), int(counts[1])
    return UpsertResult(inserted, updated, rows.num_rows - inserted - updated)


def _question_ids(
    questions: Mapping[tuple[str, str], int], survey_key: str, codes: np.ndarray
) -> np.ndarray:
    lookup = {code: qid for (key, code), qid in questions.items() if key == survey_key}
    distinct, inverse = np.unique(codes.astype(str), return_inverse=True)
    return np.array([lookup[c] for c in distinct], dtype=np.int64)[inverse]


def _str(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string(), from_pandas=True)


def _date(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    days = np.where(missing, 0, days) if missing is not None else days
    return pa.array(days.astype(np.int32), pa.date32(), mask=missing)
