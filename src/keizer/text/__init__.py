"""Text analytics for Dutch and English service comments (pure functions, no I/O).

``analyse(texts)`` returns one row per comment with language, sentiment, emotions, friction
themes, vulnerability signals and the comment with personal data redacted. The building blocks
are public too, for callers that need only one of them.
"""

from keizer.text._analyse import COLUMNS, analyse
from keizer.text._emotion import EMOTIONS, detect_emotions
from keizer.text._language import detect_language
from keizer.text._model import SentimentModel, load_model, train
from keizer.text._redact import Redaction, bsn_is_valid, iban_is_valid, redact
from keizer.text._sentiment import Sentiment, sentiment
from keizer.text._themes import Taxonomy, Theme, default_taxonomy, load_taxonomy
from keizer.text._vulnerability import DRIVERS, Vulnerability, detect_vulnerability, tip

__all__ = [
    "COLUMNS",
    "DRIVERS",
    "EMOTIONS",
    "Redaction",
    "Sentiment",
    "SentimentModel",
    "Taxonomy",
    "Theme",
    "Vulnerability",
    "analyse",
    "bsn_is_valid",
    "default_taxonomy",
    "detect_emotions",
    "detect_language",
    "detect_vulnerability",
    "iban_is_valid",
    "load_model",
    "load_taxonomy",
    "redact",
    "sentiment",
    "tip",
    "train",
]
