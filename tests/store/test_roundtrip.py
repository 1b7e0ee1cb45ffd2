"""Bulk writes through the services, read back through Ibis, on both engines."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

import keizer
from keizer.operations.schemas import InteractionCreate

from factories import CX_SURVEY, TEAMS, cx_responses, interactions, populate_org

N = 100_000


def test_100k_interactions_and_responses_round_trip(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    sent = interactions(N)
    result = workspace.add_interactions(sent)
    assert (result.inserted, result.updated, result.unchanged) == (N, 0, 0)
    assert workspace.add_responses(cx_responses(N)).inserted == N

    stored = (
        workspace.table("interactions")
        .join(workspace.table("org_units"), [("team_id", "id")])
        .select("source_key", "channel", "started_at", "talk_s", "hold_s", "after_call_s",
                "transferred", "resolved", "topic", team="source_key_right")
        .order_by("source_key")
        .to_pandas()
    )  # fmt: skip
    expected = pd.DataFrame([i.model_dump() for i in sent])
    assert len(stored) == N
    for column in ("source_key", "channel", "talk_s", "hold_s", "after_call_s",
                   "transferred", "resolved", "topic"):  # fmt: skip
        assert stored[column].tolist() == expected[column].tolist(), column
    assert stored["team"].tolist() == expected["team_key"].tolist()
    assert (
        pd.to_datetime(stored["started_at"], utc=True).tolist()
        == pd.to_datetime(expected["started_at"], utc=True).tolist()
    )

    answers = (
        workspace.table("answers")
        .join(workspace.table("questions"), [("question_id", "id")])
        .join(workspace.table("responses"), [("response_id", "id")])
        .select("source_key", "code", "value_num", "value_text")
        .to_pandas()
    )
    sent_answers = {
        (r.source_key, code): value for r in cx_responses(N) for code, value in r.answers.items()
    }
    got = {
        (row.source_key, row.code): (row.value_text if row.code == "friction" else row.value_num)
        for row in answers.itertuples()
    }
    assert got == sent_answers

    # Writing the same rows again changes nothing.
    again = workspace.add_interactions(sent)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, N)


def test_a_failure_mid_batch_leaves_no_rows(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    batch = interactions(20_000)
    # Row 10,000 names a team that does not exist: the whole batch must be refused.
    broken = batch[10_000].model_copy(update={"team_key": "no-such-team"})
    batch[10_000] = broken
    before = workspace.counts()
    with pytest.raises(keizer.UnknownReferenceError, match="no-such-team"):
        workspace.add_interactions(batch)
    assert workspace.counts() == before


def test_a_database_error_mid_transaction_rolls_everything_back(
    workspace: keizer.Workspace,
) -> None:
    """Several writes in one unit of work: a late failure undoes the early ones too."""
    from keizer.operations import service as operations
    from keizer.org import service as org

    populate_org(workspace)
    before = workspace.counts()
    good = interactions(5_000)
    duplicate = [*interactions(10, offset=9_000), *interactions(1, offset=9_000)]
    seen_before_failure: dict[str, int] = {}

    def write_both() -> None:
        with workspace.unit_of_work() as session:
            operations.upsert_interactions(
                session=session, interactions=good, pseudonymiser=workspace.pseudonymiser
            )
            seen_before_failure["teams"] = len(org.list_org_units(session=session, kind="team"))
            seen_before_failure["interactions"] = len(
                session.execute(text("SELECT id FROM interaction")).all()
            )
            operations.upsert_interactions(
                session=session, interactions=duplicate, pseudonymiser=workspace.pseudonymiser
            )

    with pytest.raises(keizer.ValidationError, match="duplicate keys"):
        write_both()
    assert seen_before_failure == {"teams": len(TEAMS), "interactions": 5_000}
    assert workspace.counts() == before


def test_updates_change_only_changed_rows(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    rows = interactions(1_000)
    workspace.add_interactions(rows)
    changed: list[InteractionCreate] = [
        r.model_copy(update={"talk_s": 1.5}) if i % 10 == 0 else r for i, r in enumerate(rows)
    ]
    result = workspace.add_interactions(changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 100, 900)
    talk = workspace.table("interactions").filter(lambda t: t.talk_s == 1.5).count().execute()
    assert talk == 100
