"""How long the EX <-> CX linkage takes on the demo organisation, against a baseline in the
same run: one aggregate over every stored answer (count and sum per question), the least any
analysis of the answers costs.

    python benchmarks/linkage_bench.py [--employees 1100] [--months 24] [--scale 1]

Prints the time to build the panel from the store (Ibis), to run every model, and to render
the HTML report, each as a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.linkage import analyse
from keizer.linkage.queries import build_panel
from keizer.linkage.report import to_html
from keizer.metrics.survey_queries import StoreTables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=1100)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    settings = Settings(secret_key="benchmark-secret-0123456789-abcdefghij")
    with tempfile.TemporaryDirectory() as tmp:
        with keizer.open(str(Path(tmp) / "bench.duckdb"), settings=settings) as ws:
            summary = generate(ws, employees=args.employees, months=args.months,
                               scale=args.scale)  # fmt: skip
            print(f"demo: {summary.responses:,} responses in {summary.seconds:.1f} s")
            started = time.perf_counter()
            answers = ws.table("answers")
            answers.group_by("question_id").aggregate(
                n=answers.count(), total=answers.value_num.sum()
            ).execute()
            baseline = time.perf_counter() - started
            started = time.perf_counter()
            panel = build_panel(StoreTables.from_backend(ws.store.ibis))
            build = time.perf_counter() - started
        started = time.perf_counter()
        result = analyse(panel)
        models = time.perf_counter() - started
        started = time.perf_counter()
        page = to_html(result)
        render = time.perf_counter() - started
    print(f"{'step':<34}{'seconds':>9}{'x baseline':>12}")
    print(f"{'baseline: one pass over answers':<34}{baseline:>9.2f}{1.0:>12.1f}")
    for name, seconds in (("panel from the store", build), ("every model", models),
                          ("HTML report", render)):  # fmt: skip
        print(f"{name:<34}{seconds:>9.2f}{seconds / baseline:>12.1f}")
    ok = int((result.effects["status"] == "ok").sum())
    print(f"{ok} team models, report {len(page) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
