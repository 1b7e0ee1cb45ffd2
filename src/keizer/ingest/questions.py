"""Questions for a survey that an import creates: metric and scale from hints, names and data."""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from keizer.feedback.schemas import Metric, QuestionCreate
from keizer.ingest import parse
from keizer.ingest.mapping import QuestionHint

_GUESSES: tuple[tuple[str, Metric, tuple[float, float] | None], ...] = (
    (r"\benps\b|employee.?net.?promoter", "enps", (0, 10)),
    (r"\bnps\b|recommend|aanbe(vel|veel)|aanraden|net.?promoter", "nps", (0, 10)),
    (r"\bees\b|employee.?effort|makkelijk.*(helpen|klant)", "ees", None),
    (r"\bces\b|effort|moeite|gemak|makkelijk|eenvoudig|easy", "ces", None),
    (r"\bcsat\b|satisf|tevreden", "csat", None),
    (
        r"friction|frictie|lastig|moeilijk|(kon|kan|could be) beter|better|improve|verbeter",
        "open_friction",
        None,
    ),
    (r"achieve|bereiken|doel|goal|waarvoor|reden.*contact", "open_goal", None),
    (r"engagement|betrokken", "engagement", None),
    (r"wellbeing|welzijn|stress|werkdruk", "wellbeing", None),
)
TYPICAL_MAXIMA = (5.0, 7.0, 10.0)


def infer_question(
    code: str, values: pa.Array, *, text: str | None, hint: QuestionHint | None, position: int
) -> QuestionCreate:
    """A question definition for an answer column, from the user's hint or a guess."""
    if hint is not None:
        return QuestionCreate(
            code=code, metric=hint.metric,
            scale_min=hint.scale[0] if hint.scale else None,
            scale_max=hint.scale[1] if hint.scale else None,
            text_nl=hint.text or text, text_en=hint.text or text,
        )  # fmt: skip
    label = f"{code} {text or ''}".replace("_", " ").casefold()
    numbers, bad = parse.number(values, decimal="auto", integer=False, minimum=None, maximum=None)
    numeric = bool(pc.sum(pc.is_valid(numbers)).as_py()) and not bad.any()
    metric: Metric = "other" if numeric else "open_comment"
    scale: tuple[float, float] | None = None
    for pattern, guessed, fixed in _GUESSES:
        if re.search(pattern, label):
            metric, scale = guessed, fixed
            break
    if numeric and scale is None and not metric.startswith("open"):
        scale = _scale_of(numbers)
    if not numeric and not metric.startswith("open"):
        metric = "open_comment"
    if numeric and metric.startswith("open"):
        metric, scale = "other", _scale_of(numbers)
    return QuestionCreate(
        code=code, metric=metric,
        scale_min=scale[0] if scale else None, scale_max=scale[1] if scale else None,
        text_nl=text, text_en=text,
    )  # fmt: skip


def _scale_of(numbers: pa.Array) -> tuple[float, float]:
    low = pc.min(numbers).as_py()
    high = pc.max(numbers).as_py()
    top = next((m for m in TYPICAL_MAXIMA if high <= m), float(high))
    bottom = 0.0 if low is not None and low < 1 else 1.0
    return bottom, top
