"""Customer responses to the after-contact survey, for one month of stored contacts.

About 40–50 % of the stored contacts carry a response (the sample over-represents surveyed
contacts; see docs/demo.md). The answers share one latent customer experience ``s`` (standard
normal, 0.4 lower for vulnerable customers) and depend on resolution, transfer and, with a
one-month lag, the team's mean latent EES (``L`` = last month's team EES − 4.5; the first
month uses its own):

- CES (1–7)  = 4.9 + ees_to_ces·L + 0.9·(resolved − 0.76) − 0.35·transferred + 0.9·s + e(0.6)
- CSAT (1–5) = 3.75 + ees_to_csat·L + 0.45·(resolved − 0.76) − 0.2·transferred + 0.55·s + e(0.45)
- NPS (0–10) = 7.4 + ees_to_nps·L + 1.4·(resolved − 0.76) − 0.4·transferred + 1.3·s + e(0.9)
- emotion (1–5) = 3.5 + 0.45·(resolved − 0.76) + 0.6·s + e(0.5)

Each number is missing for 3 % of the respondents. 45 % answer "what did you want to
achieve?", 20 % (55 % when CES ≤ 4) "where was the friction?". 6 % of the respondents are
vulnerable (health 35 %, life events 30 %, resilience 20 %, capability 15 %) and say so in
their first open answer.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from keizer.demo import phrases as P
from keizer.demo.climate import EES_MEAN, Climate
from keizer.demo.comments import friction_comments, goal_comments
from keizer.demo.operations import MICROS, Contacts
from keizer.demo.responses import Responses, collect, scale_answers
from keizer.demo.spec import DemoSpec, stream
from keizer.demo.surveys import CX_SURVEY_KEY

RESPONSE_RATE = {"phone": 0.40, "email": 0.45, "chat": 0.50}
VULNERABLE_SHARE = 0.06
ITEM_MISSING = 0.03


def build_cx_responses(spec: DemoSpec, climate: Climate, contacts: Contacts) -> Responses:
    rng = stream(spec.seed, "cx", contacts.month)
    effects = spec.effects
    rate = np.vectorize(RESPONSE_RATE.__getitem__, otypes=[float])(contacts.channel)
    chosen = np.flatnonzero(rng.random(len(contacts)) < rate)
    n = chosen.size
    team = contacts.team[chosen]
    lag = max(contacts.month - 1, 0)
    ees_lag = climate.team_ees[team, lag] - EES_MEAN
    resolved = contacts.resolved[chosen]
    transferred = contacts.transferred[chosen]
    r = resolved - 0.76
    vulnerable = rng.random(n) < VULNERABLE_SHARE
    driver = np.full(n, None, dtype=object)
    driver[vulnerable] = rng.choice(
        np.array(P.VULNERABILITY_DRIVERS, dtype=object), size=int(vulnerable.sum()),
        p=P.VULNERABILITY_SHARES,
    )  # fmt: skip
    s = rng.standard_normal(n) - 0.4 * vulnerable
    noise = rng.standard_normal((n, 4))
    ces = scale_answers(
        4.9 + effects.ees_to_ces * ees_lag + 0.9 * r - 0.35 * transferred + 0.9 * s
        + 0.6 * noise[:, 0], 1, 7,
    )  # fmt: skip
    csat = scale_answers(
        3.75 + effects.ees_to_csat * ees_lag + 0.45 * r - 0.2 * transferred + 0.55 * s
        + 0.45 * noise[:, 1], 1, 5,
    )  # fmt: skip
    nps = scale_answers(
        7.4 + effects.ees_to_nps * ees_lag + 1.4 * r - 0.4 * transferred + 1.3 * s
        + 0.9 * noise[:, 2], 0, 10,
    )  # fmt: skip
    emotion = scale_answers(3.5 + 0.45 * r + 0.6 * s + 0.5 * noise[:, 3], 1, 5)

    language = np.where(rng.random(n) < spec.dutch_share, "nl", "en").astype(object)
    present = rng.random((n, 4)) >= ITEM_MISSING
    numeric = {
        code: (np.flatnonzero(present[:, i]), values[present[:, i]])
        for i, (code, values) in enumerate(
            (("nps", nps), ("csat", csat), ("ces", ces), ("emotion", emotion))
        )
    }
    open_draw = rng.random((n, 2))
    has_goal = open_draw[:, 0] < 0.45
    has_friction = open_draw[:, 1] < np.where(ces <= 4, 0.55, 0.2)
    goal_driver, friction_driver = driver.copy(), driver.copy()
    goal_driver[~has_goal] = None  # the disclosure goes in the first open answer given
    friction_driver[has_goal] = None
    goal = np.flatnonzero(has_goal)
    friction = np.flatnonzero(has_friction)
    topic = contacts.topic[chosen]
    text = {
        "goal": (
            goal,
            goal_comments(
                rng, language[goal], topic[goal], happy=(resolved & (ces >= 6))[goal],
                unhappy=(ces <= 3)[goal], vulnerability=goal_driver[goal],
            ),
        ),
        "friction": (
            friction,
            friction_comments(
                rng, language[friction], ces[friction], topic[friction],
                contacts.channel[chosen][friction], contacts.hold_s[chosen][friction],
                transferred[friction], resolved[friction], friction_driver[friction],
            ),
        ),
    }  # fmt: skip
    answers, truth = collect(numeric, text, language)

    handled = contacts.talk_s + np.nan_to_num(contacts.hold_s) + contacts.after_call_s
    delay_s = np.where(
        contacts.channel[chosen] == "email",
        rng.lognormal(np.log(6 * 3600), 1.0, n),
        rng.lognormal(np.log(20 * 60), 1.0, n),
    )
    delay_s = np.minimum(delay_s, 3 * 86_400)
    submitted = contacts.started_us[chosen] + ((handled[chosen] + delay_s) * MICROS).astype(
        np.int64
    )
    interaction_keys = contacts.key.take(chosen)
    keys = pc.replace_substring(interaction_keys, "demo:int:", "demo:cx:")
    return Responses(
        survey_key=CX_SURVEY_KEY, key=keys, submitted_us=submitted,
        respondent=contacts.customer[chosen], language=language, answers=answers, truth=truth,
        interaction_key=interaction_keys, channel=contacts.channel[chosen],
    )  # fmt: skip
