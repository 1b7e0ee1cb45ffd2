"""Survey KPIs through ws.kpi, on both engines: a hand-worked example, an independent pandas
computation on random data, comparisons, suppression and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

import keizer
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate
from keizer.org.schemas import EmployeeCreate

from factories import org_units

CX = SurveyCreate(
    source_key="cx", name="CX", audience="customer", kind="transactional",
    questions=(
        QuestionCreate(code="nps", metric="nps", scale_min=0, scale_max=10),
        QuestionCreate(code="csat", metric="csat", scale_min=1, scale_max=5),
        QuestionCreate(code="ces", metric="ces", scale_min=1, scale_max=7),
    ),
)  # fmt: skip
EX = SurveyCreate(
    source_key="ex", name="EX", audience="employee", kind="pulse",
    questions=(QuestionCreate(code="enps", metric="enps", scale_min=0, scale_max=10),),
)  # fmt: skip
MARCH = datetime(2025, 3, 10, 9, tzinfo=UTC)


def _cx(key: str, team: str, when: datetime, channel: str, **answers: float) -> ResponseCreate:
    return ResponseCreate(
        source_key=key, survey_key="cx", submitted_at=when, team_key=team, channel=channel,
        answers=answers,
    )  # fmt: skip


def test_hand_worked_nps_csat_ces(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    workspace.add_survey(CX)
    nps = [10, 9, 9, 8, 7, 6, 5, 10, 3, 9]  # P = 5, passives = 2, D = 3
    csat = [5, 4, 3, 5, 2, 4, 4, 1, 5, 3]  # top-2-box (4 or 5): 6 of 10
    ces = [7, 6, 5, 5, 4, 6, 7, 2, 3, 5]  # mean 5.0
    workspace.add_responses(
        [_cx(f"R{i}", "team-a", MARCH + timedelta(hours=i), "phone", nps=n, csat=c, ces=e)
         for i, (n, c, e) in enumerate(zip(nps, csat, ces, strict=True))]
    )  # fmt: skip
    period = ("2025-03-01", "2025-03-31")
    result = workspace.kpi("nps", by=["team"], period=period).iloc[0]
    assert result.team == "team-a"
    assert result.value == pytest.approx(100 * (5 - 3) / 10)
    assert result.n == 10
    assert result.ci_low < 20 < result.ci_high
    csat_row = workspace.kpi("csat", period=period).iloc[0]
    assert csat_row.value == pytest.approx(0.6)
    low, high = proportion_confint(6, 10, alpha=0.05, method="wilson")
    assert (csat_row.ci_low, csat_row.ci_high) == (pytest.approx(low), pytest.approx(high))
    ces_row = workspace.kpi("ces", period=period).iloc[0]
    assert ces_row.value == pytest.approx(5.0)
    t_low, t_high = scipy_stats.t.interval(0.95, df=9, loc=np.mean(ces), scale=scipy_stats.sem(ces))
    assert (ces_row.ci_low, ces_row.ci_high) == (pytest.approx(t_low), pytest.approx(t_high))
    assert bool(ces_row.low_n) is True  # n = 10 is below the precision minimum
    agree = workspace.kpi("ces_agree", period=period).iloc[0]
    assert agree.value == pytest.approx(7 / 10)  # 5, 6 or 7


def test_matches_an_independent_pandas_computation(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    workspace.add_survey(CX)
    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        rows.append(
            {
                "key": f"R{i}",
                "team": ("team-a", "team-b", "team-c")[int(rng.integers(3))],
                "channel": ("phone", "email", "chat")[int(rng.integers(3))],
                "when": datetime(2025, 1, 1, tzinfo=UTC)
                + timedelta(hours=int(rng.integers(0, 24 * 180))),
                "nps": float(rng.integers(0, 11)),
                "ces": float(rng.integers(1, 8)),
            }
        )
    workspace.add_responses(
        [_cx(r["key"], r["team"], r["when"], r["channel"], nps=r["nps"], ces=r["ces"])
         for r in rows]
    )  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["month"] = frame.when.dt.strftime("%Y-%m")
    expected = (
        frame.groupby(["team", "month"])
        .agg(
            n=("nps", "size"),
            promoters=("nps", lambda s: (s >= 9).sum()),
            detractors=("nps", lambda s: (s <= 6).sum()),
            ces_mean=("ces", "mean"),
            ces_sd=("ces", "std"),
        )
        .reset_index()
    )
    expected["nps"] = 100 * (expected.promoters - expected.detractors) / expected.n
    got = workspace.kpi("nps", by=["team", "month"], period=("2025-01-01", "2025-06-30"))
    merged = expected.merge(got, on=["team", "month"], how="outer", validate="one_to_one")
    assert len(merged) == len(expected) == len(got)
    np.testing.assert_allclose(merged.value, merged.nps)
    np.testing.assert_array_equal(merged.n_x, merged.n_y)
    ces = workspace.kpi("ces", by=["team", "month"], period=("2025-01-01", "2025-06-30"))
    merged = expected.merge(ces, on=["team", "month"])
    np.testing.assert_allclose(merged.value, merged.ces_mean)
    half_width = scipy_stats.t.ppf(0.975, merged.n_x - 1) * merged.ces_sd / np.sqrt(merged.n_x)
    np.testing.assert_allclose(merged.ci_high - merged.value, half_width, rtol=1e-6)
    by_channel = workspace.kpi("nps", by=["channel"], where={"team": ["team-a", "team-b"]})
    subset = frame[frame.team.isin(["team-a", "team-b"])]
    for row in by_channel.itertuples():
        part = subset[subset.channel == row.channel]
        value = 100 * ((part.nps >= 9).sum() - (part.nps <= 6).sum()) / len(part)
        assert row.value == pytest.approx(value)


def test_compare_with_the_previous_period(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    workspace.add_survey(CX)
    responses = [
        _cx(f"F{i}", "team-a", datetime(2025, 2, 3, tzinfo=UTC) + timedelta(hours=i), "phone",
            nps=3.0 if i < 60 else 10.0)
        for i in range(100)
    ] + [
        _cx(f"M{i}", "team-a", datetime(2025, 3, 3, tzinfo=UTC) + timedelta(hours=i), "phone",
            nps=10.0 if i < 70 else 3.0)
        for i in range(100)
    ]  # fmt: skip
    workspace.add_responses(responses)
    monthly = workspace.kpi(
        "nps", by=["month"], period=("2025-02-01", "2025-03-31"), compare="previous_period"
    )
    march = monthly[monthly.month == "2025-03"].iloc[0]
    assert march.value == pytest.approx(40.0)  # 70 promoters, 30 detractors
    assert march.compare_value == pytest.approx(-20.0)  # February: 40 - 60
    assert march.change == pytest.approx(60.0)
    assert march.p_value < 0.001
    assert bool(march.significant)
    whole = workspace.kpi("nps", period=("2025-03-01", "2025-03-31"), compare="previous_period")
    assert whole.iloc[0].change == pytest.approx(60.0)
    assert whole.iloc[0].compare_n == 100


def _ex_team_sizes(workspace: keizer.Workspace, sizes: dict[str, int]) -> None:
    """One eNPS response (9) in March 2025 from each of ``sizes[team]`` people per team."""
    workspace.add_org_units(org_units())
    people = [(team, f"{team}-{i}") for team, count in sizes.items() for i in range(count)]
    workspace.add_employees([EmployeeCreate(source_id=p, team_key=t) for t, p in people])
    workspace.add_survey(EX)
    workspace.add_responses(
        [ResponseCreate(source_key=f"P-{p}", survey_key="ex", submitted_at=MARCH,
                        respondent_source_id=p, team_key=t, answers={"enps": 9})
         for t, p in people]
    )  # fmt: skip


def test_small_employee_groups_are_suppressed_never_zero(workspace: keizer.Workspace) -> None:
    _ex_team_sizes(workspace, {"team-a": 8, "team-b": 3, "team-c": 6})
    result = workspace.kpi("enps", by=["team"], period=("2025-03-01", "2025-03-31"))
    shown = result.set_index("team")
    assert shown.loc["team-a", "value"] == pytest.approx(100.0)
    assert not shown.loc["team-a", "suppressed"]
    assert shown.loc["team-b", "suppressed"]
    assert shown.loc["team-b", "reason"].startswith("min_group_size:")
    assert np.isnan(shown.loc["team-b", "value"])
    assert np.isnan(shown.loc["team-b", "n"])
    assert np.isnan(shown.loc["team-b", "respondents"])
    # the department minus teams a and c would give team b: c is hidden as well
    assert shown.loc["team-c", "suppressed"]
    assert shown.loc["team-c", "reason"].startswith("complementary:")


def test_no_small_team_by_subtracting_what_the_engine_returns(
    workspace: keizer.Workspace,
) -> None:
    """Department minus the shown teams, and the figure minus the same figure filtered, must
    not isolate fewer than k people: checked on the counts the engine itself returns."""
    _ex_team_sizes(workspace, {"team-a": 8, "team-b": 3, "team-c": 6})
    march = ("2025-03-01", "2025-03-31")
    department = workspace.kpi("enps", by=["department"], period=march)
    teams = workspace.kpi("enps", by=["team"], period=march)
    whole = workspace.kpi("enps", period=march)
    shown_teams = teams.loc[~teams["suppressed"], "respondents"].sum()
    for total in (department["respondents"].iloc[0], whole["respondents"].iloc[0]):
        remainder = total - shown_teams
        assert remainder == 0 or remainder >= 5
    # every combination the guard cannot vouch for is refused, not answered
    with pytest.raises(keizer.AnonymityError):
        workspace.kpi("enps", by=["work_mode"], where={"role": "agent"}, period=march)


def test_employee_periods_are_whole_months(workspace: keizer.Workspace) -> None:
    _ex_team_sizes(workspace, {"team-a": 8, "team-b": 9, "team-c": 6})
    with pytest.raises(keizer.ValidationError, match="whole months"):
        workspace.kpi("enps", period=("2025-03-05", "2025-03-31"))
    # two months that are no quarter are the union of the months' cells
    result = workspace.kpi("enps", by=["team"], period=("2025-02-01", "2025-03-31"))
    assert not result["suppressed"].any()
    assert result["respondents"].sum() == 23


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"name": "happiness"}, "unknown KPI 'happiness'"),
        ({"name": "nps", "by": ["shoe_size"]}, "unknown segment 'shoe_size'"),
        ({"name": "nps", "period": ("2025-02-01", "2025-01-01")}, "ends"),
        ({"name": "nps", "period": ("2025-02-30", "2025-03-01")}, "period"),
        ({"name": "nps", "compare": "last_year"}, "unknown comparison"),
    ],
)
def test_bad_requests_are_refused(
    workspace: keizer.Workspace, call: dict[str, object], message: str
) -> None:
    with pytest.raises(keizer.ValidationError, match=message):
        workspace.kpi(**call)  # type: ignore[arg-type]


EX_ALL = SurveyCreate(
    source_key="ex-all", name="EX", audience="employee", kind="pulse",
    questions=tuple(
        QuestionCreate(code=code, metric=code, scale_min=low, scale_max=high)  # type: ignore[arg-type]
        for code, low, high in (
            ("enps", 0, 10), ("ees", 1, 7), ("ees_time", 1, 7), ("ees_information", 1, 7),
            ("ees_authority", 1, 7), ("ees_competence", 1, 7), ("engagement", 1, 5),
            ("wellbeing", 1, 5), ("stress", 1, 5), ("manager_rating", 1, 10),
        )
    ),
)  # fmt: skip
EX_REFERENCE = {
    "enps": lambda s: 100 * ((s >= 9).sum() - (s <= 6).sum()) / len(s),
    "ees": "mean", "ees_time": "mean", "ees_information": "mean", "ees_authority": "mean",
    "ees_competence": "mean", "engagement": "mean", "wellbeing": "mean", "stress": "mean",
    "manager_rating": "mean",
    "ees_agree": lambda s: (s >= 5).mean(),
    "burnout_risk": lambda s: (s <= 2).mean(),
}  # fmt: skip
SOURCE_METRIC = {"ees_agree": "ees", "burnout_risk": "wellbeing"}


def test_every_employee_kpi_matches_pandas(workspace: keizer.Workspace) -> None:
    workspace.add_org_units(org_units())
    workspace.add_employees(
        [EmployeeCreate(source_id=f"E{i}", team_key=("team-a", "team-b", "team-c")[i % 3],
                        work_mode=("office", "home", "hybrid")[i % 3]) for i in range(60)]
    )  # fmt: skip
    workspace.add_survey(EX_ALL)
    rng = np.random.default_rng(11)
    rows, responses = [], []
    for i in range(60):
        team = ("team-a", "team-b", "team-c")[i % 3]
        for month in (1, 2):
            answers = {
                q.code: float(rng.integers(int(q.scale_min or 0), int(q.scale_max or 0) + 1))
                for q in EX_ALL.questions
            }
            rows.append({"team": team, "month": f"2025-0{month}", **answers})
            responses.append(
                ResponseCreate(
                    source_key=f"P{i}-{month}",
                    survey_key="ex-all",
                    submitted_at=datetime(2025, month, 15, tzinfo=UTC),
                    respondent_source_id=f"E{i}",
                    team_key=team,
                    answers=answers,
                )
            )
    workspace.add_responses(responses)
    frame = pd.DataFrame(rows)
    for name, reference in EX_REFERENCE.items():
        got = workspace.kpi(name, by=["team", "month"], period=("2025-01-01", "2025-02-28"))
        column = SOURCE_METRIC.get(name, name)
        expected = frame.groupby(["team", "month"])[column].agg(reference).rename("expected")
        merged = got.merge(expected.reset_index(), on=["team", "month"])
        assert len(merged) == 6, name
        np.testing.assert_allclose(merged.value, merged.expected, err_msg=name)
        assert (merged.respondents == 20).all(), name


@pytest.mark.parametrize(
    ("name", "by"),
    [
        ("nps", []),
        ("enps", ["team"]),
        (["nps", "csat"], ["month"]),
        ("turnover", ["team"]),
        ("verzuimpercentage", ["team", "month"]),
        ("aht", ["channel", "month"]),
    ],
)
def test_an_empty_store_gives_empty_answers(
    workspace: keizer.Workspace, name: str | list[str], by: list[str]
) -> None:
    result = workspace.kpi(name, by=by, period=("2026-01-01", "2026-03-31"),
                           compare="previous_period")  # fmt: skip
    assert (result["n"].fillna(0) == 0).all()
    assert "change" in result.columns
