"""The latent employee experience: EES drivers per team and month, EES and stress per person.

Each team has a level per driver (time, information, authority, competence; 1–7) made of the
driver's mean, ``0.35 × lead quality``, a fixed team deviation (sd 0.35) and an AR(1) monthly
climate (ρ 0.6, innovation sd 0.3). The intervention teams gain ``intervention_information``
on "information available" from the intervention month on. A person adds a fixed offset per
driver (sd 0.5). Their EES is ``4.5 + Σ weight × (driver − mean)`` plus a monthly fluctuation
(sd 0.3) and, for home and hybrid workers without proper equipment, ``no_equipment_ees`` (half
for hybrid). Stress is approximately standard normal: a personal trait, the team's lack of
time, and monthly noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keizer.demo.organisation import Organisation
from keizer.demo.people import People
from keizer.demo.spec import DemoSpec, stream

DRIVERS = ("time", "information", "authority", "competence")
DRIVER_MEANS = np.array([4.1, 4.3, 4.0, 5.1])
DRIVER_WEIGHTS = np.array([0.30, 0.30, 0.20, 0.20])
EES_MEAN = 4.5
INFORMATION = DRIVERS.index("information")
TIME = DRIVERS.index("time")
AUTHORITY = DRIVERS.index("authority")


@dataclass(frozen=True)
class Climate:
    """Latent states; persons × months arrays are meaningful where ``exposure > 0``."""

    team_drivers: np.ndarray  # (teams, months, drivers)
    person_drivers: np.ndarray  # (persons, months, drivers)
    ees: np.ndarray  # (persons, months)
    team_ees: np.ndarray  # (teams, months): exposure-weighted mean EES of the team's agents
    stress: np.ndarray  # (persons, months), about standard normal
    exposure: np.ndarray  # (persons, months): share of the month employed


def build_climate(spec: DemoSpec, org: Organisation, people: People) -> Climate:
    rng = stream(spec.seed, "climate")
    effects = spec.effects
    months, teams = spec.months, org.teams
    base = (
        DRIVER_MEANS[None, :]
        + 0.35 * org.lead_quality[:, None]
        + rng.normal(0, 0.35, size=(teams, len(DRIVERS)))
    )
    rho, innovation = 0.6, 0.3
    climate = np.empty((teams, months, len(DRIVERS)))
    climate[:, 0] = rng.normal(0, innovation / np.sqrt(1 - rho**2), size=(teams, len(DRIVERS)))
    for m in range(1, months):
        climate[:, m] = rho * climate[:, m - 1] + rng.normal(0, innovation, (teams, len(DRIVERS)))
    team_drivers = base[:, None, :] + climate
    after = np.arange(months) >= org.intervention_month
    team_drivers[np.ix_(org.intervention, after, np.array([INFORMATION]))] += (
        effects.intervention_information
    )

    n = len(people)
    # Managers and the board sit above the teams: they see the organisation's average climate.
    organisation_drivers = team_drivers.mean(axis=0)
    in_team = people.team >= 0
    person_drivers = np.broadcast_to(organisation_drivers, (n, months, len(DRIVERS))).copy()
    person_drivers[in_team] = team_drivers[people.team[in_team]]
    person_drivers += rng.normal(0, 0.5, size=(n, 1, len(DRIVERS)))

    penalty = np.where(people.work_mode == "home", 1.0, 0.5) * ~people.equipment
    ees = (
        EES_MEAN
        + (person_drivers - DRIVER_MEANS) @ DRIVER_WEIGHTS
        + rng.normal(0, 0.3, size=(n, months))
        + effects.no_equipment_ees * penalty[:, None]
    )
    exposure = people.exposure(spec.calendar.bounds)
    agent = people.role == "agent"
    weight = exposure * agent[:, None]
    team_ees = np.zeros((teams, months))
    team_weight = np.zeros((teams, months))
    np.add.at(team_ees, people.team[agent], (ees * weight)[agent])
    np.add.at(team_weight, people.team[agent], weight[agent])
    team_ees = np.divide(team_ees, team_weight, out=np.full_like(team_ees, EES_MEAN),
                         where=team_weight > 0)  # fmt: skip

    lack_of_time = -(person_drivers[:, :, TIME] - DRIVER_MEANS[TIME]) / 0.8
    stress = (
        0.55 * rng.standard_normal(n)[:, None]
        + 0.45 * lack_of_time
        + 0.6 * rng.standard_normal((n, months))
    )
    return Climate(team_drivers, person_drivers, ees, team_ees, stress, exposure)
