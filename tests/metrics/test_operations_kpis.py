"""Operations KPIs (AHT, ACW share, FCR, volume) on random contacts against pandas."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import keizer
from keizer.errors import ValidationError
from keizer.feedback.schemas import ResponseCreate
from keizer.metrics.operations import operations_kpi
from keizer.operations.schemas import InteractionCreate
from keizer.org.schemas import EmployeeCreate

from factories import CX_SURVEY, org_units

START, END = date(2024, 3, 5), date(2024, 4, 20)
TEAMS = ("team-a", "team-b", "team-c")


def _value(x: object) -> float | None:
    return None if pd.isna(x) else float(x)  # type: ignore[arg-type]


def _contacts(seed: int = 3, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    origin = datetime(2024, 3, 1, tzinfo=UTC)
    seconds = rng.choice(61 * 86400, size=n, replace=False)  # distinct times: no ties
    customer = rng.integers(0, 80, size=n).astype(object)
    customer[rng.random(n) < 0.1] = None

    def seconds_or_none(low: int, high: int, missing: float) -> list[float | None]:
        values = rng.integers(low, high, size=n).astype(float)
        return [None if rng.random() < missing else float(v) for v in values]

    return pd.DataFrame({
        "key": [f"C{i:05d}" for i in range(n)],
        "at": [origin + timedelta(seconds=int(s)) for s in seconds],
        "customer": [None if c is None else f"K{c:03d}" for c in customer],
        "channel": rng.choice(["phone", "email", "chat"], size=n),
        "team": rng.choice(TEAMS, size=n),
        "agent": [f"A{i:02d}" for i in rng.integers(0, 12, size=n)],
        "talk": seconds_or_none(30, 900, 0.05),
        "hold": seconds_or_none(0, 120, 0.3),
        "acw": seconds_or_none(0, 200, 0.2),
    })  # fmt: skip


@pytest.fixture
def loaded(workspace: keizer.Workspace) -> tuple[SimpleNamespace, pd.DataFrame]:
    contacts = _contacts()
    workspace.add_org_units(org_units())
    workspace.add_employees([
        EmployeeCreate(source_id=f"A{i:02d}", team_key=TEAMS[i % 3], hire_date=date(2023, 1, 1),
                       work_mode=("office", "home")[i % 2])
        for i in range(12)
    ])  # fmt: skip
    workspace.add_interactions([
        InteractionCreate(source_key=c.key, channel=c.channel, started_at=c.at,
                          customer_source_id=None if pd.isna(c.customer) else c.customer,
                          employee_source_id=c.agent,
                          team_key=c.team, talk_s=_value(c.talk), hold_s=_value(c.hold),
                          after_call_s=_value(c.acw))
        for c in contacts.itertuples()
    ])  # fmt: skip
    workspace.add_survey(CX_SURVEY)
    surveyed = contacts.iloc[::3]
    workspace.add_responses([
        ResponseCreate(source_key=f"R-{c.key}", survey_key=CX_SURVEY.source_key,
                       submitted_at=c.at + timedelta(hours=1), interaction_key=c.key,
                       answers={"nps": 9})
        for c in surveyed.itertuples()
    ] + [  # a second response to the same contact counts once
        ResponseCreate(source_key=f"R2-{c.key}", survey_key=CX_SURVEY.source_key,
                       submitted_at=c.at + timedelta(hours=2), interaction_key=c.key,
                       answers={"nps": 3})
        for c in surveyed.iloc[:10].itertuples()
    ])  # fmt: skip
    contacts["surveyed"] = contacts.index.isin(surveyed.index)
    names = ("interaction", "employee", "org_unit", "response")
    return SimpleNamespace(**{name: workspace.store.ibis.table(name) for name in names}), contacts


def _reference(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per contact in the period: handle time, after-call time, FCR flags."""
    c = contacts.sort_values("at").copy()
    c["next_at"] = c.groupby("customer", dropna=True)["at"].shift(-1)
    window = pd.Timedelta(days=7)
    c["observed"] = c.customer.notna() & (c["at"] + window <= c["at"].max())
    c["first_time"] = c.observed & ~(c.next_at.notna() & (c.next_at <= c["at"] + window))
    c["handled"] = c[["talk", "hold", "acw"]].notna().any(axis=1)
    c["handle"] = c[["talk", "hold", "acw"]].fillna(0).sum(axis=1)
    c["acw0"] = c.acw.fillna(0.0)
    start = pd.Timestamp(START, tz="UTC")
    inside = (c["at"] >= start) & (c["at"] < pd.Timestamp(END, tz="UTC") + pd.Timedelta(days=1))
    return c[inside]


