"""Lexicon-and-rules sentiment for short Dutch and English service texts.

The scoring follows VADER (Hutto & Gilbert, 2014): token valences from a lexicon, shifted by
boosters and dampeners, flipped and damped by negation, re-weighted around contrast words, summed
and normalised to a compound score in [-1, 1]. On top of VADER it adds phrases (multi-word entries
such as "in de wacht" or "on hold"), Dutch morphology (inflected adjectives, compounds, post-verbal
"niet"), the "te lang" / "too long" rule, and contact-centre vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from keizer.text._lexicon import SentimentRules, rules_for
from keizer.text._tokenize import is_boundary, tokenize

NEGATION_SCALAR = -0.74
CAPS_BOOST = 0.733
EXCLAMATION_BOOST = 0.292
TOO_VALENCE = -1.6
ALPHA = 15.0
#: Compound score at or beyond which a text is labelled positive / negative.
POSITIVE_THRESHOLD = 0.3
NEGATIVE_THRESHOLD = -0.1
IRREALIS_SCALAR = 0.3
QUESTION_SCALAR = 0.5
_SCOPE = 3
_SPLIT_SCOPE = 5


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Sentiment of one text: a label and a compound score in [-1, 1]."""

    label: str
    score: float
    positive: float
    negative: float


def label_for(score: float) -> str:
    """Map a compound score to negative / neutral / positive."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _merge_phrases(
    tokens: list[str], caps: list[bool], rules: SentimentRules
) -> tuple[list[str], list[bool], dict[int, float]]:
    """Join multi-word lexicon entries into single tokens; return their valences by position."""
    phrases = rules.phrases
    if not phrases:
        return tokens, caps, {}
    out: list[str] = []
    out_caps: list[bool] = []
    fixed: dict[int, float] = {}
    i, n = 0, len(tokens)
    while i < n:
        candidates = phrases.get(tokens[i])
        if candidates:
            for words, value in candidates:
                size = len(words)
                if tuple(tokens[i : i + size]) == words:
                    fixed[len(out)] = value
                    out.append(" ".join(words))
                    out_caps.append(all(caps[i : i + size]))
                    i += size
                    break
            else:
                out.append(tokens[i])
                out_caps.append(caps[i])
                i += 1
        else:
            out.append(tokens[i])
            out_caps.append(caps[i])
            i += 1
    return out, out_caps, fixed


def _split_phrases(
    tokens: list[str], values: list[float], fixed: dict[int, float], rules: SentimentRules
) -> None:
    """Separable verbs and phrasal verbs: "viel ... tegen", "let ... down" (same clause)."""
    for i, tok in enumerate(tokens):
        entries = rules.split_phrases.get(tok)
        if not entries:
            continue
        particles = dict(entries)
        for j in range(i + 1, min(len(tokens), i + 1 + _SPLIT_SCOPE)):
            if is_boundary(tokens[j]):
                break
            if tokens[j] in particles:
                values[i] = 0.0
                values[j] = fixed[j] = particles[tokens[j]]
                break


def _negated_before(tokens: list[str], i: int, rules: SentimentRules) -> bool:
    for j in range(i - 1, max(-1, i - 1 - _SCOPE), -1):
        tok = tokens[j]
        if is_boundary(tok) or tok in rules.contrast:
            return False
        if tok in rules.negators or tok.endswith("n't"):
            nxt = tokens[j + 1]
            prev = tokens[j - 1] if j > 0 else ""
            return (tok, nxt) not in rules.negation_exceptions and (
                prev,
                tok,
            ) not in rules.negation_exceptions
    return False


def _negated_after(tokens: list[str], values: list[float], i: int, rules: SentimentRules) -> bool:
    """Dutch: "hij hielp mij niet." — a clause-final "niet" negates the preceding verb."""
    if not rules.post_negators:
        return False
    n = len(tokens)
    for j in range(i + 1, min(n, i + 1 + _SCOPE)):
        tok = tokens[j]
        if is_boundary(tok) or tok in rules.contrast:
            return False
        if values[j] != 0.0:
            return False
        if tok in rules.post_negators:
            return j + 1 >= n or (
                is_boundary(tokens[j + 1]) or tokens[j + 1] in rules.post_negation_followers
            )
    return False


def score_tokens(tokens: list[str], caps: list[bool], rules: SentimentRules) -> Sentiment:
    """Score already tokenised text with the rules of one language."""
    tokens, caps, fixed = _merge_phrases(tokens, caps, rules)
    n = len(tokens)
    if n == 0:
        return Sentiment("neutral", 0.0, 0.0, 0.0)
    lexicon_valence = rules.valence
    modifiers = rules.modifiers
    values = [fixed[i] if i in fixed else lexicon_valence(tok) for i, tok in enumerate(tokens)]
    if rules.split_phrases:
        _split_phrases(tokens, values, fixed, rules)
    if tokens[0] in rules.openers:
        values[0] = 0.0
    # A modifier directly before a sentiment word acts as modifier only ("vreselijk lang").
    for i in range(n - 1):
        if tokens[i] in modifiers and (values[i + 1] != 0.0 or tokens[i + 1] in rules.too_words):
            values[i] = 0.0
    shouting = any(caps) and not all(c for c, t in zip(caps, tokens, strict=True) if t.isalpha())
    scored = [0.0] * n
    for i, tok in enumerate(tokens):
        value = values[i]
        too = i > 0 and tokens[i - 1] in rules.too_words and i not in fixed
        if too and (tok in rules.too_adjectives or (value != 0.0 and value < 1.0)):
            value = min(value, 0.0) + TOO_VALENCE
        if value == 0.0:
            continue
        for distance, j in enumerate(range(i - 1, max(-1, i - 1 - _SCOPE), -1)):
            prev = tokens[j]
            if is_boundary(prev):
                break
            shift = modifiers.get(prev)
            if shift is not None:
                decay = (1.0, 0.95, 0.9)[distance]
                value += math.copysign(1.0, value) * shift * decay
        if shouting and caps[i]:
            value += math.copysign(CAPS_BOOST, value)
        negatable = i not in fixed or tok.split(" ", 1)[0] not in rules.negators
        if negatable and (
            _negated_before(tokens, i, rules) or _negated_after(tokens, values, i, rules)
        ):
            value *= NEGATION_SCALAR
        scored[i] = value
    _apply_contrast(tokens, scored, rules)
    _apply_questions(tokens, scored)
    pos = sum(v for v in scored if v > 0)
    neg = sum(v for v in scored if v < 0)
    total = pos + neg
    bangs = sum(min(len(t), 4) for t in tokens if t[0] == "!")
    if total and bangs:
        total += math.copysign(min(bangs, 4) * EXCLAMATION_BOOST, total)
    compound = total / math.sqrt(total * total + ALPHA)
    compound = max(-1.0, min(1.0, compound))
    return Sentiment(label_for(compound), round(compound, 4), round(pos, 3), round(-neg, 3))


def _apply_contrast(tokens: list[str], scored: list[float], rules: SentimentRules) -> None:
    """Weigh the clause after "maar"/"but" up and the part before it down; damp concessions."""
    pivot = -1
    for i, tok in enumerate(tokens):
        if tok in rules.contrast or (
            tok in rules.contrast_clause_initial and (i == 0 or is_boundary(tokens[i - 1]))
        ):
            pivot = i
    if pivot > 0:
        for i in range(len(tokens)):
            if scored[i]:
                scored[i] *= 0.5 if i < pivot else 1.5
    conceding = irrealis = False
    for i, tok in enumerate(tokens):
        if tok in rules.concessive:
            conceding = True
        elif tok in rules.irrealis:
            irrealis = True
        elif is_boundary(tok):
            conceding = irrealis = False
        else:
            if conceding and scored[i]:
                scored[i] *= 0.5
            if irrealis and scored[i] > 0:
                scored[i] *= IRREALIS_SCALAR


def _apply_questions(tokens: list[str], scored: list[float]) -> None:
    """Damp clauses that end in a question mark: questions ask, they rarely judge."""
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        if tok[0] == "?" or (tok[0] == "!" and "?" in tok):
            j = i - 1
            while j >= 0 and not is_boundary(tokens[j]):
                scored[j] *= QUESTION_SCALAR
                j -= 1


def sentiment(text: str, language: str) -> Sentiment:
    """Sentiment of ``text`` in ``language`` (``"nl"`` or ``"en"``)."""
    tokens, caps = tokenize(text)
    return score_tokens(tokens, caps, rules_for(language))
