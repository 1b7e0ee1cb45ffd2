"""One generated demo organisation shared by the statistical tests (generated once)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

import keizer
from keizer.config import Settings
from keizer.demo import generate

SQL = Callable[[str], dict[str, np.ndarray]]
#: Large enough for the planted effects to stand out clearly, small enough for seconds.
SIZE = {"employees": 600, "months": 24, "scale": 0.25, "seed": 7}


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    settings = Settings(secret_key="demo-test-secret-0123456789-abcdefghij")
    with keizer.open(str(path), settings=settings) as ws:
        generate(ws, **SIZE)  # type: ignore[arg-type]
    return path


@pytest.fixture(scope="session")
def sql(demo_file: Path) -> Iterator[SQL]:
    """Run a query on the demo store; columns come back as NumPy arrays."""
    connection = duckdb.connect(str(demo_file), read_only=True)
    connection.execute("SET TimeZone = 'UTC'")

    def run(query: str) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in connection.execute(query).fetchnumpy().items()}

    yield run
    connection.close()
