"""The organisation: three locations, three departments each, teams of 10–14 agents.

Team leads differ in quality (a standard-normal latent, measured by the manager rating); a
random quarter of the teams (``Effects.intervention_share``) receives the information
intervention. Departments lean towards channels: the "Schriftelijk" (written) departments
handle most e-mail and chat, the others mostly phone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keizer.demo.spec import DemoSpec, exact_labels, stream
from keizer.org.schemas import OrgUnitCreate

ORGANISATION_KEY = "demo:org"
ORGANISATION_NAME = "Dienst Publieke Zaken (demo)"
#: Locations and their share of the agents.
LOCATIONS = (("utrecht", "Utrecht", 0.45), ("zwolle", "Zwolle", 0.33), ("heerlen", "Heerlen", 0.22))
#: Departments per location and their channel affinity (phone, email, chat).
DEPARTMENTS = (
    ("particulieren", "Particulieren", (1.0, 0.35, 0.15)),
    ("zakelijk", "Zakelijk", (1.0, 0.45, 0.10)),
    ("schriftelijk", "Schriftelijk", (0.25, 1.0, 0.6)),
)
TEAM_SIZE = (10, 14)
AGENTS_PER_TEAM = 12
BOARD_SIZE = 5


@dataclass(frozen=True)
class Organisation:
    """Units and per-team arrays (index = team number)."""

    units: list[OrgUnitCreate]
    department_keys: list[str]
    team_keys: np.ndarray  # str
    team_department: np.ndarray  # int, index into department_keys
    team_size: np.ndarray  # agents at the start
    lead_quality: np.ndarray  # team lead quality, standard normal
    intervention: np.ndarray  # bool: team gets the information intervention
    intervention_month: int  # month index the intervention starts
    channel_weight: np.ndarray  # (teams, channels): share of each channel's work per team

    @property
    def teams(self) -> int:
        return len(self.team_keys)


def build_organisation(spec: DemoSpec) -> Organisation:
    """Locations, departments and teams sized to ``spec.employees`` agents."""
    rng = stream(spec.seed, "organisation")
    n_teams = max(len(LOCATIONS), round(spec.employees / AGENTS_PER_TEAM))
    sizes = _team_sizes(rng, spec.employees, n_teams)
    location_of = exact_labels(n_teams, np.array([share for *_, share in LOCATIONS]))
    units = [
        OrgUnitCreate(source_key=ORGANISATION_KEY, name=ORGANISATION_NAME, kind="organisation")
    ]
    department_keys: list[str] = []
    team_keys: list[str] = []
    team_department: list[int] = []
    affinity: list[tuple[float, ...]] = []
    for li, (loc_key, loc_name, _) in enumerate(LOCATIONS):
        location_key = f"demo:loc:{loc_key}"
        units.append(
            OrgUnitCreate(
                source_key=location_key,
                name=loc_name,
                kind="location",
                parent_key=ORGANISATION_KEY,
            )
        )
        teams_here = int((location_of == li).sum())
        dep_of = exact_labels(teams_here, np.full(len(DEPARTMENTS), 1 / len(DEPARTMENTS)))
        for di, (dep_key, dep_name, channels) in enumerate(DEPARTMENTS):
            department_key = f"demo:dep:{loc_key}:{dep_key}"
            units.append(
                OrgUnitCreate(
                    source_key=department_key,
                    name=f"{dep_name} {loc_name}",
                    kind="department",
                    parent_key=location_key,
                )
            )
            department_keys.append(department_key)
            for number in range(1, int((dep_of == di).sum()) + 1):
                team_key = f"demo:team:{loc_key}:{dep_key}:{number:02d}"
                units.append(
                    OrgUnitCreate(
                        source_key=team_key,
                        name=f"Team {dep_name} {loc_name} {number}",
                        kind="team",
                        parent_key=department_key,
                    )
                )
                team_keys.append(team_key)
                team_department.append(len(department_keys) - 1)
                affinity.append(channels)
    weight = np.array(affinity) * sizes[:, None]
    intervention = np.zeros(n_teams, dtype=bool)
    n_treated = round(spec.effects.intervention_share * n_teams)
    intervention[rng.choice(n_teams, size=n_treated, replace=False)] = True
    return Organisation(
        units=units,
        department_keys=department_keys,
        team_keys=np.array(team_keys, dtype=object),
        team_department=np.array(team_department),
        team_size=sizes,
        lead_quality=rng.standard_normal(n_teams),
        intervention=intervention,
        intervention_month=(2 * spec.months) // 3,
        channel_weight=weight / weight.sum(axis=0, keepdims=True),
    )


def _team_sizes(rng: np.random.Generator, agents: int, teams: int) -> np.ndarray:
    """Sizes between 10 and 14 that add up to ``agents`` (as far as the bounds allow)."""
    low, high = TEAM_SIZE
    sizes = rng.integers(low, high + 1, size=teams)
    while (gap := agents - int(sizes.sum())) != 0:
        movable = np.flatnonzero(sizes < high) if gap > 0 else np.flatnonzero(sizes > low)
        if movable.size == 0:
            break
        chosen = rng.choice(movable, size=min(abs(gap), movable.size), replace=False)
        sizes[chosen] += 1 if gap > 0 else -1
    return sizes
