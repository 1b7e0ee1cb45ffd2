"""Import is idempotent and order-independent for overlapping files (hypothesis)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keizer
from keizer.config import Settings

# A universe of interactions; each key always carries the same row, so A ∪ B is well defined.
UNIVERSE = {
    f"I{i:03d}": (
        ("phone", "email", "chat")[i % 3],
        f"2025-0{1 + i % 9}-{1 + i % 27:02d} {8 + i % 10:02d}:{i % 60:02d}",
        str(30 + 7 * i),
        ("ja", "nee", "")[i % 3],
    )
    for i in range(40)
}
HEADER = "interaction_id;kanaal;starttijd;gesprekstijd;opgelost\n"
keys = st.lists(st.sampled_from(sorted(UNIVERSE)), min_size=1, max_size=25, unique=True)
counter = itertools.count()


def _file(folder: Path, chosen: list[str]) -> Path:
    path = folder / f"part{next(counter)}.csv"
    path.write_text(
        HEADER + "".join(f"{k};{';'.join(UNIVERSE[k])}\n" for k in chosen), encoding="utf-8"
    )
    return path


def _content(ws: keizer.Workspace) -> pd.DataFrame:
    columns = ["source_key", "channel", "started_at", "talk_s", "resolved"]
    frame = ws.table("interactions").select(*columns).to_pandas()
    return frame.sort_values("source_key").reset_index(drop=True)


def _fresh(tmp: Path, settings: Settings) -> keizer.Workspace:
    return keizer.open(str(tmp / f"store{next(counter)}.duckdb"), settings=settings)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=keys, b=keys)
def test_import_twice_equals_once_and_union_of_overlapping_files(
    a: list[str], b: list[str], tmp_path: Path, settings: Settings
) -> None:
    file_a, file_b = _file(tmp_path, a), _file(tmp_path, b)
    file_union = _file(tmp_path, sorted(set(a) | set(b)))
    with _fresh(tmp_path, settings) as once:
        once.import_file(file_a, "interactions")
        expected_a = _content(once)
    with _fresh(tmp_path, settings) as twice:
        twice.import_file(file_a, "interactions")
        second = twice.import_file(file_a, "interactions")
        assert second.result.inserted == second.result.updated == 0
        pd.testing.assert_frame_equal(_content(twice), expected_a)
    with _fresh(tmp_path, settings) as both:
        both.import_file(file_a, "interactions")
        both.import_file(file_b, "interactions")
        combined = _content(both)
    with _fresh(tmp_path, settings) as union:
        union.import_file(file_union, "interactions")
        pd.testing.assert_frame_equal(combined, _content(union))
    assert len(combined) == len(set(a) | set(b))


def test_the_same_holds_on_postgresql(
    postgres_url: str, settings: Settings, tmp_path: Path
) -> None:
    """One fixed overlapping pair on PostgreSQL (the property runs on DuckDB files)."""
    a, b = sorted(UNIVERSE)[:20], sorted(UNIVERSE)[10:30]
    with keizer.open(postgres_url, settings=settings) as ws:
        ws.import_file(_file(tmp_path, a), "interactions")
        assert ws.import_file(_file(tmp_path, a), "interactions").result.unchanged == 20
        result = ws.import_file(_file(tmp_path, b), "interactions")
        assert (result.result.inserted, result.result.unchanged) == (10, 10)
        assert len(_content(ws)) == 30
