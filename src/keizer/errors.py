"""keizer's exception tree.

Every error a user can cause derives from :class:`KeizerError`. Its message says what went
wrong and what to do next; the CLI prints it on one line without a traceback and exits
with :attr:`KeizerError.exit_code`.
"""

from __future__ import annotations


class KeizerError(Exception):
    """Base class of every error keizer raises on purpose."""

    exit_code: int = 1


class ConfigError(KeizerError):
    """A setting is missing, malformed or unsafe (for example the default secret in production)."""

    exit_code = 2


class StoreError(KeizerError):
    """The store cannot be opened or used."""

    exit_code = 2


class StoreURLError(StoreError):
    """The database URL is not one keizer understands."""


class StoreUnavailableError(StoreError):
    """The database server cannot be reached or refused the connection."""


class StoreBusyError(StoreError):
    """Another process holds the DuckDB file; DuckDB allows one process per file."""


class SchemaOutOfDateError(StoreError):
    """The store's schema is older or newer than this version of keizer expects."""


class ValidationError(KeizerError):
    """Input data does not satisfy keizer's rules (types, ranges, required fields)."""


class UnknownReferenceError(ValidationError):
    """Rows refer to teams, employees, surveys or other records that do not exist."""

    def __init__(self, what: str, missing: list[str], total: int) -> None:
        shown = ", ".join(missing[:10])
        more = f" and {total - len(missing[:10])} more" if total > 10 else ""
        super().__init__(f"unknown {what}: {shown}{more}; load them first or fix the references")
        self.what = what
        self.missing = missing
        self.total = total


class NotFoundError(KeizerError):
    """A record that was asked for by key does not exist."""


class AnonymityError(KeizerError):
    """An employee-experience figure was asked for a group below the anonymity threshold."""


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
]
