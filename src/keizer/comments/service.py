"""Services of the comments feature: analyse stored open answers, and keep trained models.

Enrichment is incremental: only answers without an analysis, whose text changed since, or that
were analysed by another analyser are processed. Each chunk is its own transaction, so an
interrupted run keeps what it finished and the next run goes on from there.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from keizer.comments.models import CommentAnalysis, TextModel
from keizer.store.base import table_of, utcnow
from keizer.store.bulk import upsert
from keizer.store.engine import Store
from keizer.text import SentimentModel, analyse, load_model, train

LEXICON = "lexicon"
VULNERABILITY_COLUMNS = {
    "health": "vulnerable_health",
    "life_events": "vulnerable_life_event",
    "resilience": "vulnerable_resilience",
    "capability": "vulnerable_capability",
}
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class EnrichResult:
    """How many comments were analysed now, and how many were already up to date."""

    analysed: int
    up_to_date: int
    analyser: str


def pending_count(*, session: Session, analyser: str) -> int:
    """Open answers that still need (re-)analysis."""
    return int(session.execute(text(f"SELECT count(*) FROM ({_PENDING}) p"), {"a": analyser})
               .scalar_one())  # fmt: skip


_PENDING = """
    SELECT a.response_id, a.question_id, a.value_text
    FROM answer a
    LEFT JOIN comment_analysis c
      ON c.response_id = a.response_id AND c.question_id = a.question_id
    WHERE a.value_text IS NOT NULL AND trim(a.value_text) <> ''
      AND (c.response_id IS NULL OR c.text_md5 <> md5(a.value_text) OR c.analyser <> :a)
