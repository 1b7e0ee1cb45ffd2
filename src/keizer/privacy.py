"""Pseudonymisation of person identifiers.

Employee and customer ids from source systems are replaced by a keyed HMAC-SHA256 at the
door: the same id with the same secret always gives the same pseudonym, so files from
different systems join, while the raw id is never stored. Each kind of person has its own
namespace, so an employee and a customer that share a source id do not link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Literal

PersonKind = Literal["employee", "customer"]
PSEUDONYM_LENGTH = 32  # hex characters: 128 bits of the HMAC


class Pseudonymiser:
    """Turns raw person ids into stable pseudonyms with a secret key."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the pseudonymisation secret must not be empty")
        self._key = secret.encode("utf-8")

    def pseudonym(self, kind: PersonKind, source_id: str) -> str:
        """The pseudonym of one raw id; surrounding white space is ignored."""
        message = f"{kind}\x1f{source_id.strip()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]

    def pseudonyms(self, kind: PersonKind, source_ids: Iterable[str | None]) -> list[str | None]:
        """Pseudonyms of many raw ids (``None`` stays ``None``), hashing each distinct id once."""
        cache: dict[str, str] = {}
        out: list[str | None] = []
        for source_id in source_ids:
            if source_id is None:
                out.append(None)
                continue
            found = cache.get(source_id)
            if found is None:
                found = cache[source_id] = self.pseudonym(kind, source_id)
            out.append(found)
        return out
