"""Board and manager perception gaps when a group's answers do not vary."""

from __future__ import annotations

import pandas as pd

from keizer.linkage import LinkageOptions, Panel
from keizer.linkage.gaps import perception_gaps


def _panel(answers: list[tuple[str, str, float]]) -> Panel:
    ex = pd.DataFrame(
        [(who, role, "T1", "2025-03", "ees", value) for who, role, value in answers],
        columns=["respondent", "role", "team", "month", "measure", "value"],
    )
    empty = pd.DataFrame()
    return Panel(teams=empty, ex_answers=ex, cx_answers=empty, contacts=empty, people=empty,
                 spells=empty)  # fmt: skip


def _gaps(answers: list[tuple[str, str, float]]) -> dict[str, tuple[float, float, float]]:
    return {g.group: (g.low, g.gap, g.high) for g in perception_gaps(_panel(answers), OPTIONS)}


OPTIONS = LinkageOptions()
BOARD = [(f"b{i}", "board", 7.0) for i in range(5) for _ in range(2)]  # all answer 7, twice


def test_a_group_that_answers_as_one_is_compared_with_the_staff_spread() -> None:
    """Five board members who all answer 7: their own variance is zero (or -1e-16 by
    rounding), so the interval comes from the staff's spread alone."""
    agents = [(f"a{i}", "agent", float(1 + (i + k) % 7)) for i in range(12) for k in range(2)]
    managers = [(f"m{i}", "manager", float(3 + (i + k) % 4)) for i in range(6) for k in range(2)]
    gaps = _gaps([*agents, *BOARD, *managers])
    assert set(gaps) == {"board", "manager"}
    for low, gap, high in gaps.values():
        assert low < gap < high


def test_no_gap_when_neither_group_varies() -> None:
    """Staff all answer 4 and the board all 7: no interval can be computed, so the gap is
    left out (the square root of a variance of -1e-16 raised and broke the Linkage page)."""
    agents = [(f"a{i}", "agent", 4.0) for i in range(12) for _ in range(2)]
    assert _gaps([*agents, *BOARD]) == {}
