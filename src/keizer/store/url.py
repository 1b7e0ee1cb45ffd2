"""Database URLs: what keizer accepts and how it tells the engines apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from keizer.errors import StoreURLError

EngineKind = Literal["duckdb", "postgresql"]

_EXAMPLES = (
    "use a DuckDB file (keizer.duckdb or duckdb:///path/keizer.duckdb) "
    "or postgresql+psycopg://user@host:5432/dbname"
)


@dataclass(frozen=True)
class StoreURL:
    """A parsed store location: the engine and its SQLAlchemy URL."""

    kind: EngineKind
    url: URL

    @property
    def path(self) -> Path | None:
        """The DuckDB file, or ``None`` for a server database."""
        if self.kind != "duckdb" or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def display(self) -> str:
        """The URL with any password hidden, for messages and ``db info``."""
        if self.kind == "duckdb":
            return str(self.path) if self.path else ":memory:"
        return self.url.render_as_string(hide_password=True)


def parse_store_url(raw: str) -> StoreURL:
    """Parse a URL or a bare DuckDB file path into a :class:`StoreURL`."""
    text = raw.strip()
    if "://" not in text:
        if not text:
            raise StoreURLError(f"empty database URL; {_EXAMPLES}")
        if text.endswith((".duckdb", ".db")) or text == ":memory:":
            text = f"duckdb:///{text}"
        else:
            raise StoreURLError(f"{raw!r} is not a database URL; {_EXAMPLES}")
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreURLError(f"{raw!r} is not a valid database URL; {_EXAMPLES}") from None
    backend = url.get_backend_name()
    if backend == "duckdb":
        return StoreURL("duckdb", url)
    if backend in ("postgresql", "postgres"):
        if url.drivername not in ("postgresql", "postgresql+psycopg", "postgres"):
            raise StoreURLError(
                f"driver {url.drivername!r} is not supported; use postgresql+psycopg://"
            )
        url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise StoreURLError(f"{raw!r} names no database; {_EXAMPLES}")
        return StoreURL("postgresql", url)
    raise StoreURLError(f"engine {backend!r} is not supported; {_EXAMPLES}")
