"""The employee response rate against a hand-worked example, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from statsmodels.stats.proportion import proportion_confint

import keizer
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate
from keizer.org.schemas import EmployeeCreate, OrgUnitCreate

PULSE = SurveyCreate(
    source_key="pulse", name="Pulse", audience="employee", kind="pulse",
    questions=(QuestionCreate(code="enps", metric="enps", scale_min=0, scale_max=10),),
)  # fmt: skip
CX = SurveyCreate(
    source_key="cx", name="After contact", audience="customer", kind="transactional",
    questions=(QuestionCreate(code="nps", metric="nps", scale_min=0, scale_max=10),),
)  # fmt: skip


def _answer(key: str, who: str | None, day: date, survey: str = "pulse") -> ResponseCreate:
    code = "enps" if survey == "pulse" else "nps"
    return ResponseCreate(
        source_key=key, survey_key=survey, respondent_source_id=who,
        submitted_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC), answers={code: 8.0},
    )  # fmt: skip


def test_response_rate_counts_people_employed_when_they_answered(
    workspace: keizer.Workspace,
) -> None:
    """March 2025, one team of five employed at some point in the month:

    - A answered twice (counts once), B answered once, both while employed;
    - C answered on 2 March but was hired on 10 March: not employed then, not counted;
    - D left on 15 March (last day 14 March) and answered on 20 March: not counted;
    - E did not answer; an anonymous answer and a customer answer count for nobody;
    - F was hired in April: not in March's headcount.

    Employees in March: A, B, C, D, E = 5; respondents: A, B = 2; rate 40 %, and the Wilson
    interval for 2 of 5 (Wilson 1927; statsmodels' proportion_confint): 11.76 % to 76.93 %.
    """
    ws = workspace
    ws.add_org_units([
        OrgUnitCreate(source_key="org", name="Org", kind="organisation"),
        OrgUnitCreate(source_key="t", name="Team", kind="team", parent_key="org"),
    ])  # fmt: skip
    hired = {"A": date(2020, 1, 1), "B": date(2021, 5, 1), "C": date(2025, 3, 10),
             "D": date(2019, 1, 1), "E": date(2022, 2, 1), "F": date(2025, 4, 1)}  # fmt: skip
    ws.add_employees([
        EmployeeCreate(source_id=k, team_key="t", hire_date=d,
                       leave_date=date(2025, 3, 15) if k == "D" else None)
        for k, d in hired.items()
    ])  # fmt: skip
    ws.add_survey(PULSE)
    ws.add_survey(CX)
    ws.add_responses([
        _answer("1", "A", date(2025, 3, 3)), _answer("2", "A", date(2025, 3, 27)),
        _answer("3", "B", date(2025, 3, 31)), _answer("4", "C", date(2025, 3, 2)),
        _answer("5", "D", date(2025, 3, 20)), _answer("6", None, date(2025, 3, 5)),
        _answer("7", "E", date(2025, 3, 6), survey="cx"), _answer("8", "F", date(2025, 4, 2)),
    ])  # fmt: skip
    march = ws.kpi("ex_response_rate", period=("2025-03-01", "2025-03-31")).iloc[0]
    assert march["n"] == 5
    assert march["value"] == pytest.approx(40.0)
    low, high = proportion_confint(2, 5, alpha=0.05, method="wilson")  # the reference
    assert march["ci_low"] == pytest.approx(100 * low, rel=1e-9)
    assert march["ci_high"] == pytest.approx(100 * high, rel=1e-9)
    assert (round(100 * low, 2), round(100 * high, 2)) == (11.76, 76.93)
    by_month = ws.kpi("ex_response_rate", by=["month"], period=("2025-03-01", "2025-04-30"))
    assert by_month.set_index("month")["value"].to_dict() == pytest.approx(
        {"2025-03": 40.0, "2025-04": 100 / 5}  # April: A, B, C, E, F employed; F answered
    )
