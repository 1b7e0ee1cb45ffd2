"""Language detection (Dutch / English / other) with lingua, loading only the two models needed."""

from __future__ import annotations

from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from keizer.text._lexicon import rules_for
from keizer.text._tokenize import tokenize

LANGUAGES = ("nl", "en", "other")
_CODES = {Language.DUTCH: "nl", Language.ENGLISH: "en"}
_MIN_WORDS_FOR_OTHER = 4
_MIN_KNOWN_SHARE = 0.25
_CONFIDENT = 0.8
_MIN_WORDS_FOR_SHORTCUT = 5
_DECISIVE_SHARE = 0.4

# Frequent function words; a text of several words with almost none of them is neither nl nor en.
_FUNCTION_WORDS = {
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "ik",
            "je",
            "jij",
            "u",
            "is",
            "was",
            "niet",
            "wel",
            "dat",
            "die",
            "dit",
            "er",
            "in",
            "op",
            "te",
            "met",
            "voor",
            "aan",
            "bij",
            "naar",
            "om",
            "ook",
            "maar",
            "als",
            "dan",
            "nog",
            "al",
            "zo",
            "heb",
            "heeft",
            "hebben",
            "ben",
            "zijn",
            "werd",
            "wordt",
            "geen",
            "mijn",
            "me",
            "mij",
            "we",
            "wij",
            "ze",
            "zij",
            "hij",
            "hun",
            "ons",
            "onze",
            "uw",
            "kan",
            "kon",
            "moet",
            "zou",
            "of",
            "door",
            "tot",
            "uit",
            "over",
            "na",
            "erg",
            "heel",
            "goed",
            "veel",
            "meer",
            "nu",
            "toen",
            "waar",
            "wat",
            "wie",
            "hoe",
            "omdat",
            "want",
            "echt",
            "even",
            "keer",
            "weer",
            "graag",
            "bedankt",
            "dank",
            "top",
            "prima",
            "super",
            "fijn",
            "klant",
            "medewerker",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "a",
            "an",
            "and",
            "of",
            "i",
            "you",
            "is",
            "was",
            "not",
            "it",
            "that",
            "this",
            "there",
            "in",
            "on",
            "to",
            "with",
            "for",
            "at",
            "by",
            "from",
            "as",
            "but",
            "if",
            "then",
            "so",
            "have",
            "has",
            "had",
            "am",
            "are",
            "be",
            "been",
            "my",
            "me",
            "we",
            "they",
            "he",
            "she",
            "his",
            "her",
            "our",
            "your",
            "can",
            "could",
            "will",
            "would",
            "should",
            "do",
            "did",
            "does",
            "no",
            "yes",
            "very",
            "too",
            "much",
            "more",
            "now",
            "when",
            "where",
            "what",
            "who",
            "how",
            "why",
            "because",
            "just",
            "really",
            "get",
            "got",
            "thanks",
            "thank",
            "please",
            "great",
            "good",
            "bad",
            "service",
            "agent",
            "call",
        ]
    ),
}


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()


def _known_share(words: list[str], language: str) -> float:
    vocab = _FUNCTION_WORDS[language]
    lexicon = rules_for(language).lexicon
    return sum(1 for w in words if w in vocab or w in lexicon) / len(words)


def detect_language_of_tokens(text: str, tokens: list[str]) -> str:
    """Detect the language of ``text`` whose tokens are already known: nl, en or other."""
    words = [t for t in tokens if t.isalpha()]
    if not words:
        return "other"
    shares = {"nl": _known_share(words, "nl"), "en": _known_share(words, "en")}
    if len(words) >= _MIN_WORDS_FOR_SHORTCUT:
        # Function-word profiles (a classic language-ID method) settle clear cases cheaply.
        for lang, other in (("nl", "en"), ("en", "nl")):
            if shares[lang] >= _DECISIVE_SHARE and shares[other] <= shares[lang] / 4:
                return lang
    best = _detector().compute_language_confidence_values(text)[0]
    guess = _CODES.get(best.language, "other")
    if guess == "other":
        return guess
    if len(words) >= _MIN_WORDS_FOR_OTHER and shares[guess] < _MIN_KNOWN_SHARE:
        return "other"
    if best.value < _CONFIDENT and shares["nl"] != shares["en"]:
        return "nl" if shares["nl"] > shares["en"] else "en"
    return guess


def detect_language(text: str) -> str:
    """Detect the language of one text: ``"nl"``, ``"en"`` or ``"other"``."""
    return detect_language_of_tokens(text, tokenize(text)[0])
