"""Workforce KPIs on a hand-worked example (Dutch verzuim conventions), on both engines."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import pytest
from scipy import stats

import keizer
from keizer.errors import ValidationError
from keizer.metrics.contract import RESULT_COLUMNS
from keizer.metrics.workforce import workforce_kpi
from keizer.org.schemas import EmployeeCreate
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate

from factories import org_units

START, END = date(2025, 1, 1), date(2025, 3, 31)  # 31 + 28 + 31 = 90 days


def tables(ws: keizer.Workspace) -> SimpleNamespace:
    names = ("employee", "org_unit", "hr_event", "absence_spell", "interaction")
    return SimpleNamespace(**{name: ws.store.ibis.table(name) for name in names})


def _employee(key: str, hired: date, fte: float, left: date | None = None,
              role: str = "agent") -> EmployeeCreate:  # fmt: skip
    return EmployeeCreate(source_id=key, team_key="team-a", hire_date=hired, leave_date=left,
                          fte=fte, role=role, work_mode="hybrid", birth_year=1988)  # fmt: skip


def _spell(key: str, first: date, last: date | None, fraction: float = 1.0) -> AbsenceSpellCreate:
    return AbsenceSpellCreate(employee_source_id=key, start_date=first, end_date=last,
                              fraction=fraction)  # fmt: skip


@pytest.fixture
def vernet(workspace: keizer.Workspace) -> SimpleNamespace:
    """Seven employees over Q1 2025 (90 days); person-days, FTE-days and sick days per person:

    A  fte 1.0, all quarter            90 d, 90 FTE-d. Spell 22 Dec - 9 Jan (crosses the start):
                                        9 sick days in Q1 -> 9.0. Case began in December: no new
                                        report. Recovered 10 Jan: ended, length 10 + 9 = 19 days.
    B  fte 0.5 (part-time), all quarter 90 d, 45 FTE-d. 1-10 Feb fully sick, then partial
                                        recovery 11-28 Feb at 50 %: 10*1*0.5 + 18*0.5*0.5 = 9.5.
                                        One case (the 50 % spell follows on): one report,
                                        recovered 1 Mar, length 28 days.
    C  fte 0.8, all quarter             90 d, 72 FTE-d. Spell 25 Mar - 5 Apr (crosses the end):
                                        7 days in Q1 -> 7*0.8 = 5.6. New report, not ended.
    D  fte 1.0, hired 1 Feb             59 d, 59 FTE-d. Open spell from 20 Mar: 12 days -> 12.0.
                                        New report, not ended.
    E  fte 1.0, leave_date 1 Mar        59 d, 59 FTE-d. Never sick. Voluntary leaver ("pay").
    F  fte 1.0, all quarter             90 d, 90 FTE-d. Never sick.
    G  fte 1.0, team lead; no leave_date but a leave event on 15 Feb (involuntary): employed
       1 Jan - 14 Feb = 45 d, 45 FTE-d. Open spell from 10 Feb, clipped to the employment:
       5 days -> 5.0. New report, not ended.

    Person-days 90*4 + 59*2 + 45 = 523; average headcount 523 / 90 = 5.8111.
    FTE-days 90 + 45 + 72 + 59 + 59 + 90 + 45 = 460. Sick FTE-days 9 + 9.5 + 5.6 + 12 + 5 = 41.1.
    """
    ws = workspace
    ws.add_org_units(org_units())
    ws.add_employees([
        _employee("A", date(2020, 1, 1), 1.0),
        _employee("B", date(2022, 6, 1), 0.5),
        _employee("C", date(2021, 1, 1), 0.8),
        _employee("D", date(2025, 2, 1), 1.0),
        _employee("E", date(2019, 1, 1), 1.0, left=date(2025, 3, 1)),
        _employee("F", date(2018, 1, 1), 1.0),
        _employee("G", date(2015, 1, 1), 1.0, role="team_lead"),
    ])  # fmt: skip
    ws.add_absence_spells([
        _spell("A", date(2024, 12, 22), date(2025, 1, 9)),
        _spell("B", date(2025, 2, 1), date(2025, 2, 10)),
        _spell("B", date(2025, 2, 11), date(2025, 2, 28), 0.5),
        _spell("C", date(2025, 3, 25), date(2025, 4, 5)),
        _spell("D", date(2025, 3, 20), None),
        _spell("G", date(2025, 2, 10), None),
    ])  # fmt: skip
    ws.add_hr_events([
        HREventCreate(employee_source_id="E", kind="leave", event_date=date(2025, 3, 1),
                      voluntary=True, reason="pay"),
        HREventCreate(employee_source_id="G", kind="leave", event_date=date(2025, 2, 15),
                      voluntary=False, reason="end of contract"),
        HREventCreate(employee_source_id="D", kind="hire", event_date=date(2025, 2, 1)),
    ])  # fmt: skip
    return tables(ws)


def one(t: SimpleNamespace, kpi: str, **kwargs: object) -> dict[str, object]:
    frame = workforce_kpi(t, kpi=kpi, start=START, end=END, **kwargs)  # type: ignore[arg-type]
    assert list(frame.columns)[-len(RESULT_COLUMNS) :] == list(RESULT_COLUMNS)
    assert len(frame) == 1
    row: dict[str, object] = frame.iloc[0].to_dict()
    return row


def test_vernet_hand_worked(vernet: SimpleNamespace) -> None:
    headcount = 523 / 90
    row = one(vernet, "verzuimpercentage")
    assert row["value"] == pytest.approx(100 * 41.1 / 460)  # 8.9348 %
    assert row["n"] == pytest.approx(headcount)
    assert not row["suppressed"]
    assert row["reason"] is None
    # Meldingsfrequentie: new reports B, C, D, G = 4; 4 / (523 / 365.25) per employee-year.
    row = one(vernet, "meldingsfrequentie")
    assert row["value"] == pytest.approx(4 * 365.25 / 523)  # 2.7935
    assert row["method"] == "garwood-exact"
    assert row["low_n"]
    # Gemiddelde verzuimduur: cases recovered in Q1: A (19 days) and B (28 days).
    row = one(vernet, "verzuimduur")
    assert row["value"] == pytest.approx(23.5)
    assert row["n"] == 2
    low, high = stats.t.interval(0.95, 1, loc=23.5, scale=stats.tstd([19, 28]) / math.sqrt(2))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # Nulverzuim: 7 employees in Q1, E and F without a sick day: 2 / 7.
    row = one(vernet, "nulverzuim")
    assert row["value"] == pytest.approx(100 * 2 / 7)
    assert row["n"] == 7
    # Turnover: leavers E (leave_date) and G (leave event only); E voluntary.
    row = one(vernet, "turnover")
    assert row["value"] == pytest.approx(100 * 2 * 365.25 / 523)  # 139.68 % per year
    assert row["n"] == pytest.approx(headcount)
    row = one(vernet, "voluntary_turnover")
    assert row["value"] == pytest.approx(100 * 1 * 365.25 / 523)
    assert one(vernet, "leavers")["value"] == 2
    assert one(vernet, "hires")["value"] == 1  # D
    assert one(vernet, "headcount")["value"] == pytest.approx(headcount)
    assert one(vernet, "headcount_end")["value"] == 5  # A, B, C, D, F on 31 March
    # Cost: E is an agent (10,000 given), G a team lead (default 12,500).
    assert one(vernet, "turnover_cost", cost_per_leaver={"agent": 10_000})["value"] == 22_500
    assert one(vernet, "turnover_cost", cost_per_leaver=15_000)["value"] == 30_000


def test_vernet_by_month_and_breakdown(vernet: SimpleNamespace) -> None:
    frame = workforce_kpi(vernet, kpi="verzuimpercentage", by=["month"], start=START, end=END)
    # January: A 9 sick days; FTE-days A 31, B 15.5, C 24.8, E 31, F 31, G 31 = 164.3.
    # February (28 d): B 9.5, G 5; FTE-days A 28, B 14, C 22.4, D 28, E 28, F 28, G 14 = 162.4.
    # March: C 5.6, D 12; FTE-days A 31, B 15.5, C 24.8, D 31, F 31 = 133.3.
    assert list(frame["month"]) == ["2025-01", "2025-02", "2025-03"]
    expected = [100 * 9 / 164.3, 100 * 14.5 / 162.4, 100 * 17.6 / 133.3]
    assert list(frame["value"]) == pytest.approx(expected)
    frame = workforce_kpi(vernet, kpi="leavers_by_reason", by=["role"], start=START, end=END)
    got = {(r.role, r.leave_reason): r.value for r in frame.itertuples()}
    assert got == {("agent", "pay"): 1, ("team_lead", "end of contract"): 1}
    frame = workforce_kpi(vernet, kpi="headcount", by=["tenure_band"], start=START, end=END,
                          where={"role": "agent"})  # fmt: skip
    # Tenure on 31 March (E: on 28 Feb, the last day employed): D < 1 y; B (1034 days) and
    # C (1550) 2-5 y; A (1916), E and F 5 y+. G is a team lead.
    got = {r.tenure_band: r.value for r in frame.itertuples()}
    assert got == pytest.approx({"<1y": 59 / 90, "2-5y": 2.0, "5y+": (90 + 59 + 90) / 90})


def test_refuses_unknown_segments_and_kpis() -> None:
    empty = SimpleNamespace()
    with pytest.raises(ValidationError, match="allowed: team, department"):
        workforce_kpi(empty, kpi="turnover", by=["channel"], start=START, end=END)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown workforce KPI"):
        workforce_kpi(empty, kpi="nps", start=START, end=END)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="at most one"):
        workforce_kpi(empty, kpi="turnover", by=["month", "year"], start=START, end=END)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="before it starts"):
        workforce_kpi(empty, kpi="turnover", start=END, end=START)  # type: ignore[arg-type]
