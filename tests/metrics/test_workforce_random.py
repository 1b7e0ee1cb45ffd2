"""Workforce KPIs on random data against an independent day-by-day pandas computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import keizer
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate
from keizer.metrics.workforce import workforce_kpi
from keizer.org.schemas import EmployeeCreate, OrgUnitCreate
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate

START, END = date(2024, 2, 10), date(2024, 11, 20)  # quarters clipped at both ends
TEAMS = {"t1": "d1", "t2": "d1", "t3": "d2", "t4": "d2"}
BY = ["department", "quarter"]
PULSE = SurveyCreate(
    source_key="pulse", name="Pulse", audience="employee", kind="pulse",
    questions=(QuestionCreate(code="enps", metric="enps", scale_min=0, scale_max=10),),
)  # fmt: skip


def _data(seed: int = 7, n: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    base = date(2023, 1, 1)
    people = []
    for i in range(n):
        hire = base + timedelta(days=int(rng.integers(0, 800)))
        leave = hire + timedelta(days=int(rng.integers(30, 900))) if rng.random() < 0.35 else None
        fte = [0.5, 0.8, 1.0, None][int(rng.integers(0, 4))]
        people.append({"key": f"E{i:04d}", "team": f"t{1 + i % 4}", "hire": hire, "leave": leave,
                       "fte": fte, "voluntary": bool(rng.random() < 0.7)})  # fmt: skip
    spells = []
    for person in people:
        cursor = person["hire"] - timedelta(days=20)
        while cursor < date(2025, 1, 31):
            gap = int(rng.integers(0, 120)) if rng.random() > 0.15 else 0
            first = cursor + timedelta(days=gap)
            last = first + timedelta(days=int(rng.integers(0, 60)))
            is_open = rng.random() < 0.08
            fraction = [1.0, 1.0, 0.5, 0.25][int(rng.integers(0, 4))]
            spells.append({"key": person["key"], "first": first, "last": None if is_open else last,
                           "fraction": fraction})  # fmt: skip
            if is_open:
                break
            cursor = last + timedelta(days=1)
    return pd.DataFrame(people), pd.DataFrame(spells)


def _answers(people: pd.DataFrame, seed: int = 11) -> pd.DataFrame:
    """Days on which people answered the pulse: some before their hire or after they left
    (not employed then: not counted), a few anonymous (no person: never counted)."""
    rng = np.random.default_rng(seed)
    rows = [
        {"key": key, "day": date(2023, 9, 1) + timedelta(days=int(rng.integers(0, 500)))}
        for key in people["key"] if rng.random() < 0.8
        for _ in range(int(rng.integers(1, 4)))
    ]  # fmt: skip
    rows += [{"key": None, "day": date(2024, 3, 1) + timedelta(days=i)} for i in range(20)]
    return pd.DataFrame(rows)


def _load(
    ws: keizer.Workspace, people: pd.DataFrame, spells: pd.DataFrame, answers: pd.DataFrame
) -> SimpleNamespace:
    units = [OrgUnitCreate(source_key="org", name="Org", kind="organisation")]
    units += [OrgUnitCreate(source_key=d, name=d, kind="department", parent_key="org")
              for d in ("d1", "d2")]  # fmt: skip
    units += [OrgUnitCreate(source_key=t, name=t, kind="team", parent_key=d)
              for t, d in TEAMS.items()]  # fmt: skip
    ws.add_org_units(units)
    ws.add_employees([
        EmployeeCreate(source_id=p.key, team_key=p.team, hire_date=p.hire, leave_date=p.leave,
                       fte=None if pd.isna(p.fte) else p.fte)
        for p in people.itertuples()
    ])  # fmt: skip
    ws.add_hr_events([
        HREventCreate(employee_source_id=p.key, kind="leave", event_date=p.leave,
                      voluntary=p.voluntary, reason="r")
        for p in people.itertuples() if p.leave is not None
    ])  # fmt: skip
    ws.add_absence_spells([
        AbsenceSpellCreate(employee_source_id=s.key, start_date=s.first,
                           end_date=None if pd.isna(s.last) else s.last, fraction=s.fraction)
        for s in spells.itertuples()
    ])  # fmt: skip
    ws.add_survey(PULSE)
    ws.add_responses([
        ResponseCreate(source_key=f"P{i}", survey_key=PULSE.source_key,
                       submitted_at=datetime.combine(a.day, time(10), tzinfo=UTC),
                       respondent_source_id=None if pd.isna(a.key) else a.key,
                       answers={"enps": 7.0})
        for i, a in enumerate(answers.itertuples())
    ])  # fmt: skip
    names = ("employee", "org_unit", "hr_event", "absence_spell", "response", "survey")
    return SimpleNamespace(**{name: ws.store.ibis.table(name) for name in names})


def _quarter(day: pd.Series) -> pd.Series:
    return day.dt.year.astype(str) + "-Q" + day.dt.quarter.astype(str)


def _reference(people: pd.DataFrame, spells: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """Every figure from a day-by-day table of who was employed and how sick."""
    people = people.assign(department=people.team.map(TEAMS), fte=people.fte.fillna(1.0))
    days = pd.DataFrame({"day": pd.date_range(START, END)})
    days["quarter"] = _quarter(days.day)
    grid = people.merge(days, how="cross")
    hire = pd.to_datetime(grid.hire)
    leave = pd.to_datetime(grid.leave).fillna(pd.Timestamp("2100-01-01"))
    grid = grid[(grid.day >= hire) & (grid.day < leave)]
    sick_days = [
        (s.key, d, s.fraction)
        for s in spells.itertuples()
        for d in pd.date_range(s.first, END if pd.isna(s.last) else s.last)
        if d >= pd.Timestamp(START)
    ]
    sick = pd.DataFrame(sick_days, columns=["key", "day", "fraction"])
    grid = grid.merge(sick, on=["key", "day"], how="left").fillna({"fraction": 0.0})
    grid["sick"] = grid.fraction * grid.fte
    out = grid.groupby(BY).agg(person_days=("key", "size"), fte_days=("fte", "sum"),
                               sick=("sick", "sum"))  # fmt: skip
    out["bucket_days"] = (
        days.groupby("quarter").size().reindex(out.index.get_level_values(1)).values
    )
    per_person = grid.groupby([*BY, "key"]).fraction.max().reset_index()
    out["employees"] = per_person.groupby(BY).size()
    out["healthy"] = per_person[per_person.fraction == 0].groupby(BY).size()
    answered = grid.merge(answers.assign(day=pd.to_datetime(answers.day)), on=["key", "day"])
    out["respondents"] = answered.groupby(BY)["key"].nunique()
    # Cases: a spell starting the day after the previous one ended continues it.
    spells = spells.sort_values(["key", "first"]).copy()
    previous = spells.groupby("key")["last"].shift()
    spells["new"] = previous.isna() | (
        pd.to_datetime(spells["first"]) > pd.to_datetime(previous) + pd.Timedelta(days=1)
    )
    spells["case"] = spells.new.cumsum()
    cases = spells.groupby("case").agg(key=("key", "first"), first=("first", "min"),
                                       last=("last", lambda s: None if s.isna().any()
                                             else s.max()))  # fmt: skip
    cases = cases.merge(people[["key", "department", "hire", "leave"]], on="key")
    first = pd.to_datetime(cases["first"])
    employed = (first >= pd.to_datetime(cases.hire)) & (
        cases.leave.isna() | (first < pd.to_datetime(cases.leave))
    )
    new = cases[employed & (first >= pd.Timestamp(START)) & (first <= pd.Timestamp(END))]
    out["reports"] = new.assign(quarter=_quarter(pd.to_datetime(new["first"]))).groupby(BY).size()
    ended = cases[cases["last"].notna()].copy()
    ended["recovery"] = pd.to_datetime(ended["last"]) + pd.Timedelta(days=1)
    ended = ended[(ended.recovery >= pd.Timestamp(START)) & (ended.recovery <= pd.Timestamp(END))]
    ended["length"] = (ended.recovery - pd.to_datetime(ended["first"])).dt.days
    ended["quarter"] = _quarter(ended.recovery)
    out["durations"] = ended.groupby(BY)["length"].mean()
    left = people[people.leave.notna()].copy()
    left["day"] = pd.to_datetime(left.leave)
    left = left[(left.day >= pd.Timestamp(START)) & (left.day <= pd.Timestamp(END))]
    left["quarter"] = _quarter(left.day)
    out["leavers"] = left.groupby(BY).size()
    out["voluntary"] = left[left.voluntary].groupby(BY).size()
    out = out.fillna(
        dict.fromkeys(("healthy", "respondents", "reports", "leavers", "voluntary"), 0)
    )
    return out.reset_index()


@pytest.fixture
def random_workforce(workspace: keizer.Workspace) -> tuple[SimpleNamespace, pd.DataFrame]:
    people, spells = _data()
    answers = _answers(people)
    return _load(workspace, people, spells, answers), _reference(people, spells, answers)


def test_random_workforce_matches_pandas(
    random_workforce: tuple[SimpleNamespace, pd.DataFrame],
) -> None:
    tables, ref = random_workforce
    ref = ref.set_index(BY)
    expected = {
        "verzuimpercentage": 100 * ref.sick / ref.fte_days,
        "headcount": ref.person_days / ref.bucket_days,
        "nulverzuim": 100 * ref.healthy / ref.employees,
        "ex_response_rate": 100 * ref.respondents / ref.employees,
        "meldingsfrequentie": 365.25 * ref.reports / ref.person_days,
        "turnover": 100 * 365.25 * ref.leavers / ref.person_days,
        "voluntary_turnover": 100 * 365.25 * ref.voluntary / ref.person_days,
        "verzuimduur": ref.durations,
    }
    for kpi, values in expected.items():
        got = workforce_kpi(tables, kpi=kpi, by=BY, start=START, end=END).set_index(BY)
        assert sorted(got.index) == sorted(values.index), kpi
        assert np.allclose(got["value"], values.reindex(got.index), rtol=1e-9, equal_nan=True), kpi
    # Turnover interval: exact Poisson (Garwood) limits from SciPy's chi-square.
    got = workforce_kpi(tables, kpi="turnover", start=START, end=END, statistics_columns=True)
    k, exposure = got.events[0], got.exposure_days[0]
    assert k == ref.leavers.sum()
    assert exposure == ref.person_days.sum()
    scale = 100 * 365.25 / exposure
    assert got.ci_low[0] == pytest.approx(stats.chi2.ppf(0.025, 2 * k) / 2 * scale)
    assert got.ci_high[0] == pytest.approx(stats.chi2.isf(0.025, 2 * k + 2) / 2 * scale)
