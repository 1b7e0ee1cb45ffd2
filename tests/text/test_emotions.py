"""Emotion cues in Dutch and English, including emoji and negation."""

import pytest

from keizer.text import EMOTIONS, detect_emotions


def _emotions(text: str, language: str) -> set[str]:
    return set(detect_emotions(text.lower(), (language,)))


@pytest.mark.parametrize(
    ("text", "language", "emotion"),
    [
        ("Ik ben echt boos!", "nl", "anger"),
        ("This is outrageous.", "en", "anger"),
        ("Alweer een storing, ik ben het zat.", "nl", "frustration"),
        ("Fed up with this, yet again.", "en", "frustration"),
        ("Ik maak me zorgen over de rekening.", "nl", "worry"),
        ("I'm worried I'll be cut off.", "en", "worry"),
        ("Erg teleurgesteld.", "nl", "sadness"),
        ("So disappointed 😢", "en", "sadness"),
        ("Blij dat het opgelost is.", "nl", "joy"),
        ("Delighted with the service!", "en", "joy"),
        ("Bedankt voor de hulp!", "nl", "gratitude"),
        ("Thank you so much 🙏", "en", "gratitude"),
        ("Ik snap het niet, waarom??", "nl", "confusion"),
        ("I'm confused about my bill.", "en", "confusion"),
        ("😡", "en", "anger"),
    ],
)
def test_emotion_found(text: str, language: str, emotion: str) -> None:
    assert emotion in _emotions(text, language)
    assert emotion in EMOTIONS


def test_negated_emotion_is_not_found() -> None:
    assert "anger" not in _emotions("Ik ben niet boos, wel verbaasd.", "nl")
    assert "worry" not in _emotions("I'm not worried about it.", "en")


def test_intensities_are_between_zero_and_one() -> None:
    found = detect_emotions("boos, woedend en razend!!!", ("nl",))
    assert 0 < found["anger"] <= 1
