"""The seed studies' shared part: one demo organisation → the estimate of every planted
effect, and whether the analysis reports any link at all.

Each planted effect (``keizer/demo/effects.py``) is compared with the estimate that targets
the same quantity:

- EES → CES/CSAT/NPS next month: latent points per point of team EES (model: lag 1);
- authority → resolution: probability per point of the team's authority driver (lag 0);
- manager → leaving: log hazard ratio per *rating point*; the rating measures lead quality
  at 0.9 points per SD (``keizer/demo/ex.py``), so the truth is ``manager_to_leaving / 0.9``;
- stress → absence: log rate ratio per *answer point* of the stress question; the truth is
  planted per SD of latent stress, which the answer measures with noise
  (``2.8 + 0.85·z + e(0.45)``, rounded to 1–5): :func:`stress_target` carries the planted
  size through that documented measurement model (a large simulation of it), which is the
  coefficient a perfect analysis of the answers would find;
- home workers without equipment → EES: −0.6 (home), −0.3 (hybrid);
- the information intervention: +0.8 on the latent scale of "information available";
- the board's uplift: 0.25 × 6 = 1.5 points on each EES driver (managers half). The drivers
  are used because the board sees the organisation's average drivers, so on them the uplift
  is the whole gap (on EES, engagement and eNPS the board also differs for other reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import statsmodels.api as sm

from keizer.demo.climate import build_climate
from keizer.demo.effects import DEFAULT_EFFECTS, NO_EFFECTS
from keizer.demo.organisation import build_organisation
from keizer.demo.people import build_people
from keizer.demo.spec import DemoSpec
from keizer.linkage import Intervention, LinkageOptions, analyse
from keizer.linkage.absence import absence_links
from keizer.linkage.effects import fit_effect, team_cells
from keizer.linkage.gaps import equipment_gaps, perception_gaps
from keizer.linkage.intervention import intervention_effect
from keizer.linkage.retention import retention
from linkage.demo_panel import demo_panel

#: One organisation of the study: 40 teams, two years, a tenth of the default contacts.
SIZE = {"employees": 480, "months": 24, "scale": 0.1}
E = DEFAULT_EFFECTS
OPTIONS = LinkageOptions(n_boot=0)


@cache
def stress_target() -> float:
    """Log rate ratio per stress answer point implied by the planted effect: ``k`` per unit
    of latent stress ``z`` ("about standard normal"; its actual spread is taken from a
    generated organisation), measured by the answer ``2.8 + 0.85·z + e(0.45)`` rounded to
    1–5 (``keizer/demo/ex.py``)."""
    spec = DemoSpec(employees=SIZE["employees"], months=SIZE["months"], seed=0)
    org = build_organisation(spec)
    people = build_people(spec, org)
    climate = build_climate(spec, org, people)
    exposed = (climate.exposure > 0) & (people.role == "agent")[:, None]
    sd = float(climate.stress[exposed].std())
    rng = np.random.default_rng(20261125)
    n = 400_000
    z = sd * rng.standard_normal(n)
    answer = np.clip(np.round(2.8 + 0.85 * z + 0.45 * rng.standard_normal(n)), 1, 5)
    k = E.stress_to_absence
    counts = rng.poisson(0.2 * np.exp(k * z - k * k / 2))
    fit = sm.GLM(counts, sm.add_constant(answer), family=sm.families.Poisson()).fit()
    return float(fit.params[1])


def truths() -> dict[str, float]:
    return {
        "ees_to_ces": E.ees_to_ces,
        "ees_to_csat": E.ees_to_csat,
        "ees_to_nps": E.ees_to_nps,
        "authority_to_resolution": E.authority_to_resolution,
        "manager_to_leaving": E.manager_to_leaving / 0.9,
        "stress_to_absence": stress_target(),
        "no_equipment_ees (home)": E.no_equipment_ees,
        "no_equipment_ees (hybrid)": E.no_equipment_ees / 2,
        "intervention_information": E.intervention_information,
        **{f"board_uplift ({d})": E.board_uplift * 6 for d in DRIVERS},
        **{f"board_uplift (managers, {d})": E.board_uplift * 3 for d in DRIVERS},
    }


DRIVERS = ("ees_time", "ees_information", "ees_authority", "ees_competence")


@dataclass(frozen=True)
class Estimate:
    estimate: float
    low: float
    high: float
    p_value: float


def estimates(seed: int, *, effects: bool = True) -> dict[str, Estimate]:
    """The estimate of every planted effect in one organisation."""
    demo = demo_panel(seed=seed, effects=DEFAULT_EFFECTS if effects else NO_EFFECTS, **SIZE)
    panel = demo.panel
    out: dict[str, Estimate] = {}
    cells = team_cells(panel, OPTIONS)
    for name, measure, outcome, lag in (
        ("ees_to_ces", "ees", "ces", 1), ("ees_to_csat", "ees", "csat", 1),
        ("ees_to_nps", "ees", "nps", 1), ("authority_to_resolution", "ees_authority",
                                          "resolution", 0),
    ):  # fmt: skip
        fit = fit_effect(cells, measure, outcome, lag, OPTIONS).fit
        assert fit is not None
        b, _, low, high = fit.estimate("measure")
        out[name] = Estimate(b, low, high, fit.p_value("measure"))
    r = retention(panel, OPTIONS)
    assert r.status == "ok", r.status
    row = r.hazard_ratios.set_index("covariate").loc["manager_rating"]
    out["manager_to_leaving"] = Estimate(
        row["log_hr"], np.log(row["low"]), np.log(row["high"]), row["p_value"]
    )
    links, _ = absence_links(panel, OPTIONS)
    stress = next(a for a in links if a.measure == "stress")
    out["stress_to_absence"] = Estimate(
        stress.log_rr, np.log(stress.low), np.log(stress.high), stress.p_value
    )
    for gap in equipment_gaps(panel, OPTIONS):
        out[f"no_equipment_ees ({gap.work_mode})"] = Estimate(
            gap.difference, gap.low, gap.high, gap.p_value
        )
    iv = intervention_effect(
        panel, Intervention(demo.intervention_teams, demo.intervention_month), OPTIONS
    )
    out["intervention_information"] = Estimate(iv.effect, iv.low, iv.high, iv.p_value)
    for g in perception_gaps(panel, OPTIONS):
        if g.measure in DRIVERS and g.group in ("board", "manager"):
            name = f"board_uplift ({g.measure})" if g.group == "board" else (
                f"board_uplift (managers, {g.measure})")  # fmt: skip
            out[name] = Estimate(g.gap, g.low, g.high, g.p_value)
    return out


PLANTED_LINKS = {
    "ees_to_ces": "ees -> ces (lag 1)",
    "ees_to_csat": "ees -> csat (lag 1)",
    "ees_to_nps": "ees -> nps (lag 1)",
    "authority_to_resolution": "ees_authority -> resolution (lag 0)",
    "manager_to_leaving": "manager_rating -> leaving",
    "stress_to_absence": "stress -> absence",
}


@dataclass(frozen=True)
class NullSeed:
    """One organisation without effects: links reported significant (after the
    false-discovery-rate control over all of them) and the uncorrected p-value of every
    planted-effect hypothesis."""

    significant: int
    tested: int
    p_values: dict[str, float]


def null_seed(seed: int) -> NullSeed:
    demo = demo_panel(seed=seed, effects=NO_EFFECTS, **SIZE)
    panel = demo.panel
    result = analyse(panel, OPTIONS, descriptive=False)
    links = result.links().set_index("link")
    p = {name: float(links.loc[link, "p_value"]) for name, link in PLANTED_LINKS.items()}
    for gap in equipment_gaps(panel, OPTIONS):
        p[f"no_equipment_ees ({gap.work_mode})"] = gap.p_value
    iv = intervention_effect(
        panel, Intervention(demo.intervention_teams, demo.intervention_month), OPTIONS
    )
    p["intervention_information"] = iv.p_value
    for g in perception_gaps(panel, OPTIONS):
        if g.measure in DRIVERS and g.group in ("board", "manager"):
            name = f"board_uplift ({g.measure})" if g.group == "board" else (
                f"board_uplift (managers, {g.measure})")  # fmt: skip
            p[name] = g.p_value
    return NullSeed(int(links["significant"].sum()), len(links), p)
