"""The KPI engine gives identical values on PySpark (over Parquet exports) and DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.metrics.kpi import KpiRequest, kpi
from keizer.metrics.spark import TABLES, spark_backend, spark_tables
from keizer.metrics.survey_queries import StoreTables

# py4j leaves its gateway sockets to the garbage collector and PySpark 4.0 still passes
# pandas' deprecated copy keyword: warnings of third-party code, not of keizer's.
pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
REQUESTS = [
    KpiRequest(("nps", "csat", "ces"), by=("team", "month"),
               period=(date(2026, 1, 1), date(2026, 6, 30))),
    KpiRequest("enps", by=("department", "work_mode"), compare="previous_period",
               period=(date(2026, 4, 1), date(2026, 6, 30))),
]  # fmt: skip


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    backend = spark_backend()
    yield backend
    backend._session.stop()


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = list(frame.columns[: list(frame.columns).index("kpi") + 1])
    return frame.sort_values(keys).reset_index(drop=True)


def test_spark_and_duckdb_agree(tmp_path: Path, settings: Settings, spark: Any) -> None:
    with keizer.open(str(tmp_path / "k.duckdb"), settings=settings) as ws:
        generate(ws, employees=150, months=9)
        duck = ws.store._duck
        assert duck is not None
        for name in TABLES:
            duck.execute(f"COPY {name} TO '{tmp_path / name}.parquet' (FORMAT parquet)")
        local = StoreTables.from_backend(ws.store.ibis)
        expected = [_sorted(kpi(local, request)) for request in REQUESTS]
    tables = spark_tables(tmp_path, spark)
    for request, want in zip(REQUESTS, expected, strict=True):
        got = _sorted(kpi(tables, request))
        assert len(got) == len(want) > 3
        for column in ("value", "n", "ci_low", "ci_high"):
            np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float),
                                       rtol=1e-9, equal_nan=True)  # fmt: skip
        assert got["suppressed"].tolist() == want["suppressed"].tolist()
