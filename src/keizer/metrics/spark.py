"""Scale-out reads: the KPI engine on PySpark (Ibis' pyspark backend) over Parquet exports.

For organisations whose data outgrows one machine: export the store's tables to Parquet (or
Delta) and compute the same KPIs with the same Ibis expressions on Spark::

    tables = spark_tables("/data/keizer-export")
    kpi(tables, KpiRequest("nps", by=("team", "month")))

Needs the ``spark`` extra (``pip install 'keizer[spark]'``) and Java 17.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keizer.metrics.survey_queries import StoreTables

TABLES = (
    "answer", "question", "response", "survey", "interaction", "employee", "org_unit",
    "hr_event", "absence_spell",
)  # fmt: skip


def spark_backend(session: Any | None = None) -> Any:
    """An Ibis backend on ``session`` (default: a local session in UTC)."""
    import ibis
    from pyspark.sql import SparkSession

    if session is None:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("keizer")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    return ibis.pyspark.connect(session)


def spark_tables(folder: str | Path, backend: Any | None = None) -> StoreTables:
    """The store's tables from ``folder/<table>.parquet`` as Ibis tables on Spark."""
    backend = backend or spark_backend()
    root = Path(folder)
    for name in TABLES:
        backend.read_parquet(str(root / f"{name}.parquet"), table_name=name)
    return StoreTables.from_backend(backend)
