"""The anonymity plans' cache key: digests of their responses and of the org tree computed in
the database, on both engines. A correction in place (same number of rows) or a team moved
in the org tree must never leave a stale plan."""

from __future__ import annotations

from datetime import timedelta

import ibis.expr.types as ir
import pandas as pd
import pytest
import sqlalchemy as sa

import keizer
from keizer.feedback.schemas import ResponseCreate
from keizer.metrics import _guard, comments
from keizer.metrics._plan_cache import EMPTY, PlanCache, digests, plan_from_bytes, plan_to_bytes
from keizer.org.schemas import OrgUnitCreate
from keizer.store.plan_archive import StoredPlans

from factories import COMMENTERS, OPEN_PULSE, T0, add_employee_comments, populate_org

MARCH = ("2025-03-01", "2025-03-31")
ROWS = pd.DataFrame({
    "group": ["g1", "g1", "g2", "g2", "g2"],
    "text": ["x", None, "", "y", "x"],
    "number": pd.array([1, 2, None, -3, 2**40], dtype="Int64"),
})  # fmt: skip


def _table(ws: keizer.Workspace, name: str, frame: pd.DataFrame) -> ir.Table:
    """``frame`` as a table of the store (text, number and group columns)."""
    with ws.store.engine.begin() as connection:
        connection.exec_driver_sql(
            f'CREATE TABLE {name} ("group" VARCHAR, text VARCHAR, number BIGINT)'
        )
        for row in frame.itertuples(index=False):
            connection.execute(
                sa.text(f'INSERT INTO {name} VALUES (:g, :t, :n)'),
                {"g": row.group, "t": None if pd.isna(row.text) else row.text,
                 "n": None if pd.isna(row.number) else int(row.number)},
            )  # fmt: skip
    return ws.store.ibis.table(name)


def test_a_groups_digest_is_the_digest_of_its_rows(workspace: keizer.Workspace) -> None:
    table = _table(workspace, "digest_rows", ROWS)
    by_group = digests(table, by="group")
    assert set(by_group) == {"g1", "g2"}
    for group, digest in by_group.items():
        alone = digests(table.filter(table.group == group))
        assert alone == {None: digest}
    assert by_group["g1"][0] == 2
    assert by_group["g2"][0] == 3
    assert by_group["g1"] != by_group["g2"]


def test_the_digest_tells_empty_from_blank_and_order_does_not_matter(
    workspace: keizer.Workspace,
) -> None:
    blank = _table(workspace, "digest_blank", ROWS.fillna({"text": ""}))
    shuffled = _table(workspace, "digest_shuffled", ROWS.iloc[::-1])
    original = _table(workspace, "digest_original", ROWS)
    assert digests(original) == digests(shuffled)
    assert digests(original) != digests(blank)
    nothing = _table(workspace, "digest_nothing", ROWS.iloc[:0])
    assert digests(nothing) == {None: EMPTY}


def _pulse(ws: keizer.Workspace, teams: dict[str, list[int]]) -> None:
    """eNPS answers in March 2025: respondent ``P<i>`` of each listed number, in that team."""
    ws.add_responses([
        ResponseCreate(
            source_key=f"pulse-{i}", survey_key=OPEN_PULSE.source_key,
            submitted_at=T0 + timedelta(days=i % 20), respondent_source_id=f"P{i}",
            team_key=team, answers={"enps": 7},
        )
        for team, numbers in teams.items()
        for i in numbers
    ])  # fmt: skip


