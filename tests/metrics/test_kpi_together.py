"""Several workforce KPIs in one ``ws.kpi`` call, and the compiled-SQL cache of the store."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

import keizer
from keizer.demo import generate
from keizer.metrics import kpi as kpi_module
from keizer.store.engine import CompiledSQL

QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
KPIS = [
    "voluntary_turnover", "turnover_cost", "verzuimpercentage", "turnover", "leavers",
    "leavers_by_reason", "headcount", "headcount_end", "hires", "meldingsfrequentie",
    "verzuimduur", "nulverzuim",
]  # fmt: skip


@pytest.mark.parametrize("by", [[], ["department"], ["month"]])
def test_workforce_kpis_in_one_call_equal_one_call_each(
    workspace: keizer.Workspace, by: list[str]
) -> None:
    generate(workspace, employees=40, months=6, seed=3)
    together = workspace.kpi(KPIS, by=by, period=QUARTER, compare="previous_period")
    each = [workspace.kpi(k, by=by, period=QUARTER, compare="previous_period") for k in KPIS]
    pd.testing.assert_frame_equal(together, pd.concat(each, ignore_index=True))
    assert set(together["kpi"]) == set(KPIS)


@pytest.mark.parametrize("by", [[], ["department"], ["tenure_band"]])
def test_a_comparison_read_as_two_buckets_equals_two_periods_read_alone(
    workspace: keizer.Workspace, by: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quarter's workforce figures and those of the quarter before are read as the two
    quarter buckets of one half-year: the same frame as reading each quarter alone."""
    generate(workspace, employees=40, months=6, seed=3)
    compared = workspace.kpi(KPIS, by=by, period=QUARTER, compare="previous_period")
    now = workspace.kpi(KPIS, by=by, period=QUARTER)
    pd.testing.assert_frame_equal(compared[list(now.columns)], now)
    monkeypatch.setattr(kpi_module, "_one_bucket", lambda start, end: None)  # two periods
    pd.testing.assert_frame_equal(
        compared, workspace.kpi(KPIS, by=by, period=QUARTER, compare="previous_period")
    )
    assert compared["compare_value"].notna().sum() > len(KPIS) // 2


@pytest.mark.parametrize(
    ("kpis", "by"),
    [(["nps", "csat", "ces"], []), (["nps", "ces"], ["channel"]),
     (["enps", "ees", "wellbeing"], []), (["enps", "ees"], ["location"])],
)  # fmt: skip
def test_survey_comparisons_read_as_two_buckets_equal_two_periods_read_alone(
    workspace: keizer.Workspace, kpis: list[str], by: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Survey KPIs of a quarter and the quarter before, read in one query as two buckets:
    the same figures, tests and anonymity as reading each quarter alone."""
    generate(workspace, employees=40, months=6, seed=3)
    compared = workspace.kpi(kpis, by=by, period=QUARTER, compare="previous_period")
    monkeypatch.setattr(kpi_module, "_one_bucket", lambda start, end: None)  # two periods
    alone = workspace.kpi(kpis, by=by, period=QUARTER, compare="previous_period")
    pd.testing.assert_frame_equal(compared, alone)
    assert compared["compare_value"].notna().any()


def test_a_query_built_again_reuses_its_sql(workspace: keizer.Workspace) -> None:
    generate(workspace, employees=40, months=6, seed=3)
    compiled = workspace.store.ibis.compile
    assert isinstance(compiled, CompiledSQL)
    first = workspace.kpi("verzuimpercentage", by=["month"], period=QUARTER)
    misses = compiled.misses
    again = workspace.kpi("verzuimpercentage", by=["month"], period=QUARTER)
    assert compiled.misses == misses  # every query of the second call was compiled before
    pd.testing.assert_frame_equal(first, again)
    workspace.kpi("verzuimpercentage", by=["month"], period=(date(2026, 4, 1), QUARTER[1]))
    assert compiled.misses > misses  # other period buckets: other SQL


def test_the_sql_names_the_new_expressions_in_memory_tables() -> None:
    backend = ibis.duckdb.connect()
    compiled = CompiledSQL(backend.compile)
    backend.compile = compiled

    def query(values: list[int]) -> tuple[ibis.Table, str]:
        table = ibis.memtable({"a": values})
        view = table.view()
        joined = table.join(view, table.a == view.a).filter(table.a > 1).select(table.a)
        return joined, table.op().name

    first, first_name = query([1, 2, 3])
    second, second_name = query([1, 2, 3])
    other, _ = query([1, 2, 4])
    sql = compiled(first)
    assert first_name in sql
    reused = compiled(second)
    assert (compiled.hits, compiled.misses) == (1, 1)
    assert reused == sql.replace(first_name, second_name)
    compiled(other)
    assert compiled.misses == 2  # other content, other query
    assert sorted(backend.execute(second)["a"]) == [2, 3]
    assert sorted(backend.execute(other)["a"]) == [2, 4]
