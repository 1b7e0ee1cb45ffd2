"""A trainable sentiment model for organisations with their own labelled comments.

Features: hashed character n-grams (2-5, within word boundaries) and word uni/bigrams, tf-idf
weighted, plus keizer's lexicon scores for Dutch and English; classifier: logistic regression.
Saved as a plain ``.npz`` of arrays (no pickle), so loading a model file never runs code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from keizer.text._lexicon import rules_for
from keizer.text._sentiment import score_tokens
from keizer.text._tokenize import tokenize

FORMAT_VERSION = 1
N_FEATURES = 2**18
FloatArray = npt.NDArray[np.float64]


def _lexicon_features(texts: Sequence[str]) -> sp.csr_matrix:
    rows = []
    nl, en = rules_for("nl"), rules_for("en")
    for text in texts:
        tokens, caps = tokenize(text)
        a, b = score_tokens(tokens, caps, nl), score_tokens(tokens, caps, en)
        rows.append(
            [a.score, a.positive / 4, a.negative / 4, b.score, b.positive / 4, b.negative / 4]
        )
    return sp.csr_matrix(np.asarray(rows, dtype=np.float64).reshape(len(texts), 6))


@cache
def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES, alternate_sign=False
    )
    words = HashingVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        n_features=N_FEATURES,
        alternate_sign=False,
        token_pattern=r"(?u)\b\w[\w']*\b",
    )
    return chars, words


def _counts(texts: Sequence[str]) -> sp.csr_matrix:
    chars, words = _vectorizers()
    matrix = sp.hstack(
        [
            chars.set_params(norm=None).transform(texts),
            words.set_params(norm=None).transform(texts),
        ],
        format="csr",
    )
    matrix.data = 1.0 + np.log(matrix.data)  # sublinear tf
    return cast(sp.csr_matrix, matrix)


def _features(texts: Sequence[str], idf: FloatArray) -> sp.csr_matrix:
    weighted = _counts(texts) @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    weighted = sp.diags(1.0 / norms) @ weighted
    return cast(sp.csr_matrix, sp.hstack([weighted, _lexicon_features(texts)], format="csr"))


@dataclass(frozen=True)
class SentimentModel:
    """A fitted model; ``predict`` returns one of ``classes`` per text."""

    classes: tuple[str, ...]
    coef: FloatArray
    intercept: FloatArray
    idf: FloatArray

    def predict_proba(self, texts: Iterable[str]) -> FloatArray:
        """Class probabilities, one row per text, columns in the order of ``classes``."""
        items = [t if isinstance(t, str) else "" for t in texts]
        if not items:
            return np.zeros((0, len(self.classes)))
        scores = np.asarray(_features(items, self.idf) @ self.coef.T) + self.intercept
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
        return result

    def predict(self, texts: Iterable[str]) -> list[str]:
        """The most probable class per text."""
        proba = self.predict_proba(texts)
        return [self.classes[i] for i in proba.argmax(axis=1)]

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` (an ``.npz`` file); returns the path written."""
        target = Path(path)
        with target.open("wb") as handle:
            np.savez_compressed(
                handle,
                version=np.array([FORMAT_VERSION]),
                classes=np.array(self.classes, dtype=np.str_),
                coef=self.coef.astype(np.float32),
                intercept=self.intercept,
                idf=self.idf.astype(np.float32),
            )
        return target


def train(texts: Sequence[str], labels: Sequence[str], *, c: float = 4.0) -> SentimentModel:
    """Fit a model on labelled comments (any label set with at least two labels)."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels must have the same length")
    if len(set(labels)) < 2:
        raise ValueError("need at least two different labels to train")
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    items = [t if isinstance(t, str) else "" for t in texts]
    idf = TfidfTransformer().fit(_counts(items)).idf_.astype(np.float64)
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    classifier.fit(_features(items, idf), list(labels))
    return SentimentModel(
        classes=tuple(str(x) for x in classifier.classes_),
        coef=np.asarray(classifier.coef_, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
        idf=idf,
    )


def load_model(path: str | Path) -> SentimentModel:
    """Read a model written by :meth:`SentimentModel.save`."""
    with np.load(Path(path), allow_pickle=False) as data:
        if int(data["version"][0]) != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported model format {int(data['version'][0])}")
        return SentimentModel(
            classes=tuple(str(x) for x in data["classes"]),
            coef=data["coef"].astype(np.float64),
            intercept=data["intercept"].astype(np.float64),
            idf=data["idf"].astype(np.float64),
        )
