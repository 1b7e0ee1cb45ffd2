"""Open answers built from the vocabularies in :mod:`keizer.demo.phrases`, with their truth.

Each comment is a few clauses: an optional vulnerability disclosure, a theme clause (or a goal,
or "no friction"), sometimes a second theme, and an optional emotion. The labels of the chosen
clauses are the ground truth (sentiment, emotion, themes, vulnerability driver, intent) that
text analytics are scored against. Choices are vectorised; only the final string join runs
per comment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keizer.demo import phrases as P

CX_NEGATIVE_FALLBACK = np.array(
    ["cx.waiting_time", "cx.unclear_information", "cx.rude_unhelpful", "cx.process_rules",
     "cx.outcome_decision"], dtype=object,
)  # fmt: skip
CX_NEGATIVE_FALLBACK_SHARES = [0.3, 0.25, 0.15, 0.15, 0.15]
CX_PRAISE = np.array(
    ["cx.waiting_time", "cx.unclear_information", "cx.rude_unhelpful"], dtype=object
)
NEGATIVE_EMOTION_SHARES = [0.2, 0.35, 0.15, 0.15, 0.15]
EX_DRIVER_THEMES = np.array(["ex.time", "ex.information", "ex.authority", "ex.competence"])


@dataclass(frozen=True)
class Comments:
    """Texts and their truth, one entry per comment (None where a label does not apply)."""

    text: np.ndarray
    sentiment: np.ndarray
    emotion: np.ndarray
    themes: np.ndarray
    vulnerability: np.ndarray
    intent: np.ndarray


def goal_comments(
    rng: np.random.Generator,
    language: np.ndarray,
    topic: np.ndarray,
    happy: np.ndarray,
    unhappy: np.ndarray,
    vulnerability: np.ndarray,
) -> Comments:
    """Answers to "what did you want to achieve?": the topic, sometimes how it ended."""
    n = language.size
    draw = rng.random(n)
    done = happy & (draw < 0.35)
    worried = unhappy & (draw > 0.85)
    emotion = np.full(n, None, dtype=object)
    emotion[done] = "joy"
    emotion[worried] = "worry"
    sentiment = np.where(done, "positive", np.where(worried, "negative", "neutral")).astype(object)
    sentiment[(sentiment == "neutral") & (vulnerability != None)] = "negative"  # noqa: E711
    picks = rng.integers(0, 1 << 30, size=(n, 4))
    texts = [
        _join(
            (
                _pick(P.VULNERABILITY[v][lang], k[0]) if v is not None else None,
                _pick(P.GOALS[lang], k[1]).replace("{topic}", P.TOPIC_WORDS[P.TOPICS[t]][lang][0]),
                _pick(P.GOAL_DONE[lang], k[2]) if d else None,
                _pick(P.EMOTIONS["worry"][lang], k[3]) if w else None,
            ),
            k[3],
        )
        for lang, t, d, w, v, k in zip(
            language, topic, done, worried, vulnerability, picks, strict=True
        )
    ]
    intent = np.array(P.TOPICS, dtype=object)[topic]
    return Comments(_array(texts), sentiment, emotion, np.full(n, None, dtype=object),
                    vulnerability, intent)  # fmt: skip


def friction_comments(
    rng: np.random.Generator,
    language: np.ndarray,
    ces: np.ndarray,
    topic: np.ndarray,
    channel: np.ndarray,
    hold_s: np.ndarray,
    transferred: np.ndarray,
    resolved: np.ndarray,
    vulnerability: np.ndarray,
) -> Comments:
    """Answers to "where was the friction?": a theme that fits the contact, or none."""
    n = language.size
    draw = rng.random((n, 6))
    polarity = np.where(
        ces <= 3, "negative",
        np.where(ces <= 5, np.where(draw[:, 0] < 0.5, "negative", "neutral"),
                 np.where(draw[:, 0] < 0.6, "positive", "neutral")),
    ).astype(object)  # fmt: skip
    fallback = rng.choice(CX_NEGATIVE_FALLBACK, size=n, p=CX_NEGATIVE_FALLBACK_SHARES)
    p = draw[:, 1]
    theme = np.select(
        [
            transferred & (p < 0.7),
            ~resolved & (p < 0.6),
            (topic == P.TOPICS.index("digid_login")) & (p < 0.7),
            ((np.nan_to_num(hold_s) > 120) | (channel == "email")) & (p < 0.5),
        ],
        ["cx.transfer", "cx.repeat_contact", "cx.digital_channel", "cx.waiting_time"],
        default=fallback,
    ).astype(object)
    positive = polarity == "positive"
    praise = positive & (draw[:, 2] < 0.4)
    theme[positive] = None
    theme[praise] = rng.choice(CX_PRAISE, size=int(praise.sum()))
    second = np.full(n, None, dtype=object)
    has_second = (polarity == "negative") & (draw[:, 3] < 0.2)
    second[has_second] = rng.choice(CX_NEGATIVE_FALLBACK, size=int(has_second.sum()))
    second[second == theme] = None

    emotion = np.full(n, None, dtype=object)
    angry = (polarity == "negative") & (draw[:, 4] < 0.65)
    emotion[angry] = rng.choice(
        np.array(P.NEGATIVE_EMOTIONS, dtype=object), size=int(angry.sum()),
        p=NEGATIVE_EMOTION_SHARES,
    )  # fmt: skip
    pleased = positive & (draw[:, 4] < 0.6)
    emotion[pleased] = rng.choice(np.array(P.POSITIVE_EMOTIONS, dtype=object), int(pleased.sum()))
    sentiment = polarity.copy()
    sentiment[(polarity == "neutral") & (vulnerability != None)] = "negative"  # noqa: E711

    picks = rng.integers(0, 1 << 30, size=(n, 5))
    texts = [
        _join(
            (
                _pick(P.VULNERABILITY[v][lang], k[0]) if v is not None else None,
                _pick(P.CX_THEMES[th][lang][pol], k[1]) if th is not None
                else _pick(P.NO_FRICTION[lang], k[1]),
                _also(lang, s, k[2]) if s is not None else None,
                _pick(P.EMOTIONS[e][lang], k[3]) if e is not None else None,
            ),
            k[4],
        )
        for lang, pol, th, s, e, v, k in zip(
            language, polarity, theme, second, emotion, vulnerability, picks, strict=True
        )
    ]  # fmt: skip
    themes = np.array(
        [",".join(sorted(t for t in (a, b) if t is not None)) or None
         for a, b in zip(theme, second, strict=True)],
        dtype=object,
    )  # fmt: skip
    return Comments(_array(texts), sentiment, emotion, themes, vulnerability,
                    np.full(n, None, dtype=object))  # fmt: skip


def employee_comments(
    rng: np.random.Generator,
    language: np.ndarray,
    ees: np.ndarray,
    drivers: np.ndarray,
    stressed: np.ndarray,
    no_equipment: np.ndarray,
    weak_lead: np.ndarray,
) -> Comments:
    """Answers to "what would make your work easier?": the weakest driver, or praise."""
    n = language.size
    draw = rng.random((n, 3))
    negative = ees < 4.6
    relative = drivers - drivers.mean(axis=1, keepdims=True)
    weakest = EX_DRIVER_THEMES[relative.argmin(axis=1)].astype(object)
    strongest = EX_DRIVER_THEMES[relative.argmax(axis=1)].astype(object)
    theme = np.select(
        [draw[:, 0] < 0.55, stressed, no_equipment, weak_lead],
        [weakest, "ex.workload_stress", "ex.tools_systems", "ex.manager"],
        default="ex.growth",
    ).astype(object)
    theme[~negative] = np.where(weak_lead[~negative], strongest[~negative], "ex.manager")
    theme[~negative & (draw[:, 1] < 0.7)] = strongest[~negative & (draw[:, 1] < 0.7)]
    sentiment = np.where(negative, "negative", "positive").astype(object)
    emotion = np.full(n, None, dtype=object)
    upset = negative & (draw[:, 2] < 0.4)
    emotion[upset] = rng.choice(np.array(["frustration", "sadness", "worry"], dtype=object),
                                size=int(upset.sum()))  # fmt: skip
    picks = rng.integers(0, 1 << 30, size=(n, 3))
    texts = [
        _join(
            (
                _pick(P.EX_THEMES[th][lang]["negative" if neg else "positive"], k[0]),
                _pick(P.EMOTIONS[e][lang], k[1]) if e is not None else None,
            ),
            k[2],
        )
        for lang, th, neg, e, k in zip(language, theme, negative, emotion, picks, strict=True)
    ]
    none = np.full(n, None, dtype=object)
    return Comments(_array(texts), sentiment, emotion, theme.copy(), none, none.copy())


def _pick(variants: tuple[str, ...], k: int) -> str:
    return variants[int(k) % len(variants)]


def _also(language: str, theme: str, k: int) -> str:
    clause = _pick(P.CX_THEMES[theme][language]["negative"], k)
    return f"{_pick(P.ALSO[language], k)} {_lower(clause)}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _join(parts: tuple[str | None, ...], k: int) -> str:
    """The clauses in order; a tenth of the texts start lower case, a twentieth lack the
    final full stop, as people type."""
    text = " ".join(p for p in parts if p)
    if k % 10 == 0:
        text = _lower(text)
    if k % 20 == 1 and text.endswith("."):
        text = text[:-1]
    return text


def _array(items: list[str]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
