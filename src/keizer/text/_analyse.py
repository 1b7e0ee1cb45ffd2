"""``analyse()``: every text analysis in one pass, one row per text."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd

from keizer.text._cues import words_of
from keizer.text._emotion import EMOTIONS, detect_emotions
from keizer.text._language import detect_language_of_tokens
from keizer.text._lexicon import rules_for
from keizer.text._model import SentimentModel
from keizer.text._redact import PLACEHOLDERS, redact
from keizer.text._sentiment import Sentiment, score_tokens
from keizer.text._themes import Taxonomy, default_taxonomy
from keizer.text._tokenize import tokenize
from keizer.text._vulnerability import detect_vulnerability

COLUMNS = (
    "language",
    "sentiment",
    "sentiment_score",
    "emotions",
    *(f"emotion_{e}" for e in EMOTIONS),
    "themes",
    "vulnerability",
    "vulnerability_confidence",
    "vulnerability_tips",
    "redacted_text",
    "pii",
)
#: Inputs smaller than this are analysed in-process even when workers > 1 (starting a worker
#: costs about a second: imports, lexicons, lingua models).
MIN_PARALLEL = 50_000
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_LANGUAGE_CODES = ("nl", "en", "other")


def _sentiment(tokens: list[str], caps: list[bool], language: str) -> Sentiment:
    if language in ("nl", "en"):
        return score_tokens(tokens, caps, rules_for(language))
    # Other languages: only emoji and emoticons are understood.
    rules = rules_for("en")
    keep = [i for i, t in enumerate(tokens) if not t[0].isalnum() or t in ("xd", ":d")]
    return score_tokens([tokens[i] for i in keep], [caps[i] for i in keep], rules)


def _row(text: str, language: str | None, taxonomy: Taxonomy) -> tuple[Any, ...]:
    redaction = redact(text)
    plain = _PLACEHOLDER_RE.sub(" ", redaction.text) if redaction.found else text
    tokens, caps = tokenize(plain)
    lang = language or detect_language_of_tokens(plain, tokens)
    sentiment = _sentiment(tokens, caps, lang)
    lowered = plain.lower()
    cue_languages = (lang,) if lang in ("nl", "en") else ("nl", "en")
    words = words_of(lowered)
    emotions = detect_emotions(lowered, cue_languages, words)
    if sentiment.label == "negative":
        emotions.pop("joy", None)
    themes = taxonomy.detect(lowered, cue_languages, words)
    vulnerable = detect_vulnerability(lowered, cue_languages, lang, words)
    return (
        lang,
        sentiment.label,
        sentiment.score,
        sorted(emotions, key=lambda e: -emotions[e]),
        *(emotions.get(e, 0.0) for e in EMOTIONS),
        list(themes),
        list(vulnerable.drivers),
        vulnerable.max_confidence,
        list(vulnerable.tips),
        redaction.text,
        list(redaction.found),
    )


def _rows(texts: Sequence[str], language: str | None, taxonomy: Taxonomy) -> list[tuple[Any, ...]]:
    return [_row(text, language, taxonomy) for text in texts]


def _clean(texts: Iterable[object]) -> list[str]:
    return [t if isinstance(t, str) else "" for t in texts]


def analyse(
    texts: Iterable[str],
    *,
    language: str | None = None,
    taxonomy: Taxonomy | None = None,
    model: SentimentModel | None = None,
    workers: int = 1,
    chunk_size: int = 2_000,
) -> pd.DataFrame:
    """Analyse comments: language, sentiment, emotions, themes, vulnerability and redaction.

    ``language`` ("nl" or "en") skips detection; ``taxonomy`` replaces the default themes (see
    :func:`load_taxonomy`); ``model`` (see :func:`train`) replaces the lexicon sentiment label;
    ``workers`` > 1 spreads large inputs over a process pool. Missing texts count as empty.
    Analysis runs on the redacted text; texts in another language get emoji-only sentiment and
    both languages' cues; "joy" is dropped from texts whose sentiment is negative.
    Returns one row per text, in input order (a pandas Series keeps its index).
    """
    if language is not None and language not in _LANGUAGE_CODES:
        raise ValueError(f"language must be one of {_LANGUAGE_CODES} or None, not {language!r}")
    index = texts.index if isinstance(texts, pd.Series) else None
    items = _clean(texts)
    themes = taxonomy or default_taxonomy()
    if workers > 1 and len(items) >= MIN_PARALLEL:
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = pool.map(_rows, chunks, [language] * len(chunks), [themes] * len(chunks))
            rows = [row for part in parts for row in part]
    else:
        rows = _rows(items, language, themes)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), index=index)
    if model is not None and items:
        proba = model.predict_proba(items)
        classes = list(model.classes)
        frame["sentiment"] = [model.classes[i] for i in proba.argmax(axis=1)]
        if "positive" in classes and "negative" in classes:
            score = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
            frame["sentiment_score"] = score.round(4)
    return frame
