"""keizer: customer and employee experience measured together.

The public Python API::

    import keizer
    with keizer.open("keizer.duckdb") as ws:
        ws.table("responses").to_pandas()
"""

from keizer._version import __version__
from keizer.errors import (
    AnonymityError,
    ConfigError,
    KeizerError,
    NotFoundError,
    SchemaOutOfDateError,
    StoreBusyError,
    StoreError,
    StoreUnavailableError,
    StoreURLError,
    UnknownReferenceError,
    ValidationError,
)
from keizer.workspace import Workspace
from keizer.workspace import open_workspace as open

__all__ = [
    "AnonymityError",
    "ConfigError",
    "KeizerError",
    "NotFoundError",
    "SchemaOutOfDateError",
    "StoreBusyError",
    "StoreError",
    "StoreURLError",
    "StoreUnavailableError",
    "UnknownReferenceError",
    "ValidationError",
    "Workspace",
    "__version__",
    "open",
]
