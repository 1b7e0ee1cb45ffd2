"""One writer per workspace that groups concurrent response batches into one transaction.

Concurrent posts would otherwise each open a write transaction: on DuckDB they would conflict
on the shared file, on PostgreSQL each would pay its own commit. The writer thread takes every
batch waiting in its queue, writes them with one upsert in one transaction, and hands each
request its own counts. Every request waits for its commit, so an answered request is stored.

Nearly every posted key is new, so a group is inserted without looking its keys up first
(on DuckDB that look-up scans every stored key); a group holding a key this writer wrote
lately (a retried batch) is looked up at once, and a key stored another way fails the insert
on the unique constraint and sends its group the same way.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from keizer.errors import UnknownReferenceError
from keizer.feedback import service as feedback
from keizer.feedback.models import Answer, Response
from keizer.feedback.schemas import ResponseCreate, SurveyRead
from keizer.feedback.service import INTERACTION, TEAM
from keizer.privacy import PersonKind
from keizer.store.base import table_of
from keizer.store.bulk import UpsertResult, append, records_to_rows, reserve_ids, staged
from keizer.workspace import Workspace

log = logging.getLogger("keizer.web.api")
MAX_GROUP_RESPONSES = 20_000
KEY_CHUNK = 5_000
ANSWER_COLUMNS = ("response_id", "question_id", "value_num", "value_text")
IDLE_EXIT_S = 30.0
ID_BLOCK = 10_000
RECENT_KEYS = 200_000  # about three minutes of posts at 1,000 responses/s


@dataclass
class Job:
    """One posted batch, already validated, and where its counts go."""

    responses: list[ResponseCreate]
    surveys: dict[str, SurveyRead] = field(default_factory=dict)  # by key, with questions
    done: Future[UpsertResult] = field(default_factory=Future)

    @property
    def keys(self) -> set[str]:
        return {r.source_key for r in self.responses}


class IngestWriter:
    """A daemon thread writing queued batches in groups (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._queue: queue.Queue[Job] = queue.Queue()
        self._held: list[Job] = []  # batches sharing keys with the last group: next group
        self._ids = ResponseIds(workspace)
        self._recent = RecentKeys(RECENT_KEYS)
        self._thread = threading.Thread(target=self._run, name="keizer-ingest", daemon=True)
        self._thread.start()

    def put(self, job: Job) -> None:
        self._queue.put(job)

    def _run(self) -> None:
        with self.workspace.store.one_thread_per_statement():  # until the writer idles out
            self._write_groups()

    def _write_groups(self) -> None:
        while True:
            group = self._next_group()
            if not group:
                return
            try:
                self._write(group)
            except Exception:
                log.debug("group write failed; writing its batches one by one", exc_info=True)
                for job in group:
                    self._write_alone(job)
            except BaseException as exc:  # the thread must not die with requests waiting
                for job in group:
                    _settle(job, error=exc)
                raise

    def _next_group(self) -> list[Job]:
        """The batches to write next; empty when the writer stopped after idling."""
        if self._held:
            waiting, self._held = self._held, []
        else:
            try:
                waiting = [self._queue.get(timeout=IDLE_EXIT_S)]
            except queue.Empty:
                with _writers_guard:
                    if self._queue.empty():
                        _writers.pop(self.workspace, None)
                        return []
                waiting = [self._queue.get()]
        group: list[Job] = []
        keys: set[str] = set()
        size = 0
        while True:
            for job in waiting:
                if keys & job.keys or (group and size + len(job.responses) > MAX_GROUP_RESPONSES):
                    self._held.append(job)
                    continue
                group.append(job)
                keys |= job.keys
                size += len(job.responses)
            try:
                waiting = [self._queue.get_nowait()]
            except queue.Empty:
                return group

    def _write(self, group: list[Job]) -> None:
        keys = [key for job in group for key in job.keys]
        results = None
        if not self._recent.any_of(keys):  # nearly always: write without looking keys up
            # a key stored after all (by another way in) fails the insert: then as below
            with contextlib.suppress(IntegrityError), self.workspace.unit_of_work() as session:
                results = write_group(session, self.workspace, group, self._ids.take,
                                      all_new=True)  # fmt: skip
        if results is None:  # a retried or a corrected batch
            with self.workspace.unit_of_work() as session:
                results = write_group(session, self.workspace, group, self._ids.take)
        self._recent.add(keys)
        self._note_corrections(results)
        for job, result in zip(group, results, strict=True):
            _settle(job, result)

    def _note_corrections(self, results: list[UpsertResult]) -> None:
        """Responses updated in place leave the row counts as they were: tell the web
        caches (new rows they notice by themselves)."""
        if any(result.updated for result in results):
            from keizer.web.state import data_changed  # the web state imports this package

            data_changed(self.workspace)

    def _write_alone(self, job: Job) -> None:
        try:
            with self.workspace.unit_of_work() as session:
                result = feedback.upsert_responses(
                    session=session, responses=job.responses,
                    pseudonymiser=self.workspace.pseudonymiser,
                )  # fmt: skip
        except Exception as exc:
            _settle(job, error=exc)
        else:
            self._note_corrections([result])
            _settle(job, result)


class RecentKeys:
    """The last ``size`` response keys this writer wrote: a client that lost an answer posts
    its batch again within seconds, and such a group is written with its keys looked up at
    once instead of failing on the unique constraint first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def any_of(self, keys: Iterable[str]) -> bool:
        return any(key in self._keys for key in keys)

    def add(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._keys[key] = None
            self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


def _settle(
    job: Job, result: UpsertResult | None = None, *, error: BaseException | None = None
) -> None:
    """Hand a batch's outcome to its request; a request that gave up (client gone, timeout)
    cancelled its future, and its batch is stored all the same."""
    with contextlib.suppress(InvalidStateError):
        if error is not None:
            job.done.set_exception(error)
        else:
            job.done.set_result(result or UpsertResult())


def write_group(
    session: Session,
    workspace: Workspace,
    group: list[Job],
    ids: Callable[[int], list[int]] | None = None,
    *,
    all_new: bool = False,
) -> list[UpsertResult]:
    """Write the group's batches in ``session`` and return each batch's own counts (``ids``:
    see :func:`append_responses`).

    Responses whose key the store lacks (nearly all) are appended together, with their
    answers, in two ``INSERT ... SELECT`` statements for the whole group. A response already
    stored exactly as posted (a retried batch) counts as unchanged without a write; the
    others (a corrected batch) go through the feedback service's upsert, batch by batch, so
    that each batch learns exactly what was updated and what was unchanged.

    With ``all_new`` the keys are not looked up first (on DuckDB the look-up scans every
    stored key, about a tenth of a group's time): a key already stored then fails on the
    table's unique constraint (``IntegrityError``), and the caller writes the group again
    without ``all_new`` in a new transaction.
    """
    keys = [r.source_key for job in group for r in job.responses]
    stored = {} if all_new else stored_responses(session, keys)
    fresh = [r for job in group for r in job.responses if r.source_key not in stored]
    surveys = {k: v for job in group for k, v in job.surveys.items()}
    append_responses(session, workspace, fresh, surveys, ids)
    results = []
    for job in group:
        old = [r for r in job.responses if r.source_key in stored]
        result = UpsertResult(inserted=len(job.responses) - len(old))
        changed = [
            r for r in old
            if stored[r.source_key] != _as_stored(workspace, r, job.surveys.get(r.survey_key))
        ]  # fmt: skip
        result += UpsertResult(unchanged=len(old) - len(changed))
        if changed:
            result += feedback.upsert_responses(
                session=session, responses=changed, pseudonymiser=workspace.pseudonymiser
            )
        results.append(result)
    return results


@dataclass(frozen=True)
class StoredResponse:
    """What a posted response is compared on: the columns the feedback service's upsert
    compares (references as natural keys) and the answers by question id."""

    survey_id: int
    respondent_pseudonym: str | None
    respondent_role: str | None
    interaction_key: str | None
    team_key: str | None
    channel: str | None
    submitted_at: datetime
    language: str | None
    answers: frozenset[tuple[int, float | None, str | None]]


STORED_COLUMNS = (
    "r.source_key, r.id, r.survey_id, r.respondent_pseudonym, r.respondent_role, "
    "i.source_key, t.source_key, r.channel, r.submitted_at, r.language"
)
STORED_JOINS = (
    "LEFT JOIN interaction i ON i.id = r.interaction_id LEFT JOIN org_unit t ON t.id = r.team_id"
)


def stored_responses(session: Session, keys: list[str]) -> dict[str, StoredResponse]:
    """The responses among ``keys`` that the store holds, as stored (with their answers)."""
    if not keys:
        return {}
    connection = session.connection()
    # the keys alone first: nearly every posted key is new, and this look-up needs no join
    found = text("SELECT id FROM response WHERE source_key = ANY(:keys)")
    ids = [int(row[0]) for row in _in_chunks(connection, found, keys)]
    if not ids:
        return {}
    # The ids' range as well: DuckDB then skips the row groups outside it (responses posted
    # together, such as a retried batch, have ids close together) instead of scanning all.
    query = text(f"SELECT {STORED_COLUMNS} FROM response r {STORED_JOINS} "
                 "WHERE r.id BETWEEN :low AND :high AND r.id = ANY(:keys)")  # fmt: skip
    rows = _in_chunks(connection, query, ids, id_range=True)
    answers: dict[int, set[tuple[int, float | None, str | None]]] = {row[1]: set() for row in rows}
    query = text(
        "SELECT response_id, question_id, value_num, value_text FROM answer "
        "WHERE response_id BETWEEN :low AND :high AND response_id = ANY(:keys)"
    )
    for response_id, question_id, num, value in _in_chunks(
        connection, query, list(answers), id_range=True
    ):
        answers[int(response_id)].add((int(question_id), num, value))
    return {
        str(row[0]): StoredResponse(
            int(row[2]), row[3], row[4], row[5], row[6], row[7], _aware(row[8]), row[9],
            frozenset(answers[row[1]]),
        )
        for row in rows
    }  # fmt: skip


def _in_chunks(
    connection: Connection, query: Any, keys: list[Any], *, id_range: bool = False
) -> list[Any]:
    """The rows of ``query`` for ``keys`` (its ``:keys`` parameter), a chunk at a time; with
    ``id_range`` (keys are ids) also the chunk's lowest and highest (``:low``, ``:high``)."""
    rows: list[Any] = []
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        bounds = {"low": min(chunk), "high": max(chunk)} if id_range else {}
        rows += connection.execute(query, {"keys": chunk, **bounds}).all()
    return rows


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _as_stored(
    workspace: Workspace, response: ResponseCreate, survey: SurveyRead | None
) -> StoredResponse | None:
    """The posted response as :func:`stored_responses` would read it once written; ``None``
    when its survey is not at hand (then it is never taken as unchanged)."""
    if survey is None:
        return None
    questions = {q.code: q.id for q in survey.questions}
    answers = set()
    for code, value in response.answers.items():
        if value is None:
            continue
        if code not in questions:
            return None
        number = None if isinstance(value, str) else float(value)
        answers.add((questions[code], number, value if isinstance(value, str) else None))
    return StoredResponse(
        survey.id, _pseudonym(workspace, survey, response), response.respondent_role,
        response.interaction_key, response.team_key, response.channel, response.submitted_at,
        response.language, frozenset(answers),
    )  # fmt: skip


def _pseudonym(workspace: Workspace, survey: SurveyRead, response: ResponseCreate) -> str | None:
    if not response.respondent_source_id:
        return None
    kind: PersonKind = "employee" if survey.audience == "employee" else "customer"
    return workspace.pseudonymiser.pseudonym(kind, response.respondent_source_id)


def _reserve_ids(session: Session, count: int) -> list[int]:
    """``count`` new response ids, so that the answers need no join to find theirs."""
    return [int(i) for i in reserve_ids(session.connection(), "response_id_seq", count).to_pylist()]


class ResponseIds:
    """New response ids for one writer thread, reserved from the sequence ``ID_BLOCK`` at a
    time in a transaction of their own: one query per block instead of one per group (on
    DuckDB about 2 ms of each group's time). Ids a stopped server did not use stay unused,
    as those of a rolled-back insert do."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._ids: deque[int] = deque()

    def take(self, count: int) -> list[int]:
        if len(self._ids) < count:
            with self._workspace.store.engine.begin() as connection:
                block = reserve_ids(connection, "response_id_seq", max(count, ID_BLOCK))
            self._ids.extend(int(i) for i in block.to_pylist())
        return [self._ids.popleft() for _ in range(count)]


def append_responses(
    session: Session,
    workspace: Workspace,
    responses: list[ResponseCreate],
    surveys: dict[str, SurveyRead] | None = None,
    ids: Callable[[int], list[int]] | None = None,
) -> None:
    """Insert new responses and their answers (keys known to be new, references checked);
    ``surveys`` may hold the surveys already read, by key; ``ids(n)`` gives n new response
    ids (default: reserved from the sequence in ``session``)."""
    if not responses:
        return
    connection = session.connection()
    surveys = dict(surveys or {})
    for key in {r.survey_key for r in responses} - set(surveys):
        surveys[key] = feedback.get_survey(session=session, source_key=key)
    records = []
    answers: dict[str, list[object]] = {c: [] for c in ANSWER_COLUMNS}
    new_ids = ids(len(responses)) if ids is not None else _reserve_ids(session, len(responses))
    for r, response_id in zip(responses, new_ids, strict=True):
        survey = surveys[r.survey_key]
        records.append(
            {
                "id": response_id, "source_key": r.source_key, "survey_id": survey.id,
                "respondent_pseudonym": _pseudonym(workspace, survey, r),
                "respondent_role": r.respondent_role, "interaction_key": r.interaction_key,
                "team_key": r.team_key, "channel": r.channel, "submitted_at": r.submitted_at,
                "language": r.language,
            }
        )  # fmt: skip
        questions = {q.code: q.id for q in survey.questions}
        for code, value in r.answers.items():
            if value is None:
                continue
            answers["response_id"].append(response_id)
            answers["question_id"].append(questions[code])
            answers["value_num"].append(None if isinstance(value, str) else float(value))
            answers["value_text"].append(value if isinstance(value, str) else None)
    rows = records_to_rows(table_of(Response), records, [INTERACTION, TEAM])
    append(connection, target=table_of(Response), rows=rows, lookups=[INTERACTION, TEAM])
    answer_rows = pa.table(
        {
            "response_id": pa.array(answers["response_id"], pa.int64()),
            "question_id": pa.array(answers["question_id"], pa.int64()),
            "value_num": pa.array(answers["value_num"], pa.float64()),
            "value_text": pa.array(answers["value_text"], pa.string()),
        }
    )
    append_answers(connection, answer_rows)


def append_answers(connection: Connection, rows: pa.Table) -> None:
    """Insert the answers of responses this transaction has just appended.

    On PostgreSQL a ``COPY`` (its foreign keys check every id). On DuckDB, whose fact tables
    have no foreign keys, one ``INSERT ... SELECT`` that checks the question ids against the
    (small) question table; the response ids need no check, as they were reserved from the
    sequence and their responses inserted by this same transaction (a check would scan the
    whole response table for every group).
    """
    if connection.dialect.name != "duckdb":
        append(connection, target=table_of(Answer), rows=rows)
        return
    columns = ", ".join(ANSWER_COLUMNS)
    selected = ", ".join(f"s.{c}" for c in ANSWER_COLUMNS)
    with staged(connection, rows) as stage:
        inserted = connection.execute(
            text(
                f"INSERT INTO answer ({columns}) SELECT {selected} FROM {stage} s "
                f"JOIN question q ON q.id = s.question_id"
            )
        ).rowcount
    if inserted != rows.num_rows:  # a question removed since its survey was cached
        raise UnknownReferenceError("questions", [], rows.num_rows - inserted)


_writers: weakref.WeakKeyDictionary[Workspace, IngestWriter] = weakref.WeakKeyDictionary()
_writers_guard = threading.Lock()


def submit(
    workspace: Workspace,
    responses: list[ResponseCreate],
    surveys: dict[str, SurveyRead] | None = None,
) -> Future[UpsertResult]:
    """Queue a validated batch for the workspace's writer (started on first use, stopped
    after idling); the future gives the batch's counts once they are committed."""
    job = Job(responses, dict(surveys or {}))
    with _writers_guard:
        writer = _writers.get(workspace)
        if writer is None:
            writer = _writers[workspace] = IngestWriter(workspace)
        writer.put(job)
    return job.done


__all__ = [
    "IngestWriter",
    "Job",
    "ResponseIds",
    "append_answers",
    "stored_responses",
    "submit",
    "write_group",
]
