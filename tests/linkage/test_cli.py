"""``keizer linkage report`` as a user runs it: a self-contained HTML report, JSON, a table,
and clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from factories import run_cli

SMALL_DEMO = ("--employees", "150", "--months", "9", "--seed", "3", "--scale", "0.3")
LOOSE = ("--min-teams", "8", "--min-months", "4")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("linkage") / "demo.duckdb"
    done = run_cli("demo", "--database-url", str(path), *SMALL_DEMO)
    assert done.returncode == 0, done.stderr
    return str(path)


def test_html_report_is_self_contained_and_readable(demo_store: str, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    done = run_cli("linkage", "report", "-d", demo_store, "--output", str(target), *LOOSE)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    # No external resources: nothing is fetched, and outside Plotly's inlined library (whose
    # source mentions URLs it never loads here) the page names no address at all.
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    start = page.index('<script type="text/javascript">')
    end = page.index("</script>", start)
    assert end - start > 3_000_000  # Plotly's JavaScript, inlined
    assert not re.search(r"https?://", page[:start] + page[end:])
    assert page.count("Plotly.newPlot") >= 4  # the charts
    for heading in ("Key findings", "Retention and the manager", "Methods and guard rails"):
        assert heading in page
    assert "not proof of cause" in page
    assert "Teams one point higher on" in page


def test_dutch_html_report(demo_store: str, tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    done = run_cli("linkage", "report", "-d", demo_store, "-o", str(target), "--language", "nl",
                   *LOOSE)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert '<html lang="nl">' in page
    assert "geen bewijs van oorzaak" in page
    assert "Teams die één punt hoger scoren op" in page


def test_json_and_table_formats(demo_store: str, tmp_path: Path) -> None:
    done = run_cli("linkage", "report", "-d", demo_store, "--format", "json", *LOOSE)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["options"]["min_group_size"] == 5
    effects = [e for e in doc["effects"] if e["status"] == "ok"]
    assert effects
    assert {"estimate", "low", "high", "q_value", "summary_en", "summary_nl"} <= set(effects[0])
    assert doc["retention"]["expected_cost"] == pytest.approx(
        doc["retention"]["expected_leavers"] * 12_500
    )
    table = run_cli("linkage", "report", "-d", demo_store, "--format", "table", *LOOSE)
    assert table.returncode == 0, table.stderr
    assert "ees" in table.stdout
    assert "not proof of cause" in table.stdout


def test_user_errors(demo_store: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    assert run_cli("init", "-d", str(empty)).returncode == 0
    done = run_cli("linkage", "report", "-d", str(empty))
    assert done.returncode == 1
    assert "nothing to link" in done.stderr
    assert "Traceback" not in done.stderr
    bad = run_cli("linkage", "report", "-d", demo_store, "--intervention-teams", "x")
    assert bad.returncode == 1
    assert "--intervention-start" in bad.stderr
    period = run_cli("linkage", "report", "-d", demo_store, "--period", "2026")
    assert period.returncode == 1
    assert "FROM:TO" in period.stderr
