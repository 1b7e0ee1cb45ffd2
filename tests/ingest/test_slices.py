"""Large files are validated and loaded slice by slice, new keys appended, stored keys upserted:
the outcome must equal a whole-file import (both engines), and the response property holds."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keizer
from keizer.config import Settings
from keizer.ingest import service
from keizer.ingest.issues import ImportValidationError

HEADER = "response_id,submitted_at,respondent_id,score,comment\n"
# score is not a known metric: its scale comes from the data (1-5 in the first rows only)
ROWS = [
    "R1,2025-03-02 09:00,K1,4,",
    "R2,2025-03-02 10:00,K2,5,Snel geholpen",
    "R3,2025-03-03 11:00:30,K1,,",
    "R4,2025-03-04T12:00:00+02:00,K3,2,Lang gewacht",
    "R5,03-03-2025 08:15,,7,",
    "R6,2025-03-05 09:00,K2,1,",
    "R7,2025-03-06 09:00,K4,6,Prima",
]
counter = itertools.count()


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SLICE_ROWS", 2)


def _file(folder: Path, rows: list[str]) -> Path:
    path = folder / f"responses{next(counter)}.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def _counts(ws: keizer.Workspace) -> dict[str, int]:
    counts = ws.counts()
    counts.pop("import_batches")  # failed runs are recorded, by design
    return counts


def _content(ws: keizer.Workspace) -> pd.DataFrame:
    responses = ws.table("responses").to_pandas()[
        ["id", "source_key", "submitted_at", "respondent_pseudonym"]
    ]
    answers = ws.table("answers").to_pandas()
    questions = ws.table("questions").to_pandas()[["id", "code"]]
    joined = answers.merge(questions, left_on="question_id", right_on="id").merge(
        responses, left_on="response_id", right_on="id", how="right"
    )
    columns = ["source_key", "submitted_at", "respondent_pseudonym", "code", "value_num",
               "value_text"]  # fmt: skip
    frame: pd.DataFrame = joined[columns].sort_values(["source_key", "code"], na_position="first")
    return frame.reset_index(drop=True)


def test_slices_give_the_same_store_as_one_pass(
    workspace: keizer.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, ROWS)
    monkeypatch.setattr(service, "SLICE_ROWS", 2)
    result = workspace.import_file(path, "responses", survey="cx")
    assert (result.result.inserted, result.rows_read) == (7, 7)
    questions = workspace.table("questions").order_by("position").to_pandas()
    assert (questions.scale_min.iloc[0], questions.scale_max.iloc[0]) == (1, 7)  # whole file
    sliced = _content(workspace)
    assert len(sliced) == 10  # 6 scores + 3 comments + R3 without answers
    assert sliced[sliced.source_key == "R3"].code.isna().all()
    monkeypatch.setattr(service, "SLICE_ROWS", 1_000_000)
    again = workspace.import_file(path, "responses", survey="cx")
    assert (again.result.inserted, again.result.updated, again.result.unchanged) == (0, 0, 7)
    pd.testing.assert_frame_equal(_content(workspace), sliced)


def test_each_row_gets_its_own_pseudonym_when_ids_recur_across_slices(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    """Ids are hashed once per file and handed out per slice by position (K1 and K2 recur in
    later slices, R5 has no respondent)."""
    workspace.import_file(_file(tmp_path, ROWS), "responses", survey="cx")
    responses = workspace.table("responses").to_pyarrow().to_pydict()
    stored = dict(zip(responses["source_key"], responses["respondent_pseudonym"], strict=True))
    pseudonym = workspace.pseudonymiser.pseudonym
    expected = {
        key: pseudonym("customer", respondent) if respondent else None
        for key, _, respondent, *_ in (row.split(",") for row in ROWS)
    }
    assert stored == expected


def test_duplicates_across_slices_are_found_and_nothing_loads(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    before = _counts(workspace)
    rows = [*ROWS, "R2,2025-03-07 09:00,K9,3,"]
    with pytest.raises(ImportValidationError) as error:
        workspace.import_file(_file(tmp_path, rows), "responses", survey="cx")
    issues = [(i.row, i.column) for i in error.value.issues]
    assert issues == [(3, "response_id"), (9, "response_id")]  # file rows, header is row 1
    assert _counts(workspace) == before


def test_an_invalid_row_in_a_later_slice_rolls_back_the_earlier_ones(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    before = _counts(workspace)
    rows = [*ROWS[:6], "R7,2031-01-01 09:00,K4,6,Prima", "R8,2025-03-06 09:00,K4,=cmd|x,"]
    with pytest.raises(ImportValidationError) as error:
        workspace.import_file(_file(tmp_path, rows), "responses", survey="cx")
    assert [(i.row, i.column) for i in error.value.issues] == [(8, "submitted_at"), (9, "score")]
    assert _counts(workspace) == before


def test_skip_invalid_loads_the_valid_rows_of_every_slice(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    rows = [*ROWS, "R8,not a date,K4,3,", "R9,2025-03-06 09:00,K4,3,=HYPERLINK(1)"]
    report = tmp_path / "errors.csv"
    result = workspace.import_file(
        _file(tmp_path, rows), "responses", survey="cx", skip_invalid=True, report=report
    )
    assert (result.result.inserted, result.rejected) == (7, 2)
    assert workspace.counts()["responses"] == 7
    assert pd.read_csv(report).row.tolist() == [9, 10]


def test_stored_keys_are_upserted_and_new_ones_appended(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    workspace.import_file(_file(tmp_path, ROWS[:5]), "responses", survey="cx")
    corrected = [ROWS[0].replace(",4,", ",3,"), ROWS[1].replace("Snel geholpen", ""), *ROWS[2:]]
    result = workspace.import_file(_file(tmp_path, corrected), "responses", survey="cx")
    assert (result.result.inserted, result.result.updated, result.result.unchanged) == (2, 2, 3)
    content = _content(workspace).set_index(["source_key", "code"])
    assert content.loc[("R1", "score"), "value_num"] == 3
    assert ("R2", "comment") not in content.index
    assert content.loc[("R7", "comment"), "value_text"] == "Prima"


def test_answers_of_new_responses_between_stored_ones_land_on_their_own_response(
    workspace: keizer.Workspace, settings: Settings, tmp_path: Path
) -> None:
    """New responses interleaved with stored ones in one slice: the answers written by
    position must end up on the same responses as in a single import of the file."""
    workspace.import_file(_file(tmp_path, ROWS[0::2]), "responses", survey="cx")
    result = workspace.import_file(_file(tmp_path, ROWS), "responses", survey="cx")
    assert (result.result.inserted, result.result.unchanged) == (3, 4)
    with keizer.open(str(tmp_path / "once.duckdb"), settings=settings) as once:
        once.import_file(_file(tmp_path, ROWS), "responses", survey="cx")
        expected = _content(once)
    pd.testing.assert_frame_equal(_content(workspace), expected)


# A universe of responses; each key always carries the same row, so A ∪ B is well defined.
UNIVERSE = {
    f"Q{i:03d}": f"2025-0{1 + i % 9}-{1 + i % 27:02d} 10:{i % 60:02d},K{i % 7},"
    f"{1 + i % 5},{('', 'goed', 'slecht')[i % 3]}"
    for i in range(30)
}
keys = st.lists(st.sampled_from(sorted(UNIVERSE)), min_size=1, max_size=20, unique=True)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=keys, b=keys, slice_rows=st.sampled_from([1, 3, 1_000_000]))
def test_response_imports_are_idempotent_and_union_like(
    a: list[str], b: list[str], slice_rows: int, tmp_path: Path, settings: Settings
) -> None:
    def rows(chosen: list[str]) -> list[str]:
        return [f"{k},{UNIVERSE[k]}" for k in chosen]

    def fresh() -> keizer.Workspace:
        return keizer.open(str(tmp_path / f"store{next(counter)}.duckdb"), settings=settings)

    file_a, file_b = _file(tmp_path, rows(a)), _file(tmp_path, rows(b))
    file_union = _file(tmp_path, rows(sorted(set(a) | set(b))))
    # scores 1-5 give the inferred scale 1-5 whatever subset a file holds
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "SLICE_ROWS", slice_rows)
        with fresh() as twice:
            twice.import_file(file_a, "responses", survey="cx")
            first = _content(twice)
            second = twice.import_file(file_a, "responses", survey="cx")
            assert (second.result.inserted, second.result.updated) == (0, 0)
            assert second.result.unchanged == len(a)
            pd.testing.assert_frame_equal(_content(twice), first)
        with fresh() as union:
            union.import_file(file_union, "responses", survey="cx")
            expected = _content(union)
        with fresh() as parts:
            parts.import_file(file_a, "responses", survey="cx")
            parts.import_file(file_b, "responses", survey="cx")
            combined = _content(parts)
    pd.testing.assert_frame_equal(combined, expected)


def test_appended_responses_resolve_teams_and_interactions(
    workspace: keizer.Workspace, tmp_path: Path, small_slices: None
) -> None:
    units = tmp_path / "units.csv"
    units.write_text("source_key,name,kind\nteam-a,A,team\nteam-b,B,team\n", encoding="utf-8")
    workspace.import_file(units, "org-units")
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "interaction_id,channel,started_at,customer_id\nI1,phone,2025-03-01 09:00,K1\n"
        "I2,chat,2025-03-01 09:30,K2\nI3,email,2025-03-01 10:00,K1\n",
        encoding="utf-8",
    )
    assert workspace.import_file(calls, "interactions").result.inserted == 3
    assert workspace.counts()["customers"] == 2
    header = "response_id,submitted_at,team,interaction_id,channel,nps\n"
    rows = ["S1,2025-03-02 09:00,team-a,I1,phone,9", "S2,2025-03-02 09:00,team-b,,chat,3",
            "S3,2025-03-02 09:00,,I3,,"]  # fmt: skip
    path = tmp_path / "linked.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    assert workspace.import_file(path, "responses", survey="cx").result.inserted == 3
    teams = workspace.table("org_units").to_pandas().set_index("source_key").id
    interactions = workspace.table("interactions").to_pandas().set_index("source_key").id
    stored = workspace.table("responses").to_pandas().set_index("source_key")
    assert stored.loc["S1", "team_id"] == teams["team-a"]
    assert stored.loc["S2", "team_id"] == teams["team-b"]
    assert stored.loc["S1", "interaction_id"] == interactions["I1"]
    assert stored.loc["S3", "interaction_id"] == interactions["I3"]
    assert pd.isna(stored.loc["S3", "team_id"])
    assert pd.isna(stored.loc["S2", "interaction_id"])
    # stored responses next to a new one: upserted (and counted), the new one appended; the
    # corrected response has answers and follows an interaction (DuckDB's foreign keys used
    # to refuse that: migration 0005)
    corrected = [rows[0].replace("phone", "email"), *rows[1:], "S4,2025-03-02 09:00,team-a,I2,,7"]
    moved = path.with_name("moved.csv")
    moved.write_text(header + "\n".join(corrected) + "\n", encoding="utf-8")
    again = workspace.import_file(moved, "responses", survey="cx")
    assert (again.result.inserted, again.result.updated, again.result.unchanged) == (1, 1, 2)
    stored = workspace.table("responses").to_pandas().set_index("source_key")
    assert stored.loc["S1", "channel"] == "email"
    assert stored.loc["S4", "interaction_id"] == interactions["I2"]
    assert stored.loc["S1", "team_id"] == teams["team-a"]
