"""Lexicon-and-rules sentiment: negation, intensifiers, contrast, emoji, service vocabulary."""

import pytest

from keizer.text import sentiment
from keizer.text._lexicon import dutch_adjective_forms


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("De medewerker was heel vriendelijk en behulpzaam.", "nl", "positive"),
        ("Snel geholpen, top!", "nl", "positive"),
        ("Waardeloze service, nooit meer.", "nl", "negative"),
        ("Ik heb drie kwartier in de wacht gestaan.", "nl", "negative"),
        ("Van het kastje naar de muur gestuurd.", "nl", "negative"),
        ("Ik wil mijn adres wijzigen.", "nl", "neutral"),
        ("The agent was friendly and solved it quickly.", "en", "positive"),
        ("Two hours on hold, terrible.", "en", "negative"),
        ("I would like to update my address.", "en", "neutral"),
        ("Great service 👍", "en", "positive"),
        ("Thanks for nothing.", "en", "negative"),
    ],
)
def test_labels(text: str, language: str, label: str) -> None:
    assert sentiment(text, language).label == label


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Het eten was niet lekker.", "nl"),
        ("De medewerker was niet vriendelijk.", "nl"),
        ("Ik werd niet teruggebeld.", "nl"),
        ("De medewerker hielp mij niet.", "nl"),
        ("Geen hulp gekregen.", "nl"),
        ("Echt géén aanrader.", "nl"),
        ("The agent was not helpful.", "en"),
        ("I'm not happy with this.", "en"),
        ("It doesn't work.", "en"),
    ],
)
def test_negated_positives_turn_negative(text: str, language: str) -> None:
    assert sentiment(text, language).label == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Geen probleem.", "nl"),
        ("Het was niet slecht.", "nl"),
        ("De wachttijd was niet te lang.", "nl"),
        ("I'm not unhappy with the result.", "en"),
        ("Not bad at all.", "en"),
        ("No problem.", "en"),
    ],
)
def test_negated_negatives_are_not_negative(text: str, language: str) -> None:
    assert sentiment(text, language).label != "negative"


def test_intensifiers_strengthen_and_dampeners_weaken() -> None:
    plain = sentiment("De service was goed.", "nl").score
    assert sentiment("De service was heel erg goed.", "nl").score > plain
    assert sentiment("De service was een beetje goed.", "nl").score < plain
    assert sentiment("very good", "en").score > sentiment("good", "en").score


def test_too_makes_neutral_adjectives_negative() -> None:
    assert sentiment("De wachttijd was te lang.", "nl").label == "negative"
    assert sentiment("It took too long.", "en").label == "negative"


def test_contrast_weighs_the_second_clause() -> None:
    assert sentiment(
        "Vriendelijke medewerker, maar het probleem is niet opgelost.", "nl"
    ).label == ("negative")
    assert sentiment("Long wait, but the agent was brilliant and fixed it.", "en").label == (
        "positive"
    )


def test_capitals_and_exclamations_amplify() -> None:
    assert sentiment("This is BAD!!!", "en").score < sentiment("This is bad", "en").score


def test_questions_are_damped() -> None:
    assert abs(sentiment("Can you help me with a good deal?", "en").score) < abs(
        sentiment("You helped me with a good deal.", "en").score
    )


def test_greeting_opener_carries_no_sentiment() -> None:
    assert sentiment("Beste klantenservice, mijn adres is gewijzigd.", "nl").label == "neutral"


def test_dutch_inflection_and_compounds() -> None:
    assert sentiment("supervriendelijke medewerkers", "nl").label == "positive"
    assert sentiment("Ik ben klantonvriendelijk behandeld.", "nl").label == "negative"
    assert sentiment("smaakloos eten", "nl").label == "negative"
    assert dutch_adjective_forms("snel")[0] == "snelle"
    assert dutch_adjective_forms("groot")[0] == "grote"
    assert dutch_adjective_forms("lief")[0] == "lieve"
    assert dutch_adjective_forms("vriendelijk")[0] == "vriendelijke"


def test_score_is_bounded() -> None:
    for text in ["super super super goed!!!!!", "vreselijk slecht waardeloos schandalig!!!!"]:
        assert -1.0 <= sentiment(text, "nl").score <= 1.0


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        sentiment("hola", "es")
