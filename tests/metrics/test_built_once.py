"""Query expressions built once per set of inputs (keizer.metrics._built_once)."""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir
import pandas as pd

import keizer
from keizer.metrics._built_once import ExpressionMemo, built_once, input_key
from keizer.store.engine import CompiledSQL

from factories import CX_SURVEY, cx_responses, interactions, populate_org

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


class Tables:
    def __init__(self) -> None:
        self.expressions = ExpressionMemo()
        self.t = ibis.table({"team": "string", "score": "int64"}, name="t")


@built_once
def _scores(tables: Tables, *, where: dict[str, object], by: list[str]) -> ir.Table:
    rows = tables.t
    for name, value in where.items():
        rows = rows.filter(
            rows[name].isin(value) if isinstance(value, list) else rows[name] == value
        )
    return rows.group_by(by).aggregate(n=rows.count())


def test_inputs_are_keyed_by_content_and_type() -> None:
    assert input_key([1, "a"]) == input_key((1, "a"))
    assert input_key({"a": 1, "b": [2]}) == input_key({"b": (2,), "a": 1})
    assert len({input_key(1), input_key(1.0), input_key(True)}) == 3
    table = ibis.table({"x": "int64"}, name="x")
    assert input_key(table.filter(table.x > 1)) == input_key(table.filter(table.x > 1))
    assert input_key(table.filter(table.x > 1)) != input_key(table.filter(table.x > 2))
    thing = object()
    assert input_key(thing) == input_key(thing) != input_key(object())


def test_the_same_inputs_give_the_same_expression_per_tables() -> None:
    tables = Tables()
    first = _scores(tables, where={"team": ["a", "b"]}, by=["team"])
    assert _scores(tables, where={"team": ("a", "b")}, by=("team",)) is first
    assert _scores(tables, where={"team": ["a"]}, by=["team"]) is not first
    assert (tables.expressions.hits, tables.expressions.misses) == (1, 2)
    other = Tables()  # other tables (another store or schema revision): their own memo
    assert _scores(other, where={"team": ["a", "b"]}, by=["team"]) is not first
    tables.expressions.clear()
    assert _scores(tables, where={"team": ["a", "b"]}, by=["team"]) is not first


def test_without_a_memo_every_call_builds() -> None:
    class Bare:
        t = Tables().t

    bare = Bare()
    first = _scores(bare, where={}, by=["team"])  # type: ignore[arg-type]
    assert _scores(bare, where={}, by=["team"]) is not first  # type: ignore[arg-type]


def test_reused_queries_read_the_rows_of_now(workspace: keizer.Workspace) -> None:
    """Only expressions are kept: a KPI asked again after new data counts the new rows, and
    its queries were neither built nor compiled again."""
    populate_org(workspace)
    workspace.add_interactions(interactions(90))
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses(cx_responses(30))
    asks = {"by": ["team"], "where": {"channel": ["phone", "chat"]}, "period": PERIOD}
    before = workspace.kpi(["nps", "ces"], **asks)  # type: ignore[arg-type]
    memo = workspace._store_tables().expressions
    compiled = workspace.store.ibis.compile
    assert isinstance(compiled, CompiledSQL)
    built, misses = memo.misses, compiled.misses
    workspace.add_responses(cx_responses(90))  # 60 more
    after = workspace.kpi(["nps", "ces"], **asks)  # type: ignore[arg-type]
    assert (memo.misses, compiled.misses) == (built, misses)
    assert after["n"].sum() > before["n"].sum()
    expected = workspace.kpi(["nps", "ces"], **asks)  # type: ignore[arg-type]
    memo.clear()
    compiled.clear()
    pd.testing.assert_frame_equal(workspace.kpi(["nps", "ces"], **asks), expected)  # type: ignore[arg-type]
