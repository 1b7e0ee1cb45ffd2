"""The panel read from the store (Ibis, on DuckDB and PostgreSQL) is the generator's panel,
and the linkage results are identical on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.linkage import Intervention, LinkageOptions, Panel, analyse
from keizer.linkage.queries import build_panel
from keizer.linkage.report import to_json
from keizer.metrics.survey_queries import StoreTables
from linkage.demo_panel import demo_panel

SIZE = {"employees": 150, "months": 9, "seed": 5, "scale": 0.3}
OPTIONS = LinkageOptions(min_teams=8, min_months=4, min_events=5, n_boot=50)


def _normal(panel: Panel, pseudonyms: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The panel's frames with generator ids replaced by pseudonyms, dates as text, and rows
    in one order."""
    out = {}
    for name in ("ex_answers", "cx_answers", "contacts", "people", "spells"):
        frame = getattr(panel, name).copy()
        for column in ("respondent", "person"):
            if column in frame and pseudonyms:
                frame[column] = frame[column].map(pseudonyms)
        for column in ("hire_date", "leave_date"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        for column in frame.columns:
            if frame[column].dtype.kind in "iufb":
                frame[column] = frame[column].astype(float)
            else:
                frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def _store_panel(url: str) -> tuple[Panel, keizer.Workspace]:
    ws = keizer.open(url, settings=Settings(secret_key="test-secret-0123456789-abcdefghijklmnop"))
    generate(ws, **SIZE)
    return build_panel(StoreTables.from_backend(ws.store.ibis)), ws


def test_the_store_panel_is_the_generators_panel(store_url: str) -> None:
    stored, ws = _store_panel(store_url)
    try:
        memory = demo_panel(**SIZE).panel
        ids = sorted(set(memory.people["person"]))
        pseudonyms = dict(zip(ids, ws.pseudonymiser.pseudonyms("employee", ids), strict=True))
    finally:
        ws.close()
    got, want = _normal(stored, {}), _normal(memory, pseudonyms)
    for name in got:
        pd.testing.assert_frame_equal(got[name][want[name].columns], want[name],
                                      check_dtype=False, obj=name)  # fmt: skip
    assert len(got["cx_answers"]) > 100
    assert got["ex_answers"]["measure"].nunique() >= 11


@pytest.mark.postgres
def test_results_are_identical_on_duckdb_and_postgresql(tmp_path: Path, postgres_url: str) -> None:
    documents = []
    for url in (str(tmp_path / "keizer.duckdb"), postgres_url):
        panel, ws = _store_panel(url)
        ws.close()
        demo = demo_panel(**SIZE)
        result = analyse(
            panel, OPTIONS, Intervention(demo.intervention_teams, demo.intervention_month)
        )
        documents.append(json.loads(json.dumps(to_json(result), allow_nan=False)))
    # The same numbers: only sums of real numbers in the database (handle times) may differ
    # in the last bits, as the engines add in different orders.
    _assert_same(documents[0], documents[1])
    doc = documents[0]
    assert sum(e["status"] == "ok" for e in doc["effects"]) > 50
    assert doc["retention"]["status"] == "ok"


def _assert_same(a: object, b: object, path: str = "") -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), path
    else:
        assert a == b, path


def test_workspace_linkage_on_each_engine(store_url: str) -> None:
    _, ws = _store_panel(store_url)
    try:
        result = ws.linkage(options=OPTIONS)
        with pytest.raises(keizer.errors.ValidationError, match="anonymity threshold"):
            ws.linkage(options=LinkageOptions(min_group_size=3))
        since = ws.linkage(period=("2026-05-01", "2026-10-31"), options=OPTIONS)
    finally:
        ws.close()
    ok = result.effects[result.effects["status"] == "ok"]
    assert len(ok) > 50
    assert np.isfinite(ok["estimate"]).all()
    assert since.months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