def test_operations_match_pandas_and_scipy(loaded: tuple[SimpleNamespace, pd.DataFrame]) -> None:
    tables, contacts = loaded
    ref = _reference(contacts)
    for channel, group in ref.groupby("channel"):
        handled = group[group.handled]
        aht = operations_kpi(tables, kpi="aht", by=["channel"], start=START, end=END,
                             where={"channel": channel}).iloc[0]  # fmt: skip
        assert aht["n"] == len(handled)
        assert aht["value"] == pytest.approx(handled.handle.mean())
        low, high = stats.t.interval(0.95, len(handled) - 1, loc=handled.handle.mean(),
                                     scale=stats.sem(handled.handle))  # fmt: skip
        assert (aht["ci_low"], aht["ci_high"]) == (pytest.approx(low), pytest.approx(high))
        # ACW share: ratio of sums; delta-method interval from the residuals a - R h.
        share = operations_kpi(tables, kpi="acw_share", by=["channel"], start=START, end=END,
                               where={"channel": channel}).iloc[0]  # fmt: skip
        ratio = handled.acw0.sum() / handled.handle.sum()
        residual = handled.acw0 - ratio * handled.handle
        se = residual.std(ddof=1) / np.sqrt(len(handled)) / handled.handle.mean()
        assert share["value"] == pytest.approx(100 * ratio)
        assert share["ci_low"] == pytest.approx(100 * (ratio - stats.norm.isf(0.025) * se))
        fcr = operations_kpi(tables, kpi="fcr", by=["channel"], start=START, end=END,
                             where={"channel": channel}).iloc[0]  # fmt: skip
        n, k = int(group.observed.sum()), int(group.first_time.sum())
        assert fcr["n"] == n
        assert fcr["value"] == pytest.approx(100 * k / n)
        low, high = proportion_confint(k, n, method="wilson")
        assert (fcr["ci_low"], fcr["ci_high"]) == (
            pytest.approx(100 * low),
            pytest.approx(100 * high),
        )
    # Volume by department and month, and FCR per team: every group at once.
    ref = ref.assign(month=ref["at"].dt.strftime("%Y-%m"))
    volume = operations_kpi(tables, kpi="contact_volume", by=["department", "month"],
                            start=START, end=END)  # fmt: skip
    assert list(volume["month"]) == ["2024-03", "2024-04"]
    assert list(volume["value"]) == list(ref.groupby("month").size())
    fcr = operations_kpi(tables, kpi="fcr", by=["team"], start=START, end=END).set_index("team")
    expected = ref.groupby("team").apply(lambda g: 100 * g.first_time.sum() / g.observed.sum())
    assert np.allclose(fcr["value"], expected.reindex(fcr.index))
    by_mode = operations_kpi(tables, kpi="aht", by=["work_mode"], start=START, end=END)
    assert by_mode["n"].sum() == ref.handled.sum()
    assert set(by_mode.work_mode) == {"home", "office"}


def test_response_rate_matches_pandas(loaded: tuple[SimpleNamespace, pd.DataFrame]) -> None:
    tables, contacts = loaded
    ref = _reference(contacts)
    rate = operations_kpi(tables, kpi="response_rate", by=["team"], start=START, end=END)
    for row in rate.itertuples():
        group = ref[ref.team == row.team]
        k, n = int(group.surveyed.sum()), len(group)
        assert row.n == n
        assert row.value == pytest.approx(100 * k / n)
        low, high = proportion_confint(k, n, method="wilson")
        assert (row.ci_low, row.ci_high) == (pytest.approx(100 * low), pytest.approx(100 * high))
    whole = operations_kpi(tables, kpi="response_rate", start=START, end=END).iloc[0]
    assert whole["value"] == pytest.approx(100 * ref.surveyed.mean())


def test_operations_refuses_segments() -> None:
    empty = SimpleNamespace()
    with pytest.raises(ValidationError, match=r"allowed: .*channel"):
        operations_kpi(empty, kpi="aht", by=["survey"], start=START, end=END)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown operations KPI"):
        operations_kpi(empty, kpi="nps", start=START, end=END)  # type: ignore[arg-type]


def test_changes_against_the_previous_period_and_bucket(
    workspace: keizer.Workspace, loaded: tuple[SimpleNamespace, pd.DataFrame]
) -> None:
    tables, _ = loaded
    z = stats.norm.isf(0.025)
    # by month: April against March, Wald test from the two intervals (Altman & Bland 2003)
    monthly = workspace.kpi("aht", by=["month"], period=(START, END), compare="previous_period")
    march, april = monthly.iloc[0], monthly.iloc[1]
    assert np.isnan(march["change"])
    se = np.hypot(april.ci_high - april.ci_low, march.ci_high - march.ci_low) / (2 * z)
    assert april["compare_value"] == pytest.approx(march["value"])
    assert april["change"] == pytest.approx(april["value"] - march["value"])
    assert april["change_ci_low"] == pytest.approx(april["change"] - z * se)
    assert april["p_value"] == pytest.approx(2 * stats.norm.sf(abs(april["change"]) / se))
    # a period of days against the same number of days before it
    period = (date(2024, 4, 1), date(2024, 4, 20))
    fcr = workspace.kpi("fcr", by=["channel"], period=period, compare="previous_period")
    before = operations_kpi(tables, kpi="fcr", by=["channel"], start=date(2024, 3, 12),
                            end=date(2024, 3, 31)).set_index("channel")  # fmt: skip
    for row in fcr.itertuples():
        assert row.compare_value == pytest.approx(before.loc[row.channel, "value"])
        assert row.change == pytest.approx(row.value - row.compare_value)
    assert fcr["p_adjusted"].ge(fcr["p_value"]).all()
    # counts have no interval: the change only
    volume = workspace.kpi("contact_volume", period=period, compare="previous_period").iloc[0]
    assert volume["change"] == volume["value"] - volume["compare_value"]
    assert np.isnan(volume["p_value"])