"""


def enrich(
    *, store: Store, chunk_size: int = 5_000, use_model: bool = True,
    progress: Progress | None = None,
) -> EnrichResult:  # fmt: skip
    """Analyse every stored open answer that is new or changed since the last run."""
    with store.unit_of_work() as session:
        model, analyser = _current_model(session) if use_model else (None, LEXICON)
        total = pending_count(session=session, analyser=analyser)
        answered = int(session.execute(text(
            "SELECT count(*) FROM answer WHERE value_text IS NOT NULL AND trim(value_text) <> ''"
        )).scalar_one())  # fmt: skip
    done = 0
    while done < total:
        with store.unit_of_work() as session:
            rows = session.execute(
                text(f"{_PENDING} ORDER BY a.response_id, a.question_id LIMIT :n"),
                {"a": analyser, "n": chunk_size},
            ).all()
            if not rows:
                break
            _store_analysis(session, rows, model, analyser)
            _flag_vulnerable_customers(session, [r[0] for r in rows])
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return EnrichResult(analysed=done, up_to_date=answered - done, analyser=analyser)


def _store_analysis(
    session: Session, rows: Sequence[tuple[int, int, str]], model: SentimentModel | None,
    analyser: str,
) -> None:  # fmt: skip
    texts = [r[2] for r in rows]
    found = analyse(texts, model=model)
    joined = {
        column: pa.array([",".join(v) if len(v) else None for v in found[column]], pa.string())
        for column in ("emotions", "themes", "vulnerability")
    }
    table = pa.table(
        {
            "response_id": pa.array([r[0] for r in rows], pa.int64()),
            "question_id": pa.array([r[1] for r in rows], pa.int64()),
            "text_md5": pa.array([_md5(t) for t in texts], pa.string()),
            "analyser": pa.array([analyser] * len(rows), pa.string()),
            "language": pa.array(found["language"].astype(str).tolist(), pa.string()),
            "sentiment": pa.array(found["sentiment"].astype(str).tolist(), pa.string()),
            "sentiment_score": pa.array(np.asarray(found["sentiment_score"], float)),
            **joined,
            "vulnerability_confidence": pa.array(
                np.asarray(found["vulnerability_confidence"], float)
            ),
            "redacted_text": pa.array(found["redacted_text"].astype(str).tolist(), pa.string()),
            "analysed_at": pa.array([utcnow()] * len(rows), pa.timestamp("us", tz="UTC")),
        }
    )
    upsert(
        session.connection(), target=table_of(CommentAnalysis), rows=table,
        conflict=["response_id", "question_id"],
    )  # fmt: skip


def _md5(value: str) -> str:
    return hashlib.md5(value.encode("utf-8"), usedforsecurity=False).hexdigest()


def _flag_vulnerable_customers(session: Session, response_ids: Sequence[int]) -> None:
    """Mark the customers whose comments signal vulnerability (source 'text'); a customer known
    only as a respondent is created. Flags are never removed here: an operator decides that."""
    ids = sorted(set(response_ids))
    for driver, column in VULNERABILITY_COLUMNS.items():
        session.execute(
            text(
                f"INSERT INTO customer (pseudonym, {column}, vulnerability_source) "
                f"SELECT DISTINCT r.respondent_pseudonym, TRUE, 'text' FROM comment_analysis c "
                f"JOIN response r ON r.id = c.response_id JOIN survey s ON s.id = r.survey_id "
                f"WHERE s.audience = 'customer' AND r.respondent_pseudonym IS NOT NULL "
                f"AND c.vulnerability LIKE :driver AND c.response_id BETWEEN :low AND :high "
                f"ON CONFLICT (pseudonym) DO UPDATE SET {column} = TRUE, vulnerability_source = "
                f"coalesce(customer.vulnerability_source, 'text')"
            ),
            {"driver": f"%{driver}%", "low": ids[0], "high": ids[-1]},
        )


def _current_model(session: Session) -> tuple[SentimentModel | None, str]:
    stored = session.scalars(select(TextModel).order_by(TextModel.id.desc()).limit(1)).first()
    if stored is None:
        return None, LEXICON
    return _load(stored.content), f"model:{stored.id}"


def _load(content: bytes) -> SentimentModel:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(content)
        return load_model(path)


@dataclass(frozen=True)
class TrainResult:
    model_id: int
    rows: int
    cv_macro_f1: float | None


def train_model(
    *, session: Session, texts: Sequence[str], labels: Sequence[str], name: str
) -> TrainResult:
    """Fit a sentiment model on labelled comments, score it by 5-fold cross-validation, and
    store it; the next enrichment uses it (and re-analyses every comment)."""
    cv = _cross_validated_f1(texts, labels)
    model = train(texts, labels)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        content = path.read_bytes()
    row = TextModel(
        name=name, content=content, training_rows=len(texts), cv_macro_f1=cv,
        created_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return TrainResult(row.id, len(texts), cv)


def _cross_validated_f1(texts: Sequence[str], labels: Sequence[str]) -> float | None:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    _, per_class = np.unique(y, return_counts=True)
    if len(per_class) < 2 or per_class.min() < 5:
        return None
    predicted = np.empty(len(y), dtype=object)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    x = np.asarray(texts, dtype=object)
    for fit, hold in folds.split(x, y):
        fold_model = train(list(x[fit]), list(y[fit]))
        predicted[hold] = fold_model.predict(list(x[hold]))
    return float(f1_score(y, predicted.astype(str), average="macro"))


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """``text,label`` rows of a CSV file (other columns are ignored)."""
    import csv

    from keizer.errors import ValidationError

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
            raise ValidationError(f"{path.name}: expected the columns text and label")
        texts, labels = [], []
        for number, row in enumerate(reader, start=2):
            if not (row["text"] or "").strip() or not (row["label"] or "").strip():
                raise ValidationError(f"{path.name}, row {number}: text and label are required")
            texts.append(row["text"])
            labels.append(row["label"].strip().lower())
    if len(texts) < 20:
        raise ValidationError(f"{path.name}: at least 20 labelled comments are needed")
    return texts, labels
