"""The effects planted in the demo organisation, with their true sizes, in one place.

Analytics are validated against these numbers: a method that claims to find "EES drives CES"
must recover ``ees_to_ces`` from the generated data. :data:`NO_EFFECTS` switches every planted
effect off (the null organisation), so a test can also check that nothing is "found" there.

Scales: EES and its drivers, CES 1–7; CSAT, engagement, wellbeing, stress 1–5; NPS, eNPS 0–10;
manager rating 1–10 (the Dutch school grade). Effects act on the latent (continuous) value
before it is rounded to the answer scale.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Effects:
    """True sizes of the planted effects; see docs/demo.md for how each one is generated."""

    #: CES points per point of the team's mean EES (true, latent) in the *previous* month.
    ees_to_ces: float = 0.5
    #: CSAT points per point of the team's mean EES in the previous month.
    ees_to_csat: float = 0.25
    #: NPS-scale points (0–10) per point of the team's mean EES in the previous month.
    ees_to_nps: float = 0.6
    #: Log hazard ratio of voluntary leaving per standard deviation of the team lead's quality
    #: (which the manager rating measures: 0.9 rating points per SD). exp(-0.4) = 0.67.
    manager_to_leaving: float = -0.4
    #: Log rate ratio of new sickness spells per standard deviation of latent stress.
    stress_to_absence: float = 0.35
    #: EES points lost by home workers without proper equipment (hybrid workers lose half).
    no_equipment_ees: float = -0.6
    #: Share of home and hybrid workers who have proper equipment (not an effect: kept when
    #: effects are off, so the null organisation has the same composition).
    equipment_share: float = 0.5
    #: Rise of "information available" (1–7) in the intervention teams from the intervention
    #: month on.
    intervention_information: float = 0.8
    #: Share of teams that get the intervention.
    intervention_share: float = 0.25
    #: Board members' uplift on every pulse item, as a share of the item's range (0.25: +1.5 on
    #: a 1–7 item, +2.5 on 0–10, +1 on 1–5; stress goes down). Managers get half.
    board_uplift: float = 0.25
    #: Change of the probability that a contact is resolved, per point of the team's
    #: "authority" driver (mandate to solve the customer's problem).
    authority_to_resolution: float = 0.04

    def off(self) -> Effects:
        """The same organisation with every planted effect set to zero."""
        return dataclasses.replace(
            self,
            ees_to_ces=0.0,
            ees_to_csat=0.0,
            ees_to_nps=0.0,
            manager_to_leaving=0.0,
            stress_to_absence=0.0,
            no_equipment_ees=0.0,
            intervention_information=0.0,
            board_uplift=0.0,
            authority_to_resolution=0.0,
        )

    def as_dict(self) -> dict[str, float]:
        """The sizes by name (stored in the demo facts)."""
        return {k: float(v) for k, v in dataclasses.asdict(self).items()}


DEFAULT_EFFECTS = Effects()
NO_EFFECTS = DEFAULT_EFFECTS.off()
