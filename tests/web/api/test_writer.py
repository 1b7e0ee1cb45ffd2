"""The ingest writer: groups batches, survives requests that gave up, counts exactly."""

from __future__ import annotations

from datetime import timedelta

import keizer
from keizer.feedback.schemas import ResponseCreate
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
