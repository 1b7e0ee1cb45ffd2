"""The ``keizer`` command line. Thin: it parses options and calls the Workspace."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from keizer._version import __version__
from keizer.errors import KeizerError
from keizer.ingest.issues import ImportValidationError, Issue
from keizer.workspace import StoreInfo, open_workspace

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="keizer",
    help="keizer: customer and employee experience measured together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Inspect and migrate the store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()
err = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        "-d",
        envvar="KEIZER_DATABASE_URL",
        help="The store: a DuckDB file (keizer.duckdb) or postgresql+psycopg://user@host/db.",
        show_default="keizer.duckdb",
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print keizer's own errors as one line on stderr and exit with their code."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeizerError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: nothing was changed")
            raise typer.Exit(130) from None

    return run


def _version(value: bool) -> None:
    if value:
        out.print(f"keizer {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """keizer: customer and employee experience measured together."""


@app.command()
@user_errors
def init(database_url: DatabaseOption = None) -> None:
    """Create the store (or bring an existing one up to date) and show what it holds."""
    with open_workspace(database_url, migrate_schema=True) as ws:
        info = ws.info()
    out.print(f"store ready: {info.engine} at {info.location}, schema revision {info.revision}")
    if ws.settings.uses_insecure_secret:
        err.print(
            "warning: KEIZER_SECRET_KEY is not set; pseudonyms use the development secret. "
            "Set a random secret before importing real data (it cannot be changed later "
            "without re-importing).",
            soft_wrap=True,
        )


@db_app.command("upgrade")
@user_errors
def db_upgrade(
    database_url: DatabaseOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Migrate the store's schema up to the newest revision (or --revision)."""
    with open_workspace(database_url, migrate_schema=False) as ws:
        before = ws.revision()
        ws.upgrade(revision)
        after = ws.revision()
    out.print(f"schema revision {before or 'none'} -> {after}")


@db_app.command("downgrade")
@user_errors
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; 'base' removes everything.")],
    database_url: DatabaseOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Migrate the store's schema down. Data in dropped tables is lost."""
    if not yes:
        typer.confirm(f"Downgrade the schema to {revision}? Data may be lost", abort=True)
    with open_workspace(database_url, migrate_schema=False, must_exist=True) as ws:
        ws.downgrade(revision)
        after = ws.revision()
    out.print(f"schema revision now {after or 'none'}")


@db_app.command("info")
@user_errors
def db_info(
    database_url: DatabaseOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """Show the engine, location, schema revision and the row count of every table."""
    with open_workspace(database_url, migrate_schema=False, must_exist=True) as ws:
        info = ws.info()
    if output is OutputFormat.json:
        out.print_json(json.dumps(_info_dict(info)))
    else:
        _print_info(info)


def _info_dict(info: StoreInfo) -> dict[str, object]:
    return {
        "engine": info.engine,
        "location": info.location,
        "revision": info.revision,
        "head": info.head,
        "up_to_date": info.up_to_date,
        "counts": info.counts,
    }


def _print_info(info: StoreInfo) -> None:
    out.print(f"engine:    {info.engine}")
    out.print(f"location:  {info.location}", highlight=False)
    status = "up to date" if info.up_to_date else f"expected {info.head}: run 'keizer db upgrade'"
    out.print(f"revision:  {info.revision or 'none'} ({status})")
    if info.counts:
        table = Table("table", "rows", box=None, pad_edge=False)
        for name, count in info.counts.items():
            table.add_row(name, f"{count:,}")
        out.print(table)


class ImportKindChoice(StrEnum):
    responses = "responses"
    interactions = "interactions"
    employees = "employees"
    org_units = "org-units"
    hr_events = "hr-events"
    absence = "absence"


@app.command("import")
@user_errors
def import_(
    kind: Annotated[
        ImportKindChoice | None, typer.Argument(help="What the file holds.", show_default=False)
    ] = None,
    file: Annotated[
        Path | None,
        typer.Argument(help="A .csv, .xlsx, .jsonl or .parquet file.", show_default=False),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="A YAML column mapping.")
    ] = None,
    survey: Annotated[
        str | None, typer.Option(help="The survey the responses answer (its key).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, load nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Load the valid rows, report the others.")
    ] = False,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            help="Where to write the error report (CSV).",
            show_default="FILE.errors.csv",
        ),
    ] = None,
    suggest_mapping: Annotated[
        Path | None,
        typer.Option("--suggest-mapping", help="Print a mapping proposed from FILE's headers."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Import feedback, operational or HR data from a file or a survey tool's export.

    Nothing is loaded when any row is invalid (unless --skip-invalid); the invalid cells are
    listed here and in a CSV report. Importing the same file again changes nothing.
    """
    if suggest_mapping is not None:
        _suggest(suggest_mapping, kind)
        return
    if kind is None or file is None:
        raise KeizerError("give what the file holds and the file, e.g. 'keizer import "
                          "interactions calls.csv' (or --suggest-mapping FILE)")  # fmt: skip
    report = errors or Path.cwd() / f"{file.name}.errors.csv"
    started = time.perf_counter()
    with open_workspace(database_url) as ws, err.status("reading") as status:
        try:
            result = ws.import_file(
                file, kind.value, mapping=mapping, survey=survey, dry_run=dry_run,
                skip_invalid=skip_invalid, report=report,
                progress=lambda phase: status.update(f"{phase} {file.name}"),
            )  # fmt: skip
        except ImportValidationError as exc:
            status.stop()
            _print_issues(exc.issues, exc.rows_with_issues, report)
            raise
    seconds = time.perf_counter() - started
    out.print(result.summary(), highlight=False)
    rate = result.rows_read / seconds if seconds > 0 else 0
    out.print(f"import batch {result.batch_id}, {seconds:.1f} s ({rate:,.0f} rows/s)")
    if result.rejected:
        _print_issues(result.issues, result.rejected, report)


def _suggest(path: Path, kind: ImportKindChoice | None) -> None:
    from keizer.ingest.mapping import suggest_mapping
    from keizer.ingest.readers import read_file

    if kind is None:
        raise KeizerError("give what the file holds, e.g. 'keizer import employees "
                          "--suggest-mapping staff.xlsx'")  # fmt: skip
    out.print(suggest_mapping(read_file(path), kind.value).to_yaml(), highlight=False)


def _print_issues(issues: list[Issue], rows: int, report: Path) -> None:
    table = Table("row", "column", "value", "expected", box=None, pad_edge=False)
    for issue in issues[:20]:
        table.add_row(str(issue.row), issue.column, issue.shown_value(), issue.expected)
    err.print(table)
    shown = min(20, len(issues))
    err.print(
        f"{rows:,} invalid row(s); {shown} of {len(issues):,} problem(s) shown; all in {report}",
        highlight=False,
    )


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeizerError as exc:  # raised outside a command, e.g. while reading settings
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
