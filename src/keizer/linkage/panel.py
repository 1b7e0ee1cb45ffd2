"""The linkage panel: what the store holds about teams, months, people and customers, as
plain DataFrames, and the team × month cells every model starts from.

Employee-experience cells respect the anonymity threshold: a team-month with fewer than
``min_group_size`` respondents is left out of every model (never shown, never used).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

#: Employee measures from the pulse (metric codes), in report order.
SURVEY_MEASURES = (
    "ees", "ees_time", "ees_information", "ees_authority", "ees_competence", "engagement",
    "wellbeing", "stress", "enps", "manager_rating",
)  # fmt: skip
EX_MEASURES = SURVEY_MEASURES
#: Team measures from HR data (no sampling error).
HR_MEASURES = ("remote_share", "tenure_years", "absence_rate", "turnover_rate")
#: Customer outcomes from the after-contact survey.
CX_OUTCOMES = ("nps", "csat", "ces")
#: Operational outcomes from the contacts.
OPS_OUTCOMES = ("resolution", "aht")
DRIVERS = ("ees_time", "ees_information", "ees_authority", "ees_competence")


@dataclass(frozen=True)
class Panel:
    """Inputs of every linkage model (see ``keizer.linkage.queries.build_panel``).

    - ``teams``: team, team_name, department, department_name, location, location_name
    - ``ex_answers``: respondent (pseudonym), role, team (null above team level), month
      (``YYYY-MM``), measure, value — one row per employee answer
    - ``cx_answers``: team, month, outcome, value, answers (count)
    - ``contacts``: team, month, contacts, resolved, resolution_known, transferred,
      handle_s, timed, phone, email, chat
    - ``people``: person (pseudonym), role, team, work_mode, birth_band, hire_date,
      leave_date, voluntary (0/1)
    - ``spells``: person, month, spells (new sickness spells)
    """

    teams: pd.DataFrame
    ex_answers: pd.DataFrame
    cx_answers: pd.DataFrame
    contacts: pd.DataFrame
    people: pd.DataFrame
    spells: pd.DataFrame
    period: tuple[date, date] | None = None

    def months(self) -> list[str]:
        """Every month with contacts or employee answers, oldest first."""
        found = set(self.contacts["month"]) | set(self.ex_answers["month"].dropna())
        return sorted(str(m) for m in found)

    def agent_answers(self) -> pd.DataFrame:
        """Team-level employee answers of front-line staff (role agent or unknown)."""
        a = self.ex_answers
        role = a["role"].fillna("agent")
        return a[(role == "agent") & a["team"].notna()]


def ex_cells(panel: Panel, min_group_size: int) -> pd.DataFrame:
    """Team × month × measure cells of the pulse: respondents, answers, mean and within-cell
    variance. Team-months with fewer than ``min_group_size`` respondents are dropped."""
    a = panel.agent_answers()
    columns = ["team", "month", "measure", "respondents", "n", "mean", "var"]
    if a.empty:
        return pd.DataFrame(columns=columns)
    respondents = a.groupby(["team", "month"])["respondent"].nunique().rename("respondents")
    grouped = a.groupby(["team", "month", "measure"])["value"]
    cells = pd.concat(
        [grouped.count().rename("n"), grouped.mean().rename("mean"),
         grouped.var(ddof=1).rename("var")], axis=1,
    ).reset_index()  # fmt: skip
    cells = cells.join(respondents, on=["team", "month"])
    cells = cells[cells["respondents"] >= min_group_size]
    return cells[columns].reset_index(drop=True)


def within_variance(cells: pd.DataFrame) -> pd.Series:
    """Pooled within-cell variance of the answers, per measure."""
    ok = cells[cells["n"] > 1]
    num = ((ok["n"] - 1) * ok["var"]).groupby(ok["measure"]).sum()
    den = (ok["n"] - 1).groupby(ok["measure"]).sum()
    pooled: pd.Series = num / den
    return pooled


def hr_cells(panel: Panel, min_group_size: int) -> pd.DataFrame:
    """Team × month HR measures of agents: remote share (home or hybrid), mean tenure in
    years, new sickness spells and voluntary leavers per head. Team-months with fewer than
    ``min_group_size`` agents are dropped."""
    people = panel.people
    agents = people[(people["role"] == "agent") & people["team"].notna()].copy()
    months = panel.months()
    if agents.empty or not months:
        return pd.DataFrame(columns=["team", "month", "measure", "n", "mean", "var"])
    starts = pd.to_datetime(pd.Series(months) + "-01")
    hire = pd.to_datetime(agents["hire_date"])
    leave = pd.to_datetime(agents["leave_date"])
    rows = []
    spells = panel.spells.set_index(["person", "month"])["spells"]
    for month, start in zip(months, starts, strict=True):
        end = start + pd.offsets.MonthBegin(1)
        present = (hire.isna() | (hire < end)) & (leave.isna() | (leave > start))
        staff = agents[present.to_numpy()]
        if staff.empty:
            continue
        left = staff["voluntary"].astype(bool) & (
            pd.to_datetime(staff["leave_date"]).between(start, end, inclusive="left")
        )
        tenure = (start - pd.to_datetime(staff["hire_date"])).dt.days / 365.25
        keys = list(zip(staff["person"], [month] * len(staff), strict=True))
        sick = spells.reindex(keys).fillna(0).to_numpy()
        frame = pd.DataFrame({
            "team": staff["team"].to_numpy(), "remote_share": staff["work_mode"].isin(
                ["home", "hybrid"]).astype(float).to_numpy(),
            "tenure_years": tenure.to_numpy(), "absence_rate": sick,
            "turnover_rate": left.astype(float).to_numpy(),
        })  # fmt: skip
        grouped = frame.groupby("team")
        summary = grouped.mean()
        summary["n"] = grouped.size()
        summary["month"] = month
        rows.append(summary.reset_index())
    wide = pd.concat(rows, ignore_index=True)
    wide = wide[wide["n"] >= min_group_size]
    long = wide.melt(
        id_vars=["team", "month", "n"], value_vars=list(HR_MEASURES), var_name="measure",
        value_name="mean",
    )  # fmt: skip
    long["var"] = 0.0  # counted, not sampled: no measurement error
    return long


def cx_histograms(panel: Panel, outcome: str, values: np.ndarray) -> pd.DataFrame:
    """Answers per team-month (rows) and answer value (columns) for one customer outcome."""
    a = panel.cx_answers[panel.cx_answers["outcome"] == outcome]
    table = a.pivot_table(
        index=["team", "month"], columns="value", values="answers", aggfunc="sum", fill_value=0
    )
    return table.reindex(columns=values, fill_value=0)


def operations_cells(panel: Panel) -> pd.DataFrame:
    """Team-month contact cells with the case-mix controls and operational outcomes."""
    c = panel.contacts.copy()
    total = c["contacts"].astype(float)
    c["resolution"] = c["resolved"] / c["resolution_known"].where(c["resolution_known"] > 0)
    c["transfer_rate"] = c["transferred"] / total
    c["aht"] = c["handle_s"] / c["timed"].where(c["timed"] > 0) / 60.0
    c["phone_share"] = c["phone"] / total
    c["email_share"] = c["email"] / total
    c["log_volume"] = np.log(total)
    return c


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (attribute access by column name)."""
    yield from frame.itertuples(index=False)


def person_variance(panel: Panel, cells: pd.DataFrame) -> pd.Series:
    """Per measure, the variance of lasting differences between people of one team (their
    personal level), from the covariance of a person's deviations from the team-month mean in
    consecutive months. Part of the within-cell variance is this personal level: a team-month
    mean over most of a small team's members has little error from it (finite population).
    """
    a = panel.agent_answers()
    key = ["team", "month", "measure"]
    a = a.merge(cells[[*key, "n", "mean"]], on=key, how="inner")
    a = a[a["n"] > 1].sort_values(["measure", "team", "respondent", "month"])
    a = a.assign(residual=a["value"] - a["mean"], shrink=1 - 1 / a["n"])
    same = (
        (a["respondent"] == a["respondent"].shift())
        & (a["team"] == a["team"].shift())
        & (a["measure"] == a["measure"].shift())
    )
    product = a["residual"] * a["residual"].shift() / (a["shrink"] * a["shrink"].shift())
    pairs = pd.DataFrame({"measure": a["measure"], "product": product})[same.to_numpy()]
    result: pd.Series = pairs.groupby("measure")["product"].mean().clip(lower=0.0)
    return result
