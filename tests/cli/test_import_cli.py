"""keizer import, run as a user runs it."""

from __future__ import annotations

from pathlib import Path

import yaml

from factories import run_cli as keizer


def test_import_suggest_dry_run_and_reimport(tmp_path: Path) -> None:
    store = str(tmp_path / "k.duckdb")
    units = tmp_path / "units.csv"
    units.write_text("code;naam;niveau\nteam-a;Team A;team\n", encoding="utf-8")
    staff = tmp_path / "staff.csv"
    staff.write_text("Personeelsnummer;Team;Werkplek\nE1;team-a;Thuis\nE2;team-a;kantoor\n",
                     encoding="utf-8")  # fmt: skip

    suggested = keizer("import", "employees", "--suggest-mapping", str(staff))
    assert suggested.returncode == 0, suggested.stderr
    mapping = yaml.safe_load(suggested.stdout)
    assert mapping["columns"] == {
        "employee_id": "Personeelsnummer", "team": "Team", "work_mode": "Werkplek",
    }  # fmt: skip

    assert keizer("import", "org-units", str(units), "-d", store).returncode == 0
    dry = keizer("import", "employees", str(staff), "-d", store, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would load 2 new" in dry.stdout
    first = keizer("import", "employees", str(staff), "-d", store)
    assert "loaded 2 new, 0 updated, 0 unchanged" in first.stdout
    again = keizer("import", "employees", str(staff), "-d", store)
    assert "loaded 0 new, 0 updated, 2 unchanged" in again.stdout
    info = keizer("db", "info", "-d", store)
    assert any(line.split() == ["employees", "2"] for line in info.stdout.splitlines())


def test_invalid_file_exits_1_with_a_table_and_a_report(tmp_path: Path) -> None:
    store = str(tmp_path / "k.duckdb")
    bad = tmp_path / "calls.csv"
    bad.write_text(
        "interaction_id,channel,started_at\nA,phone,2025-01-01\nB,fax,2025-01-01\n",
        encoding="utf-8",
    )
    report = tmp_path / "errors.csv"
    result = keizer("import", "interactions", str(bad), "-d", store, "--errors", str(report))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "fax" in result.stderr
    assert "1 invalid row(s)" in result.stderr
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("calls.csv,3,")
    skipped = keizer("import", "interactions", str(bad), "-d", store, "--skip-invalid",
                     "--errors", str(report))  # fmt: skip
    assert skipped.returncode == 0
    assert "loaded 1 new" in skipped.stdout
    assert "1 rejected" in skipped.stdout


def test_import_without_arguments_explains(tmp_path: Path) -> None:
    result = keizer("import", "-d", str(tmp_path / "k.duckdb"))
    assert result.returncode == 1
    assert "keizer import interactions calls.csv" in result.stderr