def test_a_correction_in_place_gets_a_new_plan(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_survey(OPEN_PULSE)
    _pulse(workspace, {"team-a": list(range(12)), "team-b": list(range(12, 24)),
                       "team-c": list(range(24, 27))})  # fmt: skip
    before = workspace.kpi("enps", by=["team"], period=MARCH).set_index("team")
    assert bool(before.loc["team-c", "suppressed"])

    _pulse(workspace, {"team-c": list(range(6))})  # six of team-a's answers were team-c's
    after = workspace.kpi("enps", by=["team"], period=MARCH).set_index("team")
    assert len(workspace.table("responses").to_pandas()) == 27  # the same number of rows
    assert not after["suppressed"].any()
    assert after.loc["team-c", "n"] == 9
    assert after.loc["team-a", "n"] == 6


def test_a_team_moved_in_the_org_tree_gets_a_new_plan(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate_org(workspace)
    workspace.add_survey(OPEN_PULSE)
    _pulse(workspace, {"team-a": list(range(12)), "team-b": list(range(12, 24)),
                       "team-c": list(range(24, 27))})  # fmt: skip
    before = workspace.kpi("enps", by=["team"], period=MARCH)

    workspace.add_org_units([
        OrgUnitCreate(source_key="dep-2", name="Back office", kind="department",
                      parent_key="loc-1"),
        OrgUnitCreate(source_key="team-c", name="Team-C", kind="team", parent_key="dep-2"),
    ])  # fmt: skip
    after = workspace.kpi("enps", by=["team"], period=MARCH)
    _forget_plans(monkeypatch, _guard)  # nothing cached: a plan built anew
    fresh = workspace.kpi("enps", by=["team"], period=MARCH)
    pd.testing.assert_frame_equal(after, fresh)
    assert not before["suppressed"].equals(after["suppressed"])


def test_an_unchanged_store_reuses_its_plan(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate_org(workspace)
    workspace.add_survey(OPEN_PULSE)
    _pulse(workspace, {"team-a": list(range(12))})
    first = workspace.kpi("enps", by=["team"], period=MARCH)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plan was built again")

    monkeypatch.setattr(_guard, "plan_figures", refuse)
    pd.testing.assert_frame_equal(first, workspace.kpi("enps", by=["team"], period=MARCH))


def test_comment_lists_follow_a_team_moved_in_the_org_tree(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate_org(workspace)
    add_employee_comments(workspace)
    before = workspace.comments("employee", period=MARCH, where={"department": "dep-1"})

    workspace.add_org_units([
        OrgUnitCreate(source_key="dep-2", name="Back office", kind="department",
                      parent_key="loc-1"),
        OrgUnitCreate(source_key="team-c", name="Team-C", kind="team", parent_key="dep-2"),
    ])  # fmt: skip
    after = workspace.comments("employee", period=MARCH, where={"department": "dep-1"})
    _forget_plans(monkeypatch, comments)  # nothing cached: a plan built anew
    fresh = workspace.comments("employee", period=MARCH, where={"department": "dep-1"})
    assert after.suppressed == fresh.suppressed
    pd.testing.assert_frame_equal(after.rows, fresh.rows)
    assert len(before.rows) == sum(COMMENTERS.values())
    assert len(after.rows) < len(before.rows)


def test_a_plan_is_not_filed_when_its_data_changed_while_it_was_read() -> None:
    cache = PlanCache(2, "figures")
    plan = object()
    cache.store(("before",), plan, key_after=("after",))  # type: ignore[arg-type]
    assert cache.cached(("before",)) is None
    assert cache.cached(("after",)) is None
    cache.store(("same",), plan, key_after=("same",))  # type: ignore[arg-type]
    assert cache.cached(("same",)) is plan


def _forget_plans(monkeypatch: pytest.MonkeyPatch, module: object) -> None:
    """A new process on another store: no plan in memory, none in the store."""
    monkeypatch.setattr(module, "_plans", PlanCache(4, "test"))
    monkeypatch.setattr(StoredPlans, "load", lambda self, key: None)


def _stored_plans(ws: keizer.Workspace) -> int:
    with ws.store.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM anonymity_plan")).scalar_one())


def test_a_new_process_finds_the_plans_in_the_store(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures and comment lists of a new process (here: empty memory caches) read the plans
    their data's digests name from the store instead of building them."""
    populate_org(workspace)
    add_employee_comments(workspace)
    for module, kind in ((_guard, "figures"), (comments, "comments")):  # other tests' plans
        monkeypatch.setattr(module, "_plans", PlanCache(4, kind))
    figures = workspace.kpi("enps", by=["team"], period=MARCH)
    listed = workspace.comments("employee", period=MARCH, where={"department": "dep-1"})
    assert _stored_plans(workspace) == 2

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plan was built again")

    monkeypatch.setattr(_guard, "_plans", PlanCache(4, "figures"))
    monkeypatch.setattr(comments, "_plans", PlanCache(4, "comments"))
    monkeypatch.setattr(_guard, "plan_figures", refuse)
    monkeypatch.setattr(comments, "plan_comments", refuse)
    pd.testing.assert_frame_equal(figures, workspace.kpi("enps", by=["team"], period=MARCH))
    again = workspace.comments("employee", period=MARCH, where={"department": "dep-1"})
    pd.testing.assert_frame_equal(listed.rows, again.rows)


def test_a_stored_plan_survives_its_bytes_and_an_unreadable_one_is_built_anew(
    workspace: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate_org(workspace)
    add_employee_comments(workspace)
    monkeypatch.setattr(_guard, "_plans", PlanCache(4, "figures"))
    figures = workspace.kpi("enps", by=["team"], period=MARCH)
    plan = next(iter(_guard._plans._plans.values()))
    back = plan_from_bytes(plan_to_bytes(plan))
    pd.testing.assert_frame_equal(back.cells, plan.cells)
    assert (back.kind, back.min_group_size, back.segment) == (plan.kind, plan.min_group_size,
                                                              plan.segment)  # fmt: skip
    assert back.org_parent == plan.org_parent
    with workspace.store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE anonymity_plan SET payload = :junk"),
                           {"junk": b"not a plan"})  # fmt: skip
    monkeypatch.setattr(_guard, "_plans", PlanCache(4, "figures"))
    built: list[object] = []
    real = _guard.plan_figures
    monkeypatch.setattr(_guard, "plan_figures", lambda *a, **k: built.append(1) or real(*a, **k))
    pd.testing.assert_frame_equal(figures, workspace.kpi("enps", by=["team"], period=MARCH))
    assert built


def test_the_store_keeps_the_latest_plans_only(workspace: keizer.Workspace) -> None:
    archive = StoredPlans(workspace.store.engine, keep=2)
    for key in ("a", "b", "c"):
        archive.save(key, key.encode())
    archive.save("c", b"other")  # filed already: kept as it is
    assert _stored_plans(workspace) == 2
    assert archive.load("c") == b"c"
    assert archive.load("zzz") is None
