"""The monthly employee pulse: everyone employed at least half the month is invited.

Response propensity varies per person around 60 % (agents), 80 % (team leads), 85 %
(managers) and 90 % (the board). Answers, from the latent climate (:mod:`climate`), with
``e(sd)`` independent answer noise:

- EES drivers (1–7) = the person's driver level + e(0.7); EES (1–7) = latent EES + e(0.6)
- stress (1–5) = 2.8 + 0.85·stress + e(0.45); wellbeing (1–5) = 3.5 − 0.55·stress
  + 0.15·(EES − 4.5) + e(0.5)
- engagement (1–5) = 3.6 + 0.3·(EES − 4.5) + 0.2·lead quality + e(0.55);
  eNPS (0–10) = 7.0 + 1.6·(engagement − 3.6) + e(1.2)
- manager rating (1–10) = 7 + 0.9·lead quality + e(1.0) (team leads and managers rate
  their own manager: quality 0)
- "I have proper equipment to work from home" (1–5, home and hybrid workers only): 4–5 with,
  1–2 without proper equipment.

Board members add ``board_uplift`` × the item's range to every item (stress: subtract),
managers half of it. 18 % leave a comment ("what would make your work easier?").
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from keizer.demo.climate import EES_MEAN, Climate
from keizer.demo.comments import employee_comments
from keizer.demo.organisation import Organisation
from keizer.demo.people import People
from keizer.demo.responses import Responses, collect, scale_answers
from keizer.demo.spec import DemoSpec, stream
from keizer.demo.surveys import EX_SURVEY_KEY

RESPONSE_RATE = {"agent": 0.6, "team_lead": 0.8, "manager": 0.85, "board": 0.9}
UPLIFT_FACTOR = {"agent": 0.0, "team_lead": 0.0, "manager": 0.5, "board": 1.0}
COMMENT_RATE = 0.18
ITEM_MISSING = 0.02
DRIVER_CODES = ("ees_time", "ees_information", "ees_authority", "ees_competence")


def build_ex_responses(
    spec: DemoSpec, org: Organisation, people: People, climate: Climate
) -> Responses:
    rng = stream(spec.seed, "ex")
    cal = spec.calendar
    base = np.vectorize(RESPONSE_RATE.__getitem__, otypes=[float])(people.role)
    propensity = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + rng.normal(0, 0.8, len(people)))))
    invited = climate.exposure >= 0.5
    responds = invited & (rng.random(invited.shape) < propensity[:, None])
    person, month = np.nonzero(responds)
    order = np.lexsort((person, month))
    person, month = person[order], month[order]
    n = person.size

    team = people.team[person]
    quality = np.where(people.role[person] == "agent", org.lead_quality[np.maximum(team, 0)], 0.0)
    drivers = climate.person_drivers[person, month]
    ees = climate.ees[person, month]
    stress = climate.stress[person, month]
    e = rng.standard_normal((n, 10))
    engagement = 3.6 + 0.3 * (ees - EES_MEAN) + 0.2 * quality + 0.55 * e[:, 0]
    latent = {
        "enps": (7.0 + 1.6 * (engagement - 3.6) + 1.2 * e[:, 1], 0, 10),
        "engagement": (engagement, 1, 5),
        "wellbeing": (3.5 - 0.55 * stress + 0.15 * (ees - EES_MEAN) + 0.5 * e[:, 2], 1, 5),
        "stress": (2.8 + 0.85 * stress + 0.45 * e[:, 3], 1, 5),
        "ees": (ees + 0.6 * e[:, 4], 1, 7),
        **{code: (drivers[:, d] + 0.7 * e[:, 5 + d], 1, 7) for d, code in enumerate(DRIVER_CODES)},
        "manager_rating": (7.0 + 0.9 * quality + 1.0 * e[:, 9], 1, 10),
    }
    uplift = spec.effects.board_uplift * np.vectorize(UPLIFT_FACTOR.__getitem__, otypes=[float])(
        people.role[person]
    )
    present = rng.random((n, len(latent))) >= ITEM_MISSING
    numeric: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, (code, (values, low, high)) in enumerate(latent.items()):
        sign = -1 if code == "stress" else 1
        scaled = scale_answers(values + sign * uplift * (high - low), low, high)
        numeric[code] = (np.flatnonzero(present[:, i]), scaled[present[:, i]])
    remote = np.flatnonzero(people.work_mode[person] != "office")
    has = people.equipment[person[remote]]
    numeric["home_equipment"] = (remote, np.where(has, 4, 1) + (rng.random(remote.size) < 0.5))

    language = np.where(rng.random(n) < spec.dutch_share, "nl", "en").astype(object)
    commenting = np.flatnonzero(rng.random(n) < COMMENT_RATE)
    comments = employee_comments(
        rng, language[commenting], ees[commenting], drivers[commenting],
        stressed=stress[commenting] > 0.8,
        no_equipment=~people.equipment[person[commenting]],
        weak_lead=quality[commenting] < -0.5,
    )  # fmt: skip
    answers, truth = collect(numeric, {"comment": (commenting, comments)}, language)

    start = np.maximum(cal.bounds[month], people.hire_day[person])
    end = np.minimum(cal.bounds[month + 1], people.leave_day[person])
    day = start + np.floor(rng.random(n) * (end - start)).astype(np.int64)
    seconds = day * 86_400 + rng.integers(7 * 3600, 16 * 3600, size=n)
    labels = [cal.label(m) for m in range(spec.months)]
    keys = [
        f"demo:ex:{labels[m]}:{people.source_id[p]}" for p, m in zip(person, month, strict=True)
    ]
    return Responses(
        survey_key=EX_SURVEY_KEY, key=pa.array(keys, pa.string()),
        submitted_us=seconds * 1_000_000,
        respondent=person, language=language, answers=answers, truth=truth,
        role=people.role[person].astype(object), team_key=people.unit_key[person],
    )  # fmt: skip
