"""Dutch and English: the catalogue covers every message, the shipped .mo matches the .po,
and numbers and dates follow each language's conventions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from keizer.web.i18n import Formatter, locale_dir, pick_language, translations

from .catalogue import used_messages

CATALOGUE = Path(locale_dir()) / "nl" / "LC_MESSAGES"


def _po() -> dict[str, str]:
    with (CATALOGUE / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def test_every_message_has_a_dutch_text() -> None:
    texts = _po()
    used = used_messages()
    assert len(used) > 50
    missing = sorted(m for m in used if not texts.get(m))
    assert not missing, f"add these to messages.po: {missing}"
    unused = sorted(set(texts) - used)
    assert not unused, f"no longer used, remove from messages.po: {unused}"


def test_the_shipped_mo_is_compiled_from_the_po() -> None:
    with (CATALOGUE / "messages.mo").open("rb") as handle:
        compiled = {str(m.id): str(m.string) for m in read_mo(handle) if m.id}
    assert compiled == _po(), "run: pybabel compile -d src/keizer/web/locale -D messages"


def test_translations_load_from_the_package() -> None:
    assert translations("nl").gettext("Log in") == "Inloggen"
    assert translations("en").gettext("Log in") == "Log in"


@pytest.mark.parametrize(
    ("language", "value", "decimals", "shown"),
    [("nl", 1234.56, 1, "1.234,6"), ("en", 1234.56, 1, "1,234.6"), ("nl", -8.875, 2, "-8,88"),
     ("nl", 0.0, 0, "0"), ("en", float("nan"), 1, "")],
)  # fmt: skip
def test_numbers(language: str, value: float, decimals: int, shown: str) -> None:
    assert Formatter(language).number(value, decimals) == shown  # type: ignore[arg-type]


def test_dates() -> None:
    assert Formatter("nl").date(date(2026, 3, 5)) == "5 mrt 2026"
    assert Formatter("en").date(date(2026, 3, 5)) == "5 Mar 2026"


@pytest.mark.parametrize(
    ("cookie", "header", "language"),
    [("en", "nl-NL,nl;q=0.9", "en"), (None, "en-GB,en;q=0.8", "en"), (None, "de-DE", "nl"),
     ("fr", None, "nl"), (None, "fr, nl;q=0.5", "nl")],
)  # fmt: skip
def test_language_choice(cookie: str | None, header: str | None, language: str) -> None:
    assert pick_language(cookie, header) == language
