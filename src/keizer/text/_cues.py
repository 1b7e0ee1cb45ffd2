"""Multi-label cue matching with negation: one compiled regular expression per family and language.

Cue syntax (used in themes.yaml, vulnerability.yaml, emotions.yaml and user YAML files):

* words separated by spaces match words separated by whitespace or punctuation;
* ``*`` at the end of a word matches any ending: ``wacht*`` matches "wachttijd", "wachten";
* ``...`` between words allows up to three other words: ``lang ... gewacht``;
* a cue starting with ``re:`` is a raw regular expression (matched on lower-cased text).

A cue does not count when a negator ("niet", "geen", "not", "no", ...) stands in the three words
before it in the same clause ("geen wachttijd", "not rude at all"), or when the words after it
cancel it ("de wachttijd viel mee", "waiting time was no problem"). Cues that contain a negator
themselves ("niet teruggebeld") are never cancelled by negation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from keizer.text._resources import load_yaml

_CACHE_LIMIT = 200_000
_GAP = r"(?:[\W_]+\w+){0,3}?[\W_]+"
_SEP = r"[\W_]+"
_WORD_RE = re.compile(r"[\w']+")
_ANCHOR_RE = re.compile(r"(\w+)")
_TEXT_WORD_RE = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[.!?;,:()\n]|\b(?:maar|but|echter|however|alleen)\b")


Words = list[tuple[int, str]]


def words_of(lowered: str) -> Words:
    """Start offsets and word-character runs of a lower-cased text."""
    return [(m.start(), m.group()) for m in _TEXT_WORD_RE.finditer(lowered)]


@dataclass(frozen=True, slots=True)
class CueSpec:
    """One cue: the label it signals, its pattern and how strongly it signals it (0..1)."""

    label: str
    pattern: str
    weight: float = 0.8
    negatable: bool = True


def compile_cue(pattern: str) -> str:
    """Translate the cue syntax above into a regular expression."""
    if pattern.startswith("re:"):
        return pattern[3:].strip()
    parts: list[str] = []
    for i, word in enumerate(pattern.lower().split()):
        if word == "...":
            parts.append(_GAP)
            continue
        if i and parts and parts[-1] != _GAP:
            parts.append(_SEP)
        star = word.endswith("*")
        core = re.escape(word.rstrip("*"))
        parts.append(core + (r"\w*" if star else ""))
    body = "".join(parts)
    first, last = pattern.strip()[0], pattern.strip().rstrip("*")[-1]
    prefix = r"\b" if (first.isalnum() or first == "_") else ""
    suffix = r"\b" if (last.isalnum() or last == "_") and not pattern.endswith("*") else ""
    return prefix + body + suffix


@dataclass(frozen=True)
class _Negation:
    negators: frozenset[str]
    exceptions: tuple[str, ...]
    cancel_after: re.Pattern[str] | None


@dataclass(frozen=True)
class _Index:
    """Cues of one language, indexed by their first word so that most texts touch few cues."""

    specs: tuple[CueSpec, ...]
    regexes: tuple[re.Pattern[str], ...]
    exact: Mapping[str, tuple[int, ...]]
    prefixes: Mapping[str, tuple[tuple[str, int], ...]]
    always: re.Pattern[str] | None
    always_ids: tuple[int, ...]
    always_first_chars: re.Pattern[str] | None
    candidates: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)

    def cues_for(self, token: str) -> tuple[int, ...]:
        """Ids of the cues that can start at a word (cached: words repeat a lot)."""
        found = self.candidates.get(token)
        if found is None:
            ids = list(self.exact.get(token, ()))
            ids.extend(
                i for prefix, i in self.prefixes.get(token[:2], ()) if token.startswith(prefix)
            )
            found = tuple(ids)
            if len(self.candidates) < _CACHE_LIMIT:
                self.candidates[token] = found
        return found


def _anchor(pattern: str) -> tuple[str, bool] | None:
    """First word characters of a cue and whether they are a prefix (``wacht*``)."""
    if pattern.startswith("re:"):
        return None
    found = _ANCHOR_RE.match(pattern.lower())
    if found is None:
        return None
    return found.group(1), pattern[found.end() : found.end() + 1] == "*"


def _index(specs: Iterable[CueSpec]) -> _Index:
    ordered = tuple(specs)
    exact: dict[str, list[int]] = {}
    prefixes: dict[str, list[tuple[str, int]]] = {}
    always: list[int] = []
    for i, spec in enumerate(ordered):
        anchor = _anchor(spec.pattern)
        if anchor is None:
            always.append(i)
        elif anchor[1]:
            prefixes.setdefault(anchor[0][:2], []).append((anchor[0], i))
        else:
            exact.setdefault(anchor[0], []).append(i)
    combined = first_chars = None
    literal = [ordered[i].pattern for i in always if not ordered[i].pattern.startswith("re:")]
    if always and len(literal) == len(always):
        # Literal symbol cues (emoji, "!!!"): a one-character-class scan rules most texts out.
        first_chars = re.compile("[" + "".join(sorted({re.escape(p[0]) for p in literal})) + "]")
    if always:
        combined = re.compile(
            "|".join(f"(?P<c{i}>{compile_cue(ordered[i].pattern)})" for i in always)
        )
    return _Index(
        specs=ordered,
        regexes=tuple(re.compile(compile_cue(spec.pattern)) for spec in ordered),
        exact={k: tuple(v) for k, v in exact.items()},
        prefixes={k: tuple(v) for k, v in prefixes.items()},
        always=combined,
        always_ids=tuple(always),
        always_first_chars=first_chars,
    )


@dataclass(frozen=True)
class CueMatcher:
    """Finds labelled cues in texts of one or more languages."""

    indexes: Mapping[str, _Index]
    negation: Mapping[str, _Negation]

    @classmethod
    def build(cls, cues_by_language: Mapping[str, Iterable[CueSpec]]) -> CueMatcher:
        """Index the cues of each language by first word; compile each cue once."""
        indexes: dict[str, _Index] = {}
        negation: dict[str, _Negation] = {}
        shared = load_yaml("negation.yaml")
        for language, specs in cues_by_language.items():
            indexes[language] = _index(specs)
            lang = shared.get(language, {})
            cancel = [compile_cue(c) for c in lang.get("cancel_after", [])]
            negation[language] = _Negation(
                negators=frozenset(lang.get("negators", [])),
                exceptions=tuple(lang.get("exceptions", [])),
                cancel_after=re.compile(r"\W*(?:" + "|".join(cancel) + ")") if cancel else None,
            )
        return cls(indexes, negation)

    def find(
        self, lowered: str, languages: Iterable[str], words: Words | None = None
    ) -> dict[str, float]:
        """Labels found in lower-cased text, with a confidence per label (noisy-or of weights).

        ``words`` (from :func:`words_of`) saves re-splitting when several matchers read a text.
        """
        if words is None:
            words = words_of(lowered)
        scores: dict[str, float] = {}
        for language in languages:
            index = self.indexes.get(language)
            if index is None:
                continue
            neg = self.negation[language]
            matches = sorted(self._matches(lowered, words, index), key=lambda m: (m[0], -m[1]))
            covered: dict[str, int] = {}  # per label: end of the last accepted match
            for start, end, cue_id in matches:
                spec = index.specs[cue_id]
                if start < covered.get(spec.label, -1):
                    continue  # inside a longer match of the same label: "waiting" in "waiting time"
                covered[spec.label] = end
                if spec.negatable and self._cancelled(lowered, start, end, lowered[start:end], neg):
                    continue
                scores[spec.label] = 1 - (1 - scores.get(spec.label, 0.0)) * (1 - spec.weight)
        return scores

    @staticmethod
    def _matches(lowered: str, words: Words, index: _Index) -> Iterator[tuple[int, int, int]]:
        regexes, cues_for = index.regexes, index.cues_for
        for position, token in words:
            for cue_id in cues_for(token):
                found = regexes[cue_id].match(lowered, position)
                if found is not None:
                    yield found.start(), found.end(), cue_id
        first_chars = index.always_first_chars
        if index.always is not None and (first_chars is None or first_chars.search(lowered)):
            for found in index.always.finditer(lowered):
                if found.lastgroup is not None:
                    yield found.start(), found.end(), int(found.lastgroup[1:])

    @staticmethod
    def _cancelled(text: str, start: int, end: int, cue: str, neg: _Negation) -> bool:
        if any(w in neg.negators for w in _WORD_RE.findall(cue)):
            return False
        before = text[max(0, start - 60) : start]
        ends = [m.end() for m in _CLAUSE_END.finditer(before)]
        if ends:
            before = before[ends[-1] :]
        window = before.split()[-3:]
        if any(w.strip("'") in neg.negators for w in window):
            phrase = " ".join(window)
            if not any(exc in phrase for exc in neg.exceptions):
                return True
        if neg.cancel_after is not None:
            after = text[end : end + 60]
            if neg.cancel_after.match(after):
                return True
        return False
