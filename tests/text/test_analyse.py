"""analyse(): one row per text with every analysis, in input order."""

import pandas as pd
import pytest

import keizer.text
from keizer.text import COLUMNS, EMOTIONS, analyse
from keizer.text import _analyse as analyse_module

TEXTS = [
    "Beste Jan, ik heb drie keer gebeld en werd steeds doorverbonden. Bel me op 06-12345678!",
    "Super geholpen, bedankt!",
    "My husband passed away and I can't afford the bill.",
    "Ich habe sehr lange gewartet und niemand hat geholfen.",
    "",
]


def test_public_api_is_pinned() -> None:
    assert sorted(keizer.text.__all__) == sorted(
        [
            "COLUMNS", "DRIVERS", "EMOTIONS", "Redaction", "Sentiment", "SentimentModel",
            "Taxonomy", "Theme", "Vulnerability", "analyse", "bsn_is_valid", "default_taxonomy",
            "detect_emotions", "detect_language", "detect_vulnerability", "iban_is_valid",
            "load_model", "load_taxonomy", "redact", "sentiment", "tip", "train",
        ]
    )  # fmt: skip


def test_one_row_per_text_with_all_columns() -> None:
    frame = analyse(TEXTS)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(TEXTS)
    assert list(frame["language"]) == ["nl", "nl", "en", "other", "other"]
    first = frame.iloc[0]
    assert first["sentiment"] == "negative"
    assert {"cx.repeat_contact", "cx.transfer"} <= set(first["themes"])
    assert first["redacted_text"].startswith("Beste [NAME], ")
    assert "06-12345678" not in first["redacted_text"]
    assert first["pii"] == ["name", "phone"]
    assert frame.iloc[1]["sentiment"] == "positive"
    assert "gratitude" in frame.iloc[1]["emotions"]
    third = frame.iloc[2]
    assert set(third["vulnerability"]) == {"life_events", "resilience"}
    assert third["vulnerability_confidence"] > 0.5
    assert len(third["vulnerability_tips"]) == 2
    assert frame.iloc[4]["sentiment"] == "neutral"
    for emotion in EMOTIONS:
        assert frame[f"emotion_{emotion}"].between(0, 1).all()
    assert frame["sentiment_score"].between(-1, 1).all()


def test_series_index_is_kept_and_missing_values_count_as_empty() -> None:
    series = pd.Series(["Top service!", None, "Slecht"], index=[10, 20, 30])
    frame = analyse(series)
    assert list(frame.index) == [10, 20, 30]
    assert frame.loc[20, "language"] == "other"


def test_language_can_be_given() -> None:
    frame = analyse(["Top!", "ok"], language="en")
    assert list(frame["language"]) == ["en", "en"]
    with pytest.raises(ValueError, match="language must be one of"):
        analyse(["x"], language="de")


def test_other_languages_use_emoji_only() -> None:
    frame = analyse(["Das war schrecklich 😡😡", "Muy bien 👍"])
    assert list(frame["sentiment"]) == ["negative", "positive"]


def test_process_pool_gives_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyse_module, "MIN_PARALLEL", 4)
    texts = TEXTS * 4
    parallel = analyse(texts, workers=2, chunk_size=5)
    pd.testing.assert_frame_equal(parallel, analyse(texts))
