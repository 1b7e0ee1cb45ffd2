"""The ``keizer`` command line. Thin: it parses options and calls the Workspace."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

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
text_app = typer.Typer(
    help="Text analytics: sentiment, emotions, themes, vulnerability, redaction (nl/en).",
    no_args_is_help=True,
)
app.add_typer(text_app, name="text")

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


@app.command()
@user_errors
def demo(
    employees: Annotated[int, typer.Option(help="Agents at the start (teams of 10-14).")] = 1100,
    months: Annotated[int, typer.Option(help="Months of history, up to 2026-10.")] = 24,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    scale: Annotated[
        float, typer.Option(help="Multiplies contacts and customer responses (benchmarks).")
    ] = 1.0,
    dutch_share: Annotated[
        float, typer.Option("--dutch-share", help="Share of Dutch respondents and comments.")
    ] = 0.8,
    database_url: DatabaseOption = None,
) -> None:
    """Fill an empty store with a synthetic contact-centre organisation (see docs/demo.md).

    Up to about 650,000 responses it runs in one transaction: interrupted, it leaves the
    store as it was. Larger runs commit month by month; run the same command again to resume
    one that was interrupted. Running it again with the same options changes nothing.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from keizer.demo import DemoSpec, generate

    # Checked before the store is opened, so a wrong option creates no store.
    DemoSpec(employees=employees, months=months, seed=seed, scale=scale, dutch_share=dutch_share)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with open_workspace(database_url) as ws, Progress(*columns, console=err) as bar:
        task = bar.add_task("demo", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        summary = generate(
            ws, employees=employees, months=months, seed=seed, scale=scale,
            dutch_share=dutch_share, progress=progress,
        )  # fmt: skip
    table = Table("table", "rows", "new", "changed", box=None, pad_edge=False)
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows.total:,}", f"{rows.inserted:,}", f"{rows.updated:,}")
    out.print(table)
    out.print(f"demo organisation ready in {summary.seconds:.1f} s (seed {seed})")


class TextFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@text_app.command("analyse")
@user_errors
def text_analyse(
    texts: Annotated[list[str] | None, typer.Argument(help="Comments to analyse.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="A CSV file with a text column.")
    ] = None,
    column: Annotated[str, typer.Option(help="The column of --file to analyse.")] = "text",
    language: Annotated[
        str | None, typer.Option(help="nl or en for every text (default: detect).")
    ] = None,
    output: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = (
        TextFormat.table
    ),
) -> None:
    """Analyse comments given on the command line or in a CSV file (nothing is stored)."""
    import pandas as pd

    from keizer.text import analyse

    items = list(texts or [])
    if file is not None:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        if column not in frame.columns:
            raise KeizerError(f"{file.name} has no column {column!r}: {', '.join(frame.columns)}")
        items += frame[column].tolist()
    if not items:
        raise KeizerError("give comments to analyse, or --file FILE")
    result = analyse(items, language=language)
    shown = result[["language", "sentiment", "sentiment_score", "emotions", "themes",
                    "vulnerability", "redacted_text"]]  # fmt: skip
    if output is TextFormat.json:
        out.print_json(shown.to_json(orient="records", force_ascii=False))
    elif output is TextFormat.csv:
        sys.stdout.write(shown.to_csv(index=False))
    else:
        table = Table(*shown.columns, box=None, pad_edge=False)
        for row in shown.itertuples(index=False):
            table.add_row(*(", ".join(v) if isinstance(v, list) else str(v) for v in row))
        out.print(table)


@text_app.command("enrich")
@user_errors
def text_enrich(
    database_url: DatabaseOption = None,
    lexicon_only: Annotated[
        bool, typer.Option("--lexicon-only", help="Ignore a trained model.")
    ] = False,
) -> None:
    """Analyse every stored open answer that is new or changed since the last run."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with (
        open_workspace(database_url) as ws,
        Progress(
            "enriching comments",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("enrich", total=None)
        result = ws.enrich_comments(
            use_model=not lexicon_only,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    out.print(
        f"{result.analysed:,} comment(s) analysed, {result.up_to_date:,} already up to date "
        f"(analyser: {result.analyser})"
    )


@text_app.command("train")
@user_errors
def text_train(
    file: Annotated[Path, typer.Argument(help="A CSV with the columns text and label.")],
    name: Annotated[str | None, typer.Option(help="A name for the model.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Train a sentiment model on your own labelled comments and keep it with the store.

    The next 'keizer text enrich' uses it and analyses every comment again.
    """
    with open_workspace(database_url) as ws:
        result = ws.train_text_model(file, name=name)
    score = f"{result.cv_macro_f1:.3f}" if result.cv_macro_f1 is not None else "n/a"
    out.print(
        f"model {result.model_id} trained on {result.rows:,} comments; "
        f"5-fold cross-validated macro-F1 {score}"
    )


@app.command("kpi")
@user_errors
def kpi_command(
    name: Annotated[str, typer.Argument(help="The KPI, e.g. nps, csat, ces, enps, ees.")],
    by: Annotated[str, typer.Option(help="Segments, comma-separated: team,month,channel,...")] = "",
    period: Annotated[
        str | None, typer.Option(help="FROM:TO dates, e.g. 2025-01-01:2025-12-31.")
    ] = None,
    where: Annotated[
        list[str] | None, typer.Option(help="A filter SEGMENT=VALUE[|VALUE...]; repeatable.")
    ] = None,
    compare: Annotated[
        str | None, typer.Option(help="previous_period: change and its significance.")
    ] = None,
    output: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = (
        TextFormat.table
    ),
    database_url: DatabaseOption = None,
) -> None:
    """One KPI by segments, with n, 95 % interval and, with --compare, the change.

    Employee figures of groups below the anonymity threshold show as suppressed.
    """
    segments = [s.strip() for s in by.split(",") if s.strip()]
    filters: dict[str, object] = {}
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise KeizerError(f"--where {item!r}: expected SEGMENT=VALUE, e.g. channel=phone")
        values = [v.strip() for v in value.split("|")]
        filters[key.strip()] = values if len(values) > 1 else values[0]
    bounds: tuple[str, str] | None = None
    if period is not None:
        start, sep, end = period.partition(":")
        if not sep:
            raise KeizerError(f"--period {period!r}: expected FROM:TO, e.g. 2025-01-01:2025-12-31")
        bounds = (start.strip(), end.strip())
    if compare not in (None, "previous_period"):
        raise KeizerError(f"--compare {compare!r}: use previous_period")
    with open_workspace(database_url) as ws:
        result = ws.kpi(
            name, by=segments, where=filters, period=bounds,
            compare="previous_period" if compare else None,
        )  # fmt: skip
    if output is TextFormat.json:
        out.print_json(result.to_json(orient="records", force_ascii=False))
    elif output is TextFormat.csv:
        sys.stdout.write(result.to_csv(index=False))
    else:
        _print_kpi(result, segments)


def _print_kpi(result: Any, segments: list[str]) -> None:
    compared = "change" in result.columns
    headers = [*segments, "value", "95% CI", "n"] + (["change", "p (adj.)"] if compared else [])
    table = Table(*headers, box=None, pad_edge=False)
    for row in result.itertuples(index=False):
        keys = [str(getattr(row, s)) for s in segments]
        if row.suppressed:
            cells = ["too few responses", "", ""] + (["", ""] if compared else [])
        else:
            cells = [f"{row.value:.2f}", f"{row.ci_low:.2f} - {row.ci_high:.2f}", f"{row.n:,.0f}"]
            if compared:
                mark = " *" if row.significant else ""
                cells += [
                    "" if row.change != row.change else f"{row.change:+.2f}{mark}",
                    "" if row.p_adjusted != row.p_adjusted else f"{row.p_adjusted:.3f}",
                ]
        table.add_row(*keys, *cells)
    out.print(table)
    if compared:
        out.print("* significant at 5 % after Benjamini-Hochberg correction")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeizerError as exc:  # raised outside a command, e.g. while reading settings
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
