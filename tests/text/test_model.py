"""The trainable sentiment model: fit, predict, save and load without pickle."""

from pathlib import Path

import numpy as np
import pytest

from keizer.text import analyse, load_model, train

POSITIVE = ["great help, thanks", "top service, bedankt", "snel opgelost", "very friendly agent"]
NEGATIVE = ["waited for hours", "nobody called back", "lang in de wacht", "onvriendelijk en traag"]
NEUTRAL = ["I want to change my address", "adres wijzigen", "what are your hours", "mijn factuur"]


def _data() -> tuple[list[str], list[str]]:
    texts = (POSITIVE + NEGATIVE + NEUTRAL) * 3
    labels = (["positive"] * 4 + ["negative"] * 4 + ["neutral"] * 4) * 3
    return texts, labels


def test_train_predict_save_load(tmp_path: Path) -> None:
    texts, labels = _data()
    model = train(texts, labels)
    assert model.classes == ("negative", "neutral", "positive")
    assert model.predict(["great help, thanks", "waited for hours"]) == ["positive", "negative"]
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    path = model.save(tmp_path / "model.npz")
    loaded = load_model(path)
    assert loaded.classes == model.classes
    assert np.allclose(loaded.predict_proba(texts), proba, atol=1e-4)


def test_binary_labels() -> None:
    model = train(POSITIVE * 3 + NEGATIVE * 3, ["yes"] * 12 + ["no"] * 12)
    assert model.predict(["top service, bedankt"]) == ["yes"]
    assert model.predict_proba(["x"]).shape == (1, 2)


def test_model_replaces_the_lexicon_label() -> None:
    texts, labels = _data()
    frame = analyse(["great help, thanks", "waited for hours"], model=train(texts, labels))
    assert list(frame["sentiment"]) == ["positive", "negative"]
    assert frame["sentiment_score"].iloc[0] > 0 > frame["sentiment_score"].iloc[1]


def test_bad_training_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        train(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="two different labels"):
        train(["a", "b"], ["x", "x"])
