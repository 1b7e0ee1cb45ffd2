"""Emotion cues: anger, frustration, worry, sadness, joy, gratitude and confusion."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from keizer.text._cues import CueMatcher, CueSpec, Words
from keizer.text._resources import load_yaml

EMOTIONS = ("anger", "frustration", "worry", "sadness", "joy", "gratitude", "confusion")
_WEIGHT = 0.8
_EMOJI_WEIGHT = 0.7


@cache
def _matcher() -> CueMatcher:
    data = load_yaml("emotions.yaml")["emotions"]
    cues: dict[str, list[CueSpec]] = {}
    for emotion, spec in data.items():
        for key, patterns in spec.items():
            language = "emoji" if key == "emoji" else key
            weight = _EMOJI_WEIGHT if key == "emoji" else _WEIGHT
            cues.setdefault(language, []).extend(CueSpec(emotion, str(p), weight) for p in patterns)
    return CueMatcher.build(cues)


def detect_emotions(
    lowered: str, languages: Iterable[str], words: Words | None = None
) -> dict[str, float]:
    """Emotion intensities in [0, 1] for lower-cased text (emotions absent are left out)."""
    found = _matcher().find(lowered, (*languages, "emoji"), words)
    return {e: round(found[e], 3) for e in EMOTIONS if e in found}
