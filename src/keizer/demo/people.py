"""The people: agents, team leads, managers and the board, with hires and leavers over time.

Agents leave with a monthly hazard of about 1.5 % (voluntary; 1.6× in the first year of
service) and 0.25 % (involuntary). The voluntary hazard carries the planted effect
``manager_to_leaving``: it is multiplied by ``exp(b·q - b²/2)`` where ``q`` is the team lead's
quality, so the average turnover stays the same when the effect is switched off. Every leaver
is replaced by a new agent in the same team 2 to 10 weeks later. Team leads, managers and the
board stay for the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from keizer.demo.organisation import BOARD_SIZE, ORGANISATION_KEY, Organisation
from keizer.demo.spec import DemoSpec, exact_labels, stream

NO_LEAVE = 2**31 - 1  # day number meaning "still employed"
WORK_MODES = ("office", "home", "hybrid")
WORK_MODE_SHARES = np.array([0.43, 0.30, 0.27])
VOLUNTARY_HAZARD = 0.015
FIRST_YEAR_FACTOR = 1.6
INVOLUNTARY_HAZARD = 0.0025
VOLUNTARY_REASONS = ("limited growth", "location", "stress", "pay", "manager", "career change")
VOLUNTARY_SHARES = np.array([0.24, 0.14, 0.20, 0.18, 0.08, 0.16])
#: Teams whose lead is weak (quality below -0.5) lose more people citing the manager.
VOLUNTARY_SHARES_WEAK_LEAD = np.array([0.20, 0.12, 0.20, 0.15, 0.22, 0.11])
INVOLUNTARY_REASONS = ("end of contract", "performance", "conduct")
INVOLUNTARY_SHARES = np.array([0.5, 0.38, 0.12])
FTE_VALUES = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
FTE_SHARES = np.array([0.07, 0.12, 0.16, 0.25, 0.15, 0.25])


@dataclass
class People:
    """One entry per person; ``team`` is -1 for managers and the board."""

    source_id: np.ndarray  # str, the raw id a source system would hold
    role: np.ndarray  # str
    team: np.ndarray  # int
    unit_key: np.ndarray  # str: team, department or organisation key
    manager: np.ndarray  # int, index of the person's manager, -1 for none
    hire_day: np.ndarray  # int, day number
    leave_day: np.ndarray  # int, NO_LEAVE while employed
    voluntary: np.ndarray  # bool (meaningful for leavers)
    reason: np.ndarray  # str or None
    work_mode: np.ndarray  # str
    equipment: np.ndarray  # bool: proper equipment for working at home (True in the office)
    fte: np.ndarray  # float
    birth_year: np.ndarray  # int

    def __len__(self) -> int:
        return len(self.source_id)

    def exposure(self, bounds: np.ndarray) -> np.ndarray:
        """Share of each month (persons × months) each person was employed."""
        start = np.maximum(self.hire_day[:, None], bounds[None, :-1])
        end = np.minimum(self.leave_day[:, None], bounds[None, 1:])
        share: np.ndarray = np.clip(end - start, 0, None) / np.diff(bounds)[None, :]
        return share


def build_people(spec: DemoSpec, org: Organisation) -> People:
    """The staff at the start of the period, then month by month leavers and their successors."""
    rng = stream(spec.seed, "people")
    cal = spec.calendar
    staff = _initial_staff(rng, spec, org)
    columns = {name: list(values) for name, values in staff.items()}
    for month in range(cal.months):
        start, end = int(cal.bounds[month]), int(cal.bounds[month + 1])
        role = np.asarray(columns["role"])
        hire = np.asarray(columns["hire_day"], dtype=np.int64)
        leave = np.asarray(columns["leave_day"], dtype=np.int64)
        team = np.asarray(columns["team"])
        at_risk = np.flatnonzero((role == "agent") & (hire < end) & (leave == NO_LEAVE))
        from_day = np.maximum(start, hire[at_risk])
        exposure = (end - from_day) / (end - start)
        first_year = (start - hire[at_risk]) < 365
        q = org.lead_quality[team[at_risk]]
        b = spec.effects.manager_to_leaving
        voluntary_hazard = (
            VOLUNTARY_HAZARD
            * np.where(first_year, FIRST_YEAR_FACTOR, 1.0)
            * np.exp(b * q - b * b / 2)
            * exposure
        )
        draw = rng.random(at_risk.size)
        voluntary = draw < voluntary_hazard
        involuntary = ~voluntary & (draw < voluntary_hazard + INVOLUNTARY_HAZARD * exposure)
        leaving = voluntary | involuntary
        who = at_risk[leaving]
        days = from_day[leaving] + np.floor(rng.random(who.size) * (end - from_day[leaving]))
        reasons = _reasons(rng, voluntary[leaving], q[leaving])
        for i, person in enumerate(who):
            columns["leave_day"][person] = int(days[i])
            columns["voluntary"][person] = bool(voluntary[leaving][i])
            columns["reason"][person] = reasons[i]
        successors = _successors(
            rng, spec, who, days.astype(np.int64), np.asarray(columns["team"]), len(role), org
        )
        for name, values in successors.items():
            columns[name].extend(values)
    return People(**{name: np.asarray(values) for name, values in columns.items()})


def _initial_staff(
    rng: np.random.Generator, spec: DemoSpec, org: Organisation
) -> dict[str, list[Any]]:
    start = spec.calendar.start_day
    n_agents = int(org.team_size.sum())
    n_leads = org.teams
    n_managers = len(org.department_keys)
    n = n_agents + n_leads + n_managers + BOARD_SIZE
    role = (
        ["agent"] * n_agents + ["team_lead"] * n_leads + ["manager"] * n_managers
        + ["board"] * BOARD_SIZE
    )  # fmt: skip
    agent_team = np.repeat(np.arange(org.teams), org.team_size)
    team = np.concatenate([agent_team, np.arange(org.teams), np.full(n_managers + BOARD_SIZE, -1)])
    lead_of_team = n_agents + np.arange(org.teams)
    manager_of_department = n_agents + n_leads + np.arange(n_managers)
    board = n_agents + n_leads + n_managers + np.arange(BOARD_SIZE)
    manager = np.concatenate(
        [
            lead_of_team[agent_team],
            manager_of_department[org.team_department],
            np.full(n_managers, board[0]),
            np.concatenate([[-1], np.full(BOARD_SIZE - 1, board[0])]),
        ]
    )
    unit_key = np.concatenate(
        [
            org.team_keys[agent_team],
            org.team_keys,
            np.array(org.department_keys, dtype=object),
            np.full(BOARD_SIZE, ORGANISATION_KEY, dtype=object),
        ]
    )
    age = np.clip(19 + rng.gamma(2.5, 6.0, size=n), 19, 64)
    age[n_agents:] = np.clip(age[n_agents:] + 10, 30, 64)
    years = np.where(
        np.arange(n) < n_agents, rng.exponential(3.5, size=n), rng.uniform(3, 15, size=n)
    )
    years = np.minimum(years, age - 18)
    mode = np.empty(n, dtype=object)
    mode[:n_agents] = np.array(WORK_MODES, dtype=object)[
        rng.permutation(exact_labels(n_agents, WORK_MODE_SHARES))
    ]
    mode[n_agents:] = rng.choice(np.array(["office", "hybrid"], dtype=object), size=n - n_agents)
    fte = rng.choice(FTE_VALUES, size=n, p=FTE_SHARES)
    fte[n_agents:] = rng.choice([0.9, 1.0], size=n - n_agents)
    return {
        "source_id": [f"DEMO-E{i + 1:06d}" for i in range(n)],
        "role": role,
        "team": list(team),
        "unit_key": list(unit_key),
        "manager": list(manager),
        "hire_day": list((start - np.round(years * 365.25)).astype(np.int64)),
        "leave_day": [NO_LEAVE] * n,
        "voluntary": [False] * n,
        "reason": [None] * n,
        "work_mode": list(mode),
        "equipment": list(_equipment(rng, spec, mode)),
        "fte": list(fte),
        "birth_year": list(spec.end_month.year - spec.months // 12 - np.floor(age).astype(int)),
    }


def _successors(
    rng: np.random.Generator,
    spec: DemoSpec,
    leavers: np.ndarray,
    leave_days: np.ndarray,
    team: np.ndarray,
    first_index: int,
    org: Organisation,
) -> dict[str, list[Any]]:
    """New agents replacing ``leavers`` in their teams; hires after the period are dropped."""
    hire = leave_days + rng.integers(14, 71, size=leavers.size)
    keep = hire < spec.calendar.end_day
    leavers, hire = leavers[keep], hire[keep]
    n = leavers.size
    mode = rng.choice(np.array(WORK_MODES, dtype=object), size=n, p=WORK_MODE_SHARES)
    age = np.clip(19 + rng.gamma(2.0, 5.0, size=n), 19, 60)
    hire_year = 1970 + hire / 365.25
    return {
        "source_id": [f"DEMO-E{first_index + i + 1:06d}" for i in range(n)],
        "role": ["agent"] * n,
        "team": list(team[leavers]),
        "unit_key": list(org.team_keys[team[leavers]]),
        "manager": list(int(org.team_size.sum()) + team[leavers]),  # the team's lead
        "hire_day": list(hire),
        "leave_day": [NO_LEAVE] * n,
        "voluntary": [False] * n,
        "reason": [None] * n,
        "work_mode": list(mode),
        "equipment": list(_equipment(rng, spec, mode)),
        "fte": list(rng.choice(FTE_VALUES, size=n, p=FTE_SHARES)),
        "birth_year": list(np.floor(hire_year - age).astype(int)),
    }


def _equipment(rng: np.random.Generator, spec: DemoSpec, mode: np.ndarray) -> np.ndarray:
    """Proper home equipment for ``equipment_share`` of home and hybrid workers (exactly)."""
    out = np.ones(mode.size, dtype=bool)
    remote = np.flatnonzero(mode != "office")
    share = spec.effects.equipment_share
    has = rng.permutation(exact_labels(remote.size, np.array([1 - share, share]))) == 1
    out[remote] = has
    return out


def _reasons(rng: np.random.Generator, voluntary: np.ndarray, quality: np.ndarray) -> list[str]:
    weak = quality < -0.5
    out = np.empty(voluntary.size, dtype=object)
    for mask, names, shares in (
        (voluntary & ~weak, VOLUNTARY_REASONS, VOLUNTARY_SHARES),
        (voluntary & weak, VOLUNTARY_REASONS, VOLUNTARY_SHARES_WEAK_LEAD),
        (~voluntary, INVOLUNTARY_REASONS, INVOLUNTARY_SHARES),
    ):
        out[mask] = rng.choice(np.array(names, dtype=object), size=int(mask.sum()), p=shares)
    return list(out)
