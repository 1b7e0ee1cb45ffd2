"""Comments over the JSON API, real HTTP on both engines: the same rows as ``ws.comments``,
the employee anonymity plan and the role rules of the KPI routes."""

from __future__ import annotations

import pytest

from .conftest import Served
from .test_api import _problem
from factories import COMMENTERS, add_employee_comments

MARCH = {"period": "2025-03-01:2025-03-31"}


@pytest.fixture
def commented(served: Served) -> Served:
    add_employee_comments(served.ws)  # also analyses the customers' friction comments
    return served


def test_customer_comments_equal_ws_comments(commented: Served) -> None:
    expected = commented.ws.comments("customer", period=("2025-03-01", "2025-03-31")).rows
    with commented.client("cx-manager") as client:
        body = client.get("/api/v1/comments/customer", params={**MARCH, "limit": 5}).json()
    assert body["total"] == len(expected) > 5
    assert len(body["comments"]) == 5
    assert [c["text"] for c in body["comments"]] == expected["redacted_text"].head(5).tolist()
    assert all("respondent" not in c for c in body["comments"])
    assert body["suppressed"] is False


def test_employee_lists_follow_the_comment_plan(commented: Served) -> None:
    with commented.client("ex-manager") as client:
        department = client.get(
            "/api/v1/comments/employee", params={**MARCH, "where.department": "dep-1"}
        ).json()
        assert department["total"] == sum(COMMENTERS.values())
        hidden = client.get(
            "/api/v1/comments/employee", params={**MARCH, "where.team": "team-b"}
        ).json()
    assert hidden["suppressed"] is True
    assert hidden["comments"] == []
    assert hidden["total"] == 0
    assert str(hidden["reason"]).startswith("comment_group_size:")


def test_comment_routes_keep_the_role_rules(commented: Served) -> None:
    with commented.client("team-lead") as lead:  # leads team-a
        own = lead.get("/api/v1/comments/employee", params=MARCH).json()
        assert own["where"] == {"team": ["team-a"]}
        assert {c["team"] for c in own["comments"]} == {"team-a"}
        _problem(lead.get("/api/v1/comments/employee", params={**MARCH, "where.team": "team-b"}),
                 403)  # fmt: skip
    with commented.client("board") as board:
        _problem(board.get("/api/v1/comments/customer", params={**MARCH, "where.team": "team-a"}),
                 403)  # fmt: skip
    with commented.client("cx-manager") as cx:
        _problem(cx.get("/api/v1/comments/employee", params=MARCH), 403)
    with commented.client("analyst") as analyst:
        _problem(analyst.get("/api/v1/comments/employee"), 422)  # no period
        _problem(analyst.get("/api/v1/comments/employee",
                             params={**MARCH, "where.work_mode": "home"}), 422)  # fmt: skip
        _problem(analyst.get("/api/v1/comments/employee",
                             params={"period": "2025-03-02:2025-03-31"}), 422)  # fmt: skip
