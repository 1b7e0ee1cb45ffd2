"""The messages keizer's web app shows, extracted from its templates and code with Babel."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import keizer.web

WEB = Path(keizer.web.__file__).parent
KEYWORDS = {"_": None, "gettext": None, "N_": None}
METHODS = [
    ("api/**.py", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
]


def used_messages() -> set[str]:
    """Every literal message passed to ``_``, ``gettext`` or ``N_`` in keizer.web."""
    found = extract_from_dir(
        str(WEB), method_map=METHODS, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "", "trim_blocks": "true"}},
    )  # fmt: skip
    return {message for _file, _line, message, _comments, _context in found if message}
