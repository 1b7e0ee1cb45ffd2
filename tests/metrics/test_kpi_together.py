"""Several workforce KPIs in one ``ws.kpi`` call, and the compiled-SQL cache of the store."""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

import keizer
from keizer.demo import generate
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
