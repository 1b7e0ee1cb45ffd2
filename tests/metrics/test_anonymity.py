"""Unit tests of the anonymity guard: each rule on a hand-made organisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keizer.errors import AnonymityError, ConfigError
from keizer.metrics.anonymity import (
    ALL,
    AnonymityPlan,
    plan_comments,
    plan_figures,
    protect,
    protect_comments,
    time_parent,
    validate_threshold,
)


def responses(*teams: tuple[str, str, int, str, str]) -> pd.DataFrame:
    """Rows (department, team, respondents, month, work_mode), one response each."""
    rows = []
    for department, team, count, month, mode in teams:
        for _ in range(count):
            rows.append(
                {
                    "organisation": "org",
                    "location": "loc",
                    "department": department,
                    "team": team,
                    "month": month,
                    "work_mode": mode,
                    "respondent": f"p{len(rows)}",
                }
            )
    return pd.DataFrame(rows)


def status(plan: AnonymityPlan, level: str, key: str, time: str = ALL, seg: str = ALL) -> str:
    """'shown' or the reason code of one cell."""
    cell = plan.cells.loc[(level, key, time, seg)]
    return "shown" if not cell["suppressed"] else str(cell["reason"]).split(":")[0]


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize("k", [3, 5, 10, np.int64(4)])
def test_thresholds_of_three_or_more_are_accepted(k: int) -> None:
    assert validate_threshold(k) == k


@pytest.mark.parametrize("k", [2, 1, 0, -5, True, 4.0, "5"])
def test_thresholds_below_three_or_not_whole_are_refused(k: object) -> None:
    with pytest.raises(ConfigError, match="min_group_size"):
        validate_threshold(k)  # type: ignore[arg-type]


def test_plans_refuse_a_threshold_of_two() -> None:
    data = responses(
        ("D1", "T1", 6, "2025-01", "home"),
    )
    with pytest.raises(ConfigError):
        plan_figures(data, min_group_size=2)
    with pytest.raises(ConfigError, match="at least min_group_size"):
        plan_comments(data, min_group_size=5, min_comment_group_size=4)


def test_time_parent_climbs_month_quarter_year() -> None:
    assert time_parent("2025-05") == "2025-Q2"
    assert time_parent("2025-Q2") == "2025"
    assert time_parent("2025") == ALL
    with pytest.raises(ValueError, match="month"):
        time_parent("May 2025")


# --------------------------------------------------------------------------- figures


def test_a_group_of_exactly_k_is_shown_and_k_minus_one_is_not() -> None:
    data = responses(
        ("D1", "T1", 5, "2025-01", "home"),
        ("D1", "T2", 5, "2025-01", "home"),
        ("D2", "T3", 4, "2025-01", "home"),
        ("D2", "T4", 6, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    assert status(plan, "team", "T1") == "shown"
    assert status(plan, "team", "T2") == "shown"
    assert status(plan, "team", "T3") == "min_group_size"
    assert status(plan, "team", "T4") == "complementary"  # D2 − T4 would be T3
    assert status(plan, "department", "D2") == "shown"


def test_k_of_three_works() -> None:
    data = responses(
        ("D1", "T1", 3, "2025-01", "home"),
        ("D1", "T2", 3, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=3)
    assert status(plan, "team", "T1") == status(plan, "team", "T2") == "shown"


def test_complementary_hides_the_smallest_visible_sibling() -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
        ("D1", "T2", 7, "2025-01", "home"),
        ("D1", "T3", 2, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    assert status(plan, "team", "T3") == "min_group_size"
    assert status(plan, "team", "T2") == "complementary"
    assert status(plan, "team", "T1") == "shown"
    assert status(plan, "department", "D1") == "shown"


def test_a_parent_with_one_child_shares_its_fate() -> None:
    big = plan_figures(responses(("D1", "T1", 6, "2025-01", "home")), min_group_size=5)
    assert status(big, "team", "T1") == status(big, "department", "D1") == "shown"
    small = plan_figures(responses(("D1", "T1", 4, "2025-01", "home")), min_group_size=5)
    assert status(small, "team", "T1") == status(small, "department", "D1") == "min_group_size"


def test_a_hidden_group_hides_what_lies_inside_it() -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
        ("D2", "T2", 3, "2025-01", "home"),
        ("D2", "T3", 3, "2025-01", "home"),
        ("D3", "T4", 20, "2025-01", "home"),
        ("D3", "T4", 6, "2025-02", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    assert status(plan, "department", "D2") == "shown"  # 6, the two teams of 3 hidden
    assert status(plan, "team", "T2") == "min_group_size"
    assert status(plan, "department", "D1", "2025-01") == "shown"


def test_filter_difference_hides_a_filter_whose_complement_is_small() -> None:
    data = responses(
        ("D1", "T1", 10, "2025-01", "home"),
        ("D1", "T1", 2, "2025-01", "office"),
        ("D2", "T2", 8, "2025-01", "home"),
        ("D2", "T2", 8, "2025-01", "office"),
    )
    plan = plan_figures(data, min_group_size=5, segment="work_mode")
    assert status(plan, "department", "D1") == "shown"
    assert status(plan, "department", "D1", seg="office") == "min_group_size"
    assert status(plan, "department", "D1", seg="home") == "filter_difference"  # D1 − home = 2
    # the location's home figure minus D2's would give D1's home figure: hidden too, and
    # then D2's office figure (D2 minus it), whichever rule gets there first
    assert status(plan, "department", "D2", seg="home") in {"complementary", "filter_difference"}
    assert status(plan, "department", "D2", seg="office") != "shown"
    assert status(plan, "location", "loc", seg="home") == "shown"


def test_segment_cells_stop_at_departments_and_quarters() -> None:
    data = responses(("D1", "T1", 12, "2025-01", "home"), ("D1", "T2", 12, "2025-01", "office"))
    plan = plan_figures(data, min_group_size=5, segment="work_mode")
    assert set(plan.cells["org_level"][plan.cells["segment_value"] != ALL]) == {
        ALL,
        "organisation",
        "location",
        "department",
    }
    assert set(plan.cells["time_level"][plan.cells["segment_value"] != ALL]) == {
        ALL,
        "year",
        "quarter",
    }
    frame = pd.DataFrame({"team": ["T1"], "kpi": "enps", "value": 1.0, "n": 12})
    shown = protect(frame, plan, by=["team"], where={"work_mode": "home"})
    assert shown["suppressed"].tolist() == [True]
    assert shown["reason"].iloc[0].startswith("segment_too_fine:")
    assert np.isnan(shown["value"].iloc[0])


def test_one_hidden_child_is_never_left_alone_even_when_large() -> None:
    # T1: 8 in January, 4 in February -> both months hidden (the second as complement).
    # Department × January would then reveal T1 × January through T2 × January, so T2's
    # months are hidden too: every hidden set holds at least two cells.
    data = responses(
        ("D1", "T1", 8, "2025-01", "home"),
        ("D1", "T1", 4, "2025-02", "home"),
        ("D1", "T2", 6, "2025-01", "home"),
        ("D1", "T2", 6, "2025-02", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    assert status(plan, "team", "T1", "2025-02") == "min_group_size"
    assert status(plan, "team", "T1", "2025-01") == "complementary"
    assert status(plan, "team", "T2", "2025-01") != "shown"
    assert status(plan, "team", "T2", "2025-02") != "shown"
    for month in ("2025-01", "2025-02"):
        assert status(plan, "department", "D1", month) == "shown"
    assert status(plan, "team", "T1") == status(plan, "team", "T2") == "shown"


def test_counts_are_distinct_respondents_not_responses() -> None:
    data = responses(
        ("D1", "T1", 3, "2025-01", "home"),
        ("D1", "T2", 9, "2025-01", "home"),
    )
    again = data[data["team"] == "T1"].assign(month="2025-02")
    plan = plan_figures(pd.concat([data, again]), min_group_size=5)
    assert plan.cells.loc[("team", "T1", "2025-Q1", ALL), "respondents"] == 3
    assert status(plan, "team", "T1", "2025-Q1") == "min_group_size"


def test_the_same_plan_with_or_without_a_segment_for_unfiltered_cells() -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
        ("D1", "T2", 7, "2025-01", "office"),
        ("D1", "T3", 2, "2025-02", "home"),
        ("D2", "T4", 5, "2025-03", "office"),
    )
    plain = plan_figures(data, min_group_size=5)
    cut = plan_figures(data, min_group_size=5, segment="work_mode")
    unfiltered = cut.cells[cut.cells["segment_value"] == ALL]
    assert plain.cells["suppressed"].equals(unfiltered["suppressed"])


def test_malformed_responses_are_refused() -> None:
    data = responses(
        ("D1", "T1", 6, "2025-01", "home"),
    )
    with pytest.raises(ValueError, match="lacks"):
        plan_figures(data.drop(columns="month"))
    with pytest.raises(ValueError, match="2025-03"):
        plan_figures(data.assign(month="January"))
    with pytest.raises(ValueError, match="more than one"):
        plan_figures(pd.concat([data, data.assign(department="D2")]))


# --------------------------------------------------------------------------- protect()


def kpi_frame(teams: list[str], n: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team": teams,
            "kpi": "enps",
            "value": 10.0,
            "n": np.array(n, dtype=np.int64),
            "ci_low": -5.0,
            "ci_high": 25.0,
            "method": "tango-score",
            "low_n": True,
            "suppressed": False,
            "reason": None,
            "respondents": np.array(n, dtype=np.int64),
        }
    )


def test_protect_blanks_every_figure_of_a_hidden_group() -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
        ("D1", "T2", 7, "2025-01", "home"),
        ("D1", "T3", 2, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    shown = protect(kpi_frame(["T1", "T2", "T3", "T9"], [9, 7, 2, 1]), plan, by=["team"])
    assert shown["suppressed"].tolist() == [False, True, True, True]
    assert shown.loc[0, "value"] == 10.0
    assert shown.loc[0, "n"] == 9
    assert shown.loc[0, "reason"] is None
    hidden = shown.iloc[1:]
    assert hidden[["value", "ci_low", "ci_high"]].isna().all().all()
    assert hidden["n"].isna().all()
    assert hidden["respondents"].isna().all()
    assert hidden["low_n"].isna().all()
    assert hidden["method"].isna().all()
    assert hidden["team"].tolist() == ["T2", "T3", "T9"]
    assert [r.split(":")[0] for r in hidden["reason"]] == [
        "complementary",
        "min_group_size",
        "unknown_group",
    ]
    assert "too few responses" in hidden["reason"].iloc[1]


def test_protect_keeps_rows_the_caller_already_hid() -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=5)
    frame = kpi_frame(["T1"], [9]).assign(suppressed=True, reason="caller: no")
    shown = protect(frame, plan, by=["team"])
    assert shown.loc[0, "suppressed"]
    assert shown.loc[0, "reason"] == "caller: no"


def test_protect_maps_where_period_and_segment_columns_to_cells() -> None:
    data = responses(
        ("D1", "T1", 10, "2025-01", "home"),
        ("D1", "T1", 2, "2025-01", "office"),
        ("D1", "T2", 8, "2025-02", "home"),
        ("D1", "T2", 8, "2025-04", "office"),
        ("D2", "T3", 9, "2025-02", "home"),
    )
    plan = plan_figures(data, min_group_size=5, segment="work_mode")
    # by department where work_mode = home, over the first quarter
    frame = pd.DataFrame({"department": ["D1", "D2"], "kpi": "enps", "value": 1.0, "n": 9})
    shown = protect(frame, plan, by=["department"], where={"work_mode": "home"}, period="2025-Q1")
    expected = [
        plan.cells.loc[("department", d, "2025-Q1", "home"), "suppressed"] for d in ("D1", "D2")
    ]
    assert shown["suppressed"].tolist() == expected
    # by month within a department filter: the finer org level wins
    months = pd.DataFrame({"month": ["2025-02", "2025-04"], "kpi": "enps", "value": 1.0, "n": 8})
    shown = protect(
        months, plan, by=["month"], where={"department": "D1", "team": "T2"}, period="2025"
    )
    assert shown["suppressed"].tolist() == [
        plan.cells.loc[("team", "T2", m, ALL), "suppressed"] for m in ("2025-02", "2025-04")
    ]
    # a period finer than the by column: the period's cell
    shown = protect(months.iloc[:1].assign(month="2025-Q1"), plan, by=["month"], period="2025-02")
    assert shown["suppressed"].tolist() == [
        plan.cells.loc[(ALL, ALL, "2025-02", ALL), "suppressed"]
    ]
    # by work mode = the segment cells
    modes = pd.DataFrame({"work_mode": ["home", "office"], "kpi": "enps", "value": 1.0, "n": 9})
    shown = protect(modes, plan, by=["work_mode"])
    assert shown["suppressed"].tolist() == [
        plan.cells.loc[(ALL, ALL, ALL, m), "suppressed"] for m in ("home", "office")
    ]


@pytest.mark.parametrize(
    ("by", "where", "message"),
    [
        (["role"], {}, "one segment|segment"),
        (["team", "department"], {}, "one org level"),
        (["team"], {"work_mode": ["home", "hybrid"]}, "one value"),
        (["team"], {"month": "2025-01"}, "period"),
    ],
)
def test_protect_refuses_cuts_the_plan_cannot_vouch_for(
    by: list[str], where: dict[str, object], message: str
) -> None:
    data = responses(
        ("D1", "T1", 9, "2025-01", "home"),
    )
    plan = plan_figures(data, min_group_size=5, segment="work_mode")
    frame = kpi_frame(["T1"], [9]).assign(role="agent", department="D1")
    with pytest.raises(AnonymityError, match=message):
        protect(frame, plan, by=by, where=where)


# --------------------------------------------------------------------------- comments


def test_comments_need_ten_respondents_and_no_small_remainder() -> None:
    data = responses(
        ("D1", "T1", 12, "2025-01", "home"),
        ("D1", "T2", 8, "2025-01", "home"),
        ("D2", "T3", 11, "2025-01", "home"),
        ("D2", "T4", 10, "2025-01", "home"),
    )
    plan = plan_comments(data, min_group_size=5, min_comment_group_size=10)
    assert status(plan, "department", "D1") == "shown"
    assert status(plan, "team", "T1") == "comment_group_size"  # D1 − T1 leaves 8
    assert status(plan, "team", "T3") == status(plan, "team", "T4") == "shown"
    comments = pd.DataFrame({"team": ["T1", "T3", "T4"], "comment": ["a", "b", "c"]})
    kept = protect_comments(comments, plan, by=["team"])
    assert kept["team"].tolist() == ["T3", "T4"]
    with pytest.raises(ValueError, match="plan_figures"):
        protect(comments, plan, by=["team"])
    with pytest.raises(ValueError, match="plan_comments"):
        protect_comments(comments, plan_figures(data), by=["team"])
