"""Sentiment lexicons and rule word lists per language, built once from the shipped data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from keizer.text._resources import load_tsv, load_yaml

LANGUAGES = ("nl", "en")
_SOURCES = {"nl": "lexicon_nl_pattern.txt", "en": "lexicon_en_vader.txt"}
_CACHE_LIMIT = 200_000
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class SentimentRules:
    """Lexicon and rule words for one language."""

    language: str
    lexicon: dict[str, float]
    phrases: dict[str, tuple[tuple[tuple[str, ...], float], ...]]
    split_phrases: dict[str, tuple[tuple[str, float], ...]]
    negators: frozenset[str]
    post_negators: frozenset[str]
    post_negation_followers: frozenset[str]
    negation_exceptions: frozenset[tuple[str, str]]
    modifiers: dict[str, float]
    booster_prefixes: tuple[str, ...]
    contrast: frozenset[str]
    contrast_clause_initial: frozenset[str]
    concessive: frozenset[str]
    irrealis: frozenset[str]
    too_words: frozenset[str]
    too_adjectives: frozenset[str]
    openers: frozenset[str]
    compounds: bool
    _cache: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def valence(self, token: str) -> float:
        """Valence of one token on VADER's -4..+4 scale (0.0 when unknown)."""
        found = self._cache.get(token)
        if found is not None:
            return found
        value = self.lexicon.get(token)
        if value is None:
            value = self._fallback(token)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[token] = value
        return value

    def _fallback(self, token: str) -> float:
        """Dutch morphology: plural/verb endings and compounds ("klantonvriendelijk")."""
        if not self.compounds or len(token) < 5 or not token.isalpha():
            return 0.0
        lex = self.lexicon
        if token.endswith("heid") and token[:-4] in lex:
            return lex[token[:-4]]  # onbeleefdheid <- onbeleefd
        for suffix in ("en", "s", "e", "t"):
            if token.endswith(suffix) and (stem := token[: -len(suffix)]) in lex:
                return lex[stem]
        if token.endswith("loos") and len(token) > 7:
            return -1.5  # "-loos" = without: smaakloos, inspiratieloos (positives are listed)
        for cut in range(3, len(token) - 4):
            head, tail = token[:cut], token[cut:]
            if tail in lex and (len(tail) >= 6 or head in self.booster_prefixes):
                boost = 1.3 if head in self.booster_prefixes else 1.0
                return max(-4.0, min(4.0, lex[tail] * boost))
        return 0.0


def dutch_adjective_forms(base: str) -> list[str]:
    """Inflected forms of a Dutch adjective: attributive (-e), comparative (-er), superlative."""
    if not base.isalpha() or len(base) < 3:
        return []
    if base.endswith("e"):
        return [base + "r", base + "st", base + "ste"]
    if base[-1] in _VOWELS:
        return [base + "e", base + "er", base + "st", base + "ste"] if base[-2] in _VOWELS else []
    stem = base
    last, prev, prev2 = base[-1], base[-2], base[-3]
    unstressed = base.endswith(("ig", "lijk", "isch")) or (
        base.endswith(("er", "el", "en", "em")) and any(c in _VOWELS for c in base[:-2])
    )
    if not unstressed and prev in _VOWELS and prev2 == prev and last not in _VOWELS:
        stem = base[:-2] + last  # groot -> grot(e), traag -> trag(e)
    elif not unstressed and prev in _VOWELS and prev2 not in _VOWELS and last not in "wjyaeiou":
        stem = base + last  # snel -> snell(e), dom -> domm(e)
    if stem[-1] == "f" and stem[-2] in _VOWELS:
        stem = stem[:-1] + "v"  # lief -> liev(e), braaf -> brav(e)
    elif stem[-1] == "s" and stem[-2] in _VOWELS and not stem.endswith("ss"):
        stem = stem[:-1] + "z"  # boos -> boz(e), vies -> viez(e)
    comparative = stem + ("der" if base.endswith("r") else "er")
    superlative = base + ("" if base.endswith("s") else "s") + "t"
    return [stem + "e", comparative, superlative, superlative + "e"]


def _phrase_index(
    entries: dict[str, float],
) -> dict[str, tuple[tuple[tuple[str, ...], float], ...]]:
    index: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for phrase, value in entries.items():
        words = tuple(phrase.split())
        index.setdefault(words[0], []).append((words, value))
    return {k: tuple(sorted(v, key=lambda item: -len(item[0]))) for k, v in index.items()}


def _words(spec: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in spec.get(key) or [])


@cache
def rules_for(language: str) -> SentimentRules:
    """Sentiment rules for ``"nl"`` or ``"en"`` (built once per process)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    spec = load_yaml(f"sentiment_{language}.yaml")
    shared = load_yaml("emoji.yaml")
    lexicon: dict[str, float] = dict(load_tsv(_SOURCES[language]))
    if language == "nl":
        for word, value in list(lexicon.items()):
            for form in dutch_adjective_forms(word):
                lexicon.setdefault(form, value)
    single: dict[str, float] = {}
    multi: dict[str, float] = {}
    entries = {**{str(k): float(v) for k, v in shared["valence"].items()}, **spec["lexicon"]}
    split: dict[str, list[tuple[str, float]]] = {}
    for key, value in entries.items():
        words = str(key).lower().split()
        if len(words) == 3 and words[1] == "...":
            split.setdefault(words[0], []).append((words[2], float(value)))
        else:
            (multi if len(words) > 1 else single)[" ".join(words)] = float(value)
    lexicon.update(single)
    if language == "nl":
        for word, value in single.items():
            for form in dutch_adjective_forms(word):
                if form not in single:
                    lexicon[form] = value
    for word in spec.get("neutral") or []:
        lexicon[str(word)] = 0.0
    modifiers = {str(k): float(v) for k, v in (spec.get("boosters") or {}).items()}
    modifiers.update({str(k): float(v) for k, v in (spec.get("dampeners") or {}).items()})
    exceptions = frozenset(
        (parts[0], parts[1])
        for parts in (str(p).split() for p in spec.get("negation_exceptions") or [])
        if len(parts) >= 2
    )
    return SentimentRules(
        language=language,
        lexicon=lexicon,
        phrases=_phrase_index(multi),
        split_phrases={k: tuple(v) for k, v in split.items()},
        negators=_words(spec, "negators"),
        post_negators=_words(spec, "post_negators"),
        post_negation_followers=_words(spec, "post_negation_followers"),
        negation_exceptions=exceptions,
        modifiers=modifiers,
        booster_prefixes=tuple(str(p) for p in spec.get("booster_prefixes") or []),
        contrast=_words(spec, "contrast"),
        contrast_clause_initial=_words(spec, "contrast_clause_initial"),
        concessive=_words(spec, "concessive"),
        irrealis=_words(spec, "irrealis"),
        too_words=_words(spec, "too_words"),
        too_adjectives=_words(spec, "too_adjectives"),
        openers=_words(spec, "openers"),
        compounds=language == "nl",
    )
