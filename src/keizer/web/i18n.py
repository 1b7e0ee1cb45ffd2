"""Dutch and English: Babel catalogues, the request's language, and number/date formats.

English strings are the message ids; ``locale/nl/LC_MESSAGES/messages.po`` holds the Dutch
texts and its compiled ``messages.mo`` ships in the package (``tests/web/test_i18n.py``
checks that the ``.mo`` is compiled from the current ``.po`` and covers every message used).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DEFAULT_LANGUAGE: Language = "nl"
LANGUAGE_COOKIE = "keizer_lang"
_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it (translated when shown)."""
    return message


def locale_dir() -> str:
    """The folder holding ``<lang>/LC_MESSAGES/messages.mo``."""
    return str(files("keizer.web") / "locale")


@cache
def translations(language: Language) -> NullTranslations:
    """The catalogue of ``language`` (English is the message ids themselves)."""
    if language == "en":
        return NullTranslations()
    return Translations.load(locale_dir(), [language], domain="messages")


def pick_language(cookie: str | None, accept_language: str | None) -> Language:
    """The cookie's language, else the browser's first supported one, else Dutch."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Formatter:
    """Texts, numbers and dates in one language (Dutch: decimal comma, day-month-year)."""

    language: Language

    @property
    def locale(self) -> str:
        return _LOCALES[self.language]

    def gettext(self, message: str, /, **values: object) -> str:
        text = translations(self.language).gettext(message)
        return text.format(**values) if values else text

    def number(self, value: float | None, decimals: int = 1) -> str:
        """``1.234,5`` in Dutch, ``1,234.5`` in English; an empty string for no value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(round(value, decimals) + 0.0, format=pattern, locale=self.locale)

    def integer(self, value: float | None) -> str:
        return self.number(value, 0)

    def date(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def plotly_separators(self) -> str:
        """Plotly's ``separators``: decimal mark then thousands mark."""
        return ",." if self.language == "nl" else ".,"

    def template_globals(self) -> dict[str, Callable[..., str] | str]:
        return {
            "_": self.gettext, "fmt": self.number, "fmt_int": self.integer,
            "fmt_date": self.date, "lang": self.language,
        }  # fmt: skip
