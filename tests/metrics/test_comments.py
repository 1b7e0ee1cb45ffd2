"""Comment lists from the metrics layer, on both engines: customer filters, and employee lists
that follow the anonymity plan for comments (no list, nor a difference or intersection of two
shown lists, singles out fewer than the comment threshold)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

import keizer
from keizer.errors import AnonymityError, ValidationError
from keizer.feedback.schemas import ResponseCreate

from factories import (
    COMMENTERS,
    CX_SURVEY,
    T0,
    TEAMS,
    add_employee_comments,
    interactions,
    populate_org,
)

MARCH = ("2025-03-01", "2025-03-31")


@pytest.fixture
def org(workspace: keizer.Workspace) -> keizer.Workspace:
    populate_org(workspace)
    add_employee_comments(workspace)
    return workspace


def test_the_department_list_is_shown_whole(org: keizer.Workspace) -> None:
    shown = org.comments("employee", period=MARCH, where={"department": "dep-1"})
    assert not shown.suppressed
    assert len(shown.rows) == sum(COMMENTERS.values())
    assert shown.rows["submitted_at"].is_monotonic_decreasing
    assert set(shown.rows["team"]) == set(TEAMS)
    assert "redacted_text" in shown.rows.columns


def test_small_teams_and_their_complement_are_hidden(org: keizer.Workspace) -> None:
    big = org.comments("employee", period=MARCH, where={"team": "team-a"})
    assert not big.suppressed
    assert len(big.rows) == COMMENTERS["team-a"]
    for team in ("team-b", "team-c"):  # team-b: department - a - b = c
        hidden = org.comments("employee", period=MARCH, where={"team": team})
        assert hidden.suppressed
        assert hidden.rows.empty
        assert hidden.reason is not None
        assert hidden.reason.startswith("comment_group_size:")


def test_a_team_leads_teams_are_shown_team_by_team(org: keizer.Workspace) -> None:
    mine = org.comments("employee", period=MARCH, teams=["team-a", "team-b"])
    assert set(mine.rows["team"]) == {"team-a"}
    assert len(mine.rows) == COMMENTERS["team-a"]


def test_no_two_shown_lists_single_out_fewer_than_the_threshold(org: keizer.Workspace) -> None:
    k = org.settings.min_comment_group_size
    views = [{"organisation": "org"}, {"location": "loc-1"}, {"department": "dep-1"}]
    views += [{"team": team} for team in TEAMS]
    shown = []
    for where in views:
        for period in (MARCH, ("2025-01-01", "2025-03-31"), ("2025-03-01", "2025-04-30")):
            result = org.comments("employee", period=period, where=where)
            if not result.suppressed:
                shown.append(set(result.rows["respondent"]))
    assert shown
    for a, b in itertools.combinations(shown, 2):
        for piece in (a - b, b - a, a & b):
            assert len(piece) == 0 or len(piece) >= k, (len(a), len(b), len(piece))


def test_a_view_without_comments_is_empty_not_hidden(org: keizer.Workspace) -> None:
    empty = org.comments("employee", period=("2024-01-01", "2024-01-31"))
    assert empty.rows.empty
    assert not empty.suppressed


def test_filters_outside_the_rules_are_refused(org: keizer.Workspace) -> None:
    with pytest.raises(ValidationError, match="work_mode"):
        org.comments("employee", period=MARCH, where={"work_mode": "home"})
    with pytest.raises(AnonymityError, match="channel"):
        org.comments("employee", period=MARCH, where={"channel": "phone"})
    with pytest.raises(ValidationError, match="whole months"):
        org.comments("employee", period=("2025-03-02", "2025-03-31"))


def test_customer_comments_follow_channel_and_team_of_the_contact(
    workspace: keizer.Workspace,
) -> None:
    populate_org(workspace)
    workspace.add_interactions(interactions(30))
    workspace.add_survey(CX_SURVEY)
    workspace.add_responses([
        ResponseCreate(
            source_key=f"CX{i}", survey_key=CX_SURVEY.source_key,
            submitted_at=T0 + timedelta(hours=i), interaction_key=f"INT{i:07d}",
            answers={"nps": 3, "friction": f"Ik werd {i} keer doorverbonden."},
        )
        for i in range(30)
    ])  # fmt: skip
    workspace.enrich_comments()
    everything = workspace.comments("customer", period=MARCH)
    assert len(everything.rows) == 30
    assert not everything.suppressed
    phone_a = workspace.comments(
        "customer", period=MARCH, where={"channel": "phone", "team": "team-a"}
    )
    expected = [i for i in range(30) if i % 3 == 0 and TEAMS[i % 3] == "team-a"]
    assert len(phone_a.rows) == len(expected) > 0
    assert set(phone_a.rows["channel"]) == {"phone"}
    one = workspace.comments("customer", period=MARCH, where={"team": "team-b"}, teams=["team-b"])
    assert len(one.rows) == 10  # customers have no threshold: every comment of the team
