"""The team models' building blocks on data with a known truth."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from keizer.linkage import LinkageOptions, Panel
from keizer.linkage.effects import _error_variance, fit_effect, lagged, team_cells
from keizer.linkage.panel import ex_cells, hr_cells

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def _finite_teams(seed: int, teams: int = 40, size: int = 12) -> tuple[Panel, pd.Series]:
    """Teams of ``size`` people with lasting personal levels (sd 0.5) and answer noise
    (sd 0.7); each month a random 5–10 of them answer. The truth of a team-month is the mean
    personal level of *all* its members."""
    rng = np.random.default_rng(seed)
    rows, people, truth = [], [], {}
    for t in range(teams):
        team = f"team-{t:02d}"
        level = rng.normal(4.5, 0.4) + rng.normal(0, 0.5, size)
        people += [(f"p{t}-{i}", team) for i in range(size)]
        for month in MONTHS:
            truth[(team, month)] = level.mean()
            answering = rng.choice(size, rng.integers(5, 11), replace=False)
            for i in answering:
                rows.append((f"p{t}-{i}", "agent", team, "ees",
                             level[i] + rng.normal(0, 0.7), month))  # fmt: skip
    ex = pd.DataFrame(rows, columns=["respondent", "role", "team", "measure", "value", "month"])
    staff = pd.DataFrame({
        "person": [p for p, _ in people], "role": "agent", "team": [t for _, t in people],
        "work_mode": "office", "birth_band": "1990-1994", "hire_date": date(2020, 1, 1),
        "leave_date": None, "voluntary": 0,
    })  # fmt: skip
    empty = pd.DataFrame(columns=["team", "month", "outcome", "value", "answers"])
    panel = Panel(
        teams=pd.DataFrame({"team": sorted(set(staff["team"]))}), ex_answers=ex,
        cx_answers=empty, contacts=pd.DataFrame({"team": [], "month": []}), people=staff,
        spells=pd.DataFrame(columns=["person", "month", "spells"]),
    )  # fmt: skip
    return panel, pd.Series(truth)


def test_error_variance_of_team_means_allows_for_small_finite_teams() -> None:
    """The predicted sampling-error variance of team-month means matches their actual error
    around the whole team's level, which is well below the infinite-population s²/n."""
    panel, truth = _finite_teams(1)
    cells = ex_cells(panel, 5)
    headcount = hr_cells(panel, 1).drop_duplicates(["team", "month"]).set_index(
        ["team", "month"])["n"]  # fmt: skip
    predicted = _error_variance(panel, cells, headcount)
    error = cells["mean"].to_numpy() - truth.reindex(
        list(zip(cells["team"], cells["month"], strict=True))).to_numpy()  # fmt: skip
    assert np.mean(error**2) == pytest.approx(np.mean(predicted), rel=0.12)
    naive = cells["var"].mean() / cells["n"].to_numpy()
    assert np.mean(predicted) < 0.85 * np.mean(naive)


def test_lagged_moves_values_forward_in_time() -> None:
    values = np.arange(12.0).reshape(2, 6)
    out = lagged(values, 2)
    assert np.isnan(out[:, :2]).all()
    np.testing.assert_array_equal(out[:, 2:], values[:, :4])
    assert np.isnan(lagged(values, 6)).all()


def test_a_planted_lagged_effect_is_recovered_from_team_means() -> None:
    """CES answers of a team's contacts depend on the team's true level last month; the
    model, fed the noisy team means, finds the planted slope (not a diluted one)."""
    panel, truth = _finite_teams(2)
    rng = np.random.default_rng(3)
    rows, contacts = [], []
    for team, month in truth.index:
        i = MONTHS.index(month)
        if i == 0:
            continue
        previous = truth[(team, MONTHS[i - 1])] - 4.5
        latent = 4.9 + 0.5 * previous + rng.normal(0, 1.1, 120)
        answers = np.clip(np.round(latent), 1, 7)
        values, counts = np.unique(answers, return_counts=True)
        rows += [(team, month, "ces", v, c) for v, c in zip(values, counts, strict=True)]
        contacts.append((team, month, 200, 150, 200, 20, 60_000.0, 200, 120, 60, 20))
    panel = Panel(
        teams=panel.teams, ex_answers=panel.ex_answers, people=panel.people, spells=panel.spells,
        cx_answers=pd.DataFrame(rows, columns=["team", "month", "outcome", "value", "answers"]),
        contacts=pd.DataFrame(contacts, columns=[
            "team", "month", "contacts", "resolved", "resolution_known", "transferred",
            "handle_s", "timed", "phone", "email", "chat"]),
    )  # fmt: skip
    options = LinkageOptions()
    fit = fit_effect(team_cells(panel, options), "ees", "ces", 1, options).fit
    assert fit is not None
    b, _, low, high = fit.estimate("measure")
    assert low < 0.5 < high
    assert b == pytest.approx(0.5, abs=0.12)
    same_month = fit_effect(team_cells(panel, options), "ees", "ces", 0, options).fit
    assert same_month is not None
    # The team level lasts, so the same month's EES predicts too — but it is the same truth.
    assert same_month.estimate("measure")[0] == pytest.approx(0.5, abs=0.15)
