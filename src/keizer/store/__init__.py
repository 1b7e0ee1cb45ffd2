"""The store: engines, units of work, migrations and bulk writes for DuckDB and PostgreSQL."""

from keizer.store.base import Base
from keizer.store.engine import Store, open_store

__all__ = ["Base", "Store", "open_store"]
