"""The ingest writer: groups batches, survives requests that gave up, counts exactly."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

import keizer
from keizer.feedback.schemas import ResponseCreate
from keizer.web.api import writer
from keizer.web.api.writer import submit

from factories import CX_SURVEY, T0, populate_org


def _responses(keys: range, nps: float = 8.0) -> list[ResponseCreate]:
    return [
        ResponseCreate(
            source_key=f"W{k}",
            survey_key=CX_SURVEY.source_key,
            submitted_at=T0 + timedelta(minutes=k),
            team_key="team-a",
            answers={"nps": nps, "friction": f"tekst {k}"},
        )
        for k in keys
    ]


def test_writer_counts_and_survives_an_abandoned_request(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    abandoned = submit(workspace, _responses(range(10)))
    abandoned.cancel()  # the client went away; its batch is stored all the same
    first = submit(workspace, _responses(range(5, 15))).result(timeout=60)
    again = submit(workspace, _responses(range(5, 15))).result(timeout=60)
    changed = submit(workspace, _responses(range(10, 20), nps=2.0)).result(timeout=60)
    counts = [(r.inserted, r.updated, r.unchanged) for r in (first, again, changed)]
    assert abandoned.cancelled()
    # the abandoned batch went first (queue order), so half of the next one was stored already
    assert counts == [(5, 0, 5), (0, 0, 10), (5, 5, 0)]
    assert workspace.counts()["responses"] == 20
    assert workspace.counts()["answers"] == 40
    stored = workspace.table("answers").to_pandas()
    assert stored["value_num"].dropna().tolist().count(2.0) == 10


def test_a_retried_batch_is_unchanged_only_when_every_field_is(
    workspace: keizer.Workspace,
) -> None:
    """The writer takes a stored response as unchanged without writing only when all that
    the upsert compares is equal; any one difference is an update, and it is stored."""
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    base = ResponseCreate(
        source_key="R0", survey_key=CX_SURVEY.source_key, submitted_at=T0,
        respondent_source_id="C1", respondent_role="staff", team_key="team-a",
        channel="chat", language="nl", answers={"nps": 8.0, "friction": "lang wachten"},
    )  # fmt: skip
    bare = ResponseCreate(source_key="R1", survey_key=CX_SURVEY.source_key, submitted_at=T0)
    assert submit(workspace, [base, bare]).result(timeout=60).inserted == 2
    again = submit(workspace, [base, bare]).result(timeout=60)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    variants = [
        {"submitted_at": T0 + timedelta(microseconds=1)},
        {"respondent_source_id": "C2"},
        {"respondent_role": "agent"},
        {"team_key": "team-b"},
        {"channel": "email"},
        {"language": "en"},
        {"answers": {"nps": 8.0}},
        {"answers": {"nps": 8.0, "friction": "lang wachten!"}},
        {"answers": {"nps": 7.0, "friction": "lang wachten"}},
        {"answers": {"nps": 8.0, "friction": "lang wachten", "ces": 2.0}},
    ]
    for change in variants:
        changed = base.model_copy(update=change)
        result = submit(workspace, [changed, bare]).result(timeout=60)
        assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1), change
        # stored as posted: posting it again is unchanged
        result = submit(workspace, [changed]).result(timeout=60)
        assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1), change
        base = changed
    assert workspace.counts()["responses"] == 2
    assert workspace.counts()["answers"] == 3


def test_ids_reserved_in_blocks_never_meet_other_writers_ids(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's ids come from blocks reserved ahead; responses written meanwhile by the
    Python API (the same sequence) get other ids, and nothing collides."""
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    monkeypatch.setattr(writer, "ID_BLOCK", 4)
    ids = writer.ResponseIds(workspace)
    taken = ids.take(3)  # a block of 4: one id left over
    workspace.add_responses(_responses(range(100, 103)))
    taken += ids.take(2)  # the left-over id, then a new block
    stored = set(workspace.table("responses").to_pandas()["id"])
    assert len(set(taken)) == 5
    assert not stored & set(taken)
    with workspace.unit_of_work() as session:
        jobs = [writer.Job(_responses(range(5)))]
        writer.write_group(session, workspace, jobs, ids.take)
    assert workspace.counts()["responses"] == 8
    new = set(workspace.table("responses").to_pandas()["id"]) - stored
    assert len(new) == 5
    assert not new & set(taken)  # handed out once only (the unused ones stay gaps)


def test_keys_stored_another_way_are_found_after_a_failed_insert(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer inserts without looking keys up unless it wrote them lately: keys stored by
    an import or the Python API fail the insert on the unique constraint, and the group is
    written again with its keys looked up, so that the counts stay exact."""
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses(_responses(range(5)))  # stored without the writer
    calls: list[bool] = []
    real = writer.write_group

    def counting(*args: object, all_new: bool = False, **kwargs: object) -> object:
        calls.append(all_new)
        return real(*args, all_new=all_new, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_group", counting)
    mixed = submit(workspace, _responses(range(3, 8))).result(timeout=60)
    assert (mixed.inserted, mixed.updated, mixed.unchanged) == (3, 0, 2)
    assert calls == [True, False]  # failed on W3 and W4, then looked up
    calls.clear()
    again = submit(workspace, _responses(range(3, 8))).result(timeout=60)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert calls == [False]  # written lately: looked up at once
    fresh = submit(workspace, _responses(range(8, 10))).result(timeout=60)
    assert fresh.inserted == 2
    assert calls == [False, True]
    assert workspace.counts()["responses"] == 10
    assert workspace.counts()["answers"] == 20


def test_duckdb_runs_one_thread_per_statement_while_the_writer_writes(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer sets DuckDB's threads to one while it runs and restores them when it stops
    after idling (PostgreSQL: nothing to set)."""

    def threads() -> str:
        with workspace.store.engine.connect() as connection:
            return str(connection.exec_driver_sql("SELECT current_setting('threads')").scalar())

    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    if workspace.engine != "duckdb":
        assert submit(workspace, _responses(range(3))).result(timeout=60).inserted == 3
        return
    before = threads()
    monkeypatch.setattr(writer, "IDLE_EXIT_S", 0.5)
    seen: list[str] = []
    real = writer.write_group

    def noting(*args: object, **kwargs: object) -> object:
        seen.append(threads())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_group", noting)
    assert submit(workspace, _responses(range(3))).result(timeout=60).inserted == 3
    assert seen == ["1"]
    deadline = time.monotonic() + 30  # the writer stops after idling, then restores them
    while (workspace in writer._writers or threads() != before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workspace not in writer._writers
    assert threads() == before
