"""The public Python API is small and pinned."""

from __future__ import annotations

import pytest

import keizer
from keizer.config import Settings
from keizer.errors import KeizerError

PUBLIC = {
    "AnonymityError", "ConfigError", "KeizerError", "NotFoundError", "SchemaOutOfDateError",
    "StoreBusyError", "StoreError", "StoreURLError", "StoreUnavailableError",
    "UnknownReferenceError", "ValidationError", "Workspace", "__version__", "open",
}  # fmt: skip


def test_public_names_are_pinned() -> None:
    assert set(keizer.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(keizer, name), name


def test_every_error_derives_from_keizer_error() -> None:
    errors = [getattr(keizer, n) for n in PUBLIC if n.endswith("Error")]
    assert all(issubclass(e, KeizerError) for e in errors)
    assert issubclass(keizer.StoreBusyError, keizer.StoreError)
    assert issubclass(keizer.UnknownReferenceError, keizer.ValidationError)


def test_open_uses_the_configured_url_and_reads_with_ibis(workspace: keizer.Workspace) -> None:
    assert workspace.engine in ("duckdb", "postgresql")
    frame = workspace.table("responses").to_pandas()
    assert len(frame) == 0
    assert "respondent_pseudonym" in frame.columns


def test_open_without_url_uses_keizer_database_url() -> None:
    settings = Settings(database_url="default.duckdb", secret_key="s" * 40)
    with keizer.open(settings=settings) as ws:
        assert ws.store.url.display() == "default.duckdb"
        assert ws.info().up_to_date


def test_unknown_table_names_are_refused(workspace: keizer.Workspace) -> None:
    with pytest.raises(keizer.NotFoundError, match="responses"):
        workspace.table("nope")  # type: ignore[arg-type]
