"""Guard rails of the linkage analysis: the anonymity threshold, minimum sizes, the
multiple-testing family, and no per-person output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keizer.errors import ValidationError
from keizer.linkage import LinkageOptions, Panel, analyse
from keizer.linkage.effects import team_cells
from keizer.linkage.panel import ex_cells
from linkage.demo_panel import demo_panel

SIZE = {"employees": 150, "months": 9, "seed": 11, "scale": 0.3}
OPTIONS = LinkageOptions(min_teams=8, min_months=4, min_events=5, n_boot=50)


@pytest.fixture(scope="module")
def panel() -> Panel:
    return demo_panel(**SIZE).panel


def test_team_months_below_the_anonymity_threshold_are_never_used(panel: Panel) -> None:
    answers = panel.agent_answers()
    respondents = answers.groupby(["team", "month"])["respondent"].nunique()
    for threshold in (5, 7):
        cells = ex_cells(panel, threshold)
        used = respondents.reindex(list(zip(cells["team"], cells["month"], strict=True)))
        assert (used >= threshold).all()
        left_out = respondents[respondents < threshold]
        assert len(left_out) > 0  # the demo has small team-months: the rule is exercised
        kept = set(zip(cells["team"], cells["month"], strict=True))
        assert not kept & set(left_out.index)
    # The team panel carries no value for a team-month below the threshold.
    tc = team_cells(panel, LinkageOptions(min_group_size=7))
    mean = tc.ex["ees"][0]
    for team, month in respondents[respondents < 7].index:
        assert np.isnan(mean[tc.teams.index(team), tc.months.index(month)])


def test_a_higher_threshold_changes_the_estimates_it_allows(panel: Panel) -> None:
    low = analyse(panel, OPTIONS, descriptive=False).effects
    strict = LinkageOptions(min_group_size=8, min_teams=8, min_months=4, min_events=5)
    high = analyse(panel, strict, descriptive=False).effects
    assert (high["cells"] < low["cells"]).any()


def test_models_below_the_minimum_sizes_are_not_shown(panel: Panel) -> None:
    result = analyse(panel, LinkageOptions(min_teams=500), descriptive=False)
    assert set(result.effects["status"]) == {"fewer than 500 teams"}
    assert result.effects["estimate"].isna().all()
    assert result.effects["summary_en"].eq("").all()
    assert result.retention.status == "fewer than 500 teams with a manager rating"
    months = analyse(panel, LinkageOptions(min_teams=8, min_months=60), descriptive=False)
    assert set(months.effects["status"]) == {"fewer than 60 months"}


def test_one_false_discovery_family_over_every_link(panel: Panel) -> None:
    result = analyse(panel, OPTIONS, descriptive=False)
    links = result.links()
    from statsmodels.stats.multitest import multipletests

    expected = multipletests(links["p_value"].to_numpy(float), method="fdr_bh")[1]
    np.testing.assert_allclose(links["q_value"].to_numpy(float), expected, rtol=1e-12)
    assert (links["significant"] == (links["q_value"] <= 0.05)).all()
    assert set(links["kind"]) == {"team", "retention", "absence"}


def test_no_person_level_output(panel: Panel) -> None:
    result = analyse(panel, OPTIONS)
    persons = set(panel.people["person"])
    retention = result.retention
    frames = [result.effects, result.correlations, result.absence, result.gaps,
              result.equipment, retention.hazard_ratios, retention.survival]  # fmt: skip
    for frame in frames:
        for column in frame.columns:
            if frame[column].dtype == object:
                assert not set(frame[column].dropna().astype(str)) & persons, column
    # Survival curves are per manager-rating band of at least min_group_size people.
    assert (result.retention.survival["people"] >= OPTIONS.min_group_size).all()
    # Perception gaps only for groups of at least min_group_size respondents.
    assert (result.gaps["group_respondents"] >= OPTIONS.min_group_size).all()


def test_an_empty_panel_is_a_clear_error() -> None:
    empty = Panel(*(pd.DataFrame(columns=c) for c in (
        ["team"], ["respondent", "role", "team", "measure", "value", "month"],
        ["team", "month", "outcome", "value", "answers"], ["team", "month", "contacts"],
        ["person"], ["person", "month", "spells"],
    )))  # fmt: skip
    with pytest.raises(ValidationError, match="nothing to link"):
        analyse(empty)


def test_options_refuse_unsafe_values() -> None:
    with pytest.raises(ValidationError, match="min_group_size"):
        LinkageOptions(min_group_size=2)
    with pytest.raises(ValidationError, match="lags"):
        LinkageOptions(lags=(13,))
