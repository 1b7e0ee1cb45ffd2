"""Survey responses in columns: the response rows, their answers and the comments' truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from keizer.demo.comments import Comments


@dataclass(frozen=True)
class Answers:
    """Long format: one entry per answer; ``response`` indexes the batch's responses."""

    response: np.ndarray
    code: np.ndarray  # question code
    value_num: np.ndarray  # NaN for a text answer
    value_text: np.ndarray  # None for a number

    def __len__(self) -> int:
        return len(self.response)


@dataclass(frozen=True)
class Truth:
    """The true labels of the open answers (one entry per comment)."""

    response: np.ndarray
    code: np.ndarray
    language: np.ndarray
    comments: Comments

    def __len__(self) -> int:
        return len(self.response)


@dataclass(frozen=True)
class Responses:
    """A batch of responses to one survey. ``respondent`` holds customer numbers (CX) or
    person indexes (EX); they are pseudonymised when loaded."""

    survey_key: str
    key: pa.Array  # text
    submitted_us: np.ndarray
    respondent: np.ndarray
    language: np.ndarray
    answers: Answers
    truth: Truth
    role: np.ndarray | None = None
    team_key: np.ndarray | None = None
    interaction_key: pa.Array | None = None
    channel: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.key)


def scale_answers(latent: np.ndarray, low: float, high: float) -> np.ndarray:
    """Latent values rounded onto a ``low..high`` answer scale."""
    return np.clip(np.round(latent), low, high)


def collect(
    numeric: dict[str, tuple[np.ndarray, np.ndarray]],
    text: dict[str, tuple[np.ndarray, Comments]],
    language: np.ndarray,
) -> tuple[Answers, Truth]:
    """Answers and truth from ``{code: (response indexes, values)}`` and
    ``{code: (response indexes, comments)}``."""
    parts = [
        (idx, np.full(idx.size, code, dtype=object), values.astype(float),
         np.full(idx.size, None, dtype=object))
        for code, (idx, values) in numeric.items()
    ] + [
        (idx, np.full(idx.size, code, dtype=object), np.full(idx.size, np.nan), comments.text)
        for code, (idx, comments) in text.items()
    ]  # fmt: skip
    answers = Answers(*(np.concatenate([p[i] for p in parts]) for i in range(4)))
    idx = np.concatenate([i for i, _ in text.values()]).astype(np.int64)
    codes = np.concatenate([np.full(i.size, c, dtype=object) for c, (i, _) in text.items()])
    merged = Comments(
        *(
            np.concatenate([getattr(c, f) for _, c in text.values()])
            for f in Comments.__dataclass_fields__
        )
    )
    return answers, Truth(idx, codes, language[idx], merged)
