"""Tokenizer for short, informal service texts (words, emoji, emoticons, clause punctuation)."""

from __future__ import annotations

import re

_EMOTICON = (
    r"(?:[<>]?[:;=][\-o*'^]?[)\](\[dDpP/\\|@3*]+(?![\w/])"
    r"|<3+|\^_?\^|(?<!\w)[xX]D+\b|\([\-o]?[:;=])"
)
_URL = r"(?:https?://|www\.)\S+"
_MENTION = r"@\w+"
_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)*"
_NUMBER = r"\d+(?:[.,:]\d+)*"
_EMOJI = r"[\U0001F1E6-\U0001FAFF\u2600-\u27BF\u2B50\u2764\u2B06\u2B07\u2B05\u27A1]"
_PUNCT = r"[!?]+|\.\.+|…|[.,;:()\-–—/]"

TOKEN_RE = re.compile("|".join([_URL, _MENTION, _EMOTICON, _WORD, _NUMBER, _EMOJI, _PUNCT]))

#: Tokens that end a clause (negation and booster scope stop here).
BOUNDARIES = frozenset({".", ",", ";", ":", "!", "?", "...", "…", "(", ")", "-", "–", "—", "/"})


def tokenize(text: str) -> tuple[list[str], list[bool]]:
    """Split ``text`` into lower-case tokens and, per token, whether it was written in capitals.

    URLs and @mentions are dropped; runs of ``!``/``?`` become one token (``"!!!"``).
    """
    lowered: list[str] = []
    caps: list[bool] = []
    for raw in TOKEN_RE.findall(text):
        first = raw[0]
        if first == "@" or (first in "hHwW" and ("://" in raw or raw[:4].lower() == "www.")):
            continue
        lowered.append(raw.lower().replace("’", "'"))
        caps.append(len(raw) > 1 and raw.isupper())
    return lowered, caps


def is_boundary(token: str) -> bool:
    """True when ``token`` ends a clause."""
    return token in BOUNDARIES or token[0] in "!?"
