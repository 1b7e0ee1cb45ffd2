"""The ``keizer`` command line. Thin: it parses options and calls the Workspace."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

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


# -- linkage: EX <-> CX (docs/linkage.md) ------------------------------------------------------
linkage_app = typer.Typer(
    help="EX <-> CX linkage: employee factors against customer outcomes, turnover, absence.",
    no_args_is_help=True,
)
app.add_typer(linkage_app, name="linkage")


class ReportFormat(StrEnum):
    html = "html"
    json = "json"
    table = "table"


class ReportLanguage(StrEnum):
    en = "en"
    nl = "nl"


@linkage_app.command("report")
@user_errors
def linkage_report(
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="html (a self-contained page), json or table.")
    ] = ReportFormat.html,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write; html defaults to keizer-linkage.html."),
    ] = None,
    language: Annotated[ReportLanguage, typer.Option(help="Report language: en or nl.")] = (
        ReportLanguage.en
    ),
    period: Annotated[
        str | None, typer.Option(help="FROM:TO dates, e.g. 2025-01-01:2025-12-31.")
    ] = None,
    min_teams: Annotated[int, typer.Option(help="Fewest teams for a team model.")] = 10,
    min_months: Annotated[int, typer.Option(help="Fewest months for a team model.")] = 6,
    cost_per_leaver: Annotated[
        float, typer.Option(help="Cost of one voluntary leaver in euro.")
    ] = 12_500.0,
    intervention_teams: Annotated[
        str | None,
        typer.Option(help="Team keys (comma-separated) that received an intervention."),
    ] = None,
    intervention_start: Annotated[
        str | None, typer.Option(help="Month the intervention started, YYYY-MM.")
    ] = None,
    intervention_measure: Annotated[
        str, typer.Option(help="Pulse item the intervention aimed at.")
    ] = "ees_information",
    database_url: DatabaseOption = None,
) -> None:
    """Which employee factors go with customer outcomes, turnover and absence: effect sizes
    with intervals, in a report a manager can read (see docs/linkage.md)."""
    from keizer.linkage import Intervention, LinkageOptions
    from keizer.linkage.report import to_html, to_json

    bounds: tuple[str, str] | None = None
    if period is not None:
        start, sep, end = period.partition(":")
        if not sep:
            raise KeizerError(f"--period {period!r}: expected FROM:TO, e.g. 2025-01-01:2025-12-31")
        bounds = (start.strip(), end.strip())
    intervention = None
    if (intervention_teams is None) != (intervention_start is None):
        raise KeizerError("give both --intervention-teams and --intervention-start, or neither")
    if intervention_teams is not None and intervention_start is not None:
        teams = tuple(t.strip() for t in intervention_teams.split(",") if t.strip())
        intervention = Intervention(teams, intervention_start.strip(), intervention_measure)
    with open_workspace(database_url) as ws:
        options = LinkageOptions(
            min_group_size=ws.settings.min_group_size, min_teams=min_teams,
            min_months=min_months, cost_per_leaver=cost_per_leaver,
        )  # fmt: skip
        with err.status("linking employee and customer experience..."):
            result = ws.linkage(period=bounds, options=options, intervention=intervention)
    lang = language.value
    if output_format is ReportFormat.html:
        target = output or Path("keizer-linkage.html")
        target.write_text(to_html(result, "nl" if lang == "nl" else "en"), encoding="utf-8")
        out.print(f"report written to {target}")
    elif output_format is ReportFormat.json:
        text_out = json.dumps(to_json(result), ensure_ascii=False, indent=2, allow_nan=False)
        if output is not None:
            output.write_text(text_out, encoding="utf-8")
            out.print(f"report written to {output}")
        else:
            sys.stdout.write(text_out + "\n")
    else:
        _print_linkage(result, "nl" if lang == "nl" else "en")


def _print_linkage(result: Any, language: Literal["en", "nl"]) -> None:
    effects = result.effects
    shown = effects[(effects["status"] == "ok") & (effects["lag"] == 1)]
    table = Table("measure", "outcome", "per unit", "95% CI", "q", "teams", box=None,
                  pad_edge=False)  # fmt: skip
    for row in shown.itertuples():
        mark = " *" if row.significant else ""
        table.add_row(
            row.measure, row.outcome, f"{row.estimate:+.3f}{mark}",
            f"{row.low:.3f} - {row.high:.3f}", f"{row.q_value:.3f}", str(row.teams),
        )  # fmt: skip
    out.print(table)
    significant = shown[shown["significant"] == True]  # noqa: E712 (NaN-safe)
    for sentence in significant[f"summary_{language}"].head(10):
        out.print(f"- {sentence}", highlight=False)
    r = result.retention
    if r.status == "ok":
        hr = r.hazard_ratios.set_index("covariate")
        if "manager_rating" in hr.index:
            out.print(f"- {hr.loc['manager_rating', f'summary_{language}']}", highlight=False)
    for sentence in result.absence.get(f"summary_{language}", []):
        out.print(f"- {sentence}", highlight=False)
    out.print("* significant after Benjamini-Hochberg correction (false-discovery rate 5 %)")
    out.print(result.notes[language][0], highlight=False)


user_app = typer.Typer(
    help="Logins, roles and API tokens (see docs/users.md).", no_args_is_help=True
)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)
user_app.add_typer(token_app, name="token")


class UserRoleChoice(StrEnum):
    admin = "admin"
    board = "board"
    cx_manager = "cx-manager"
    ex_manager = "ex-manager"
    team_lead = "team-lead"
    analyst = "analyst"


class LanguageChoice(StrEnum):
    nl = "nl"
    en = "en"


PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]


def _read_password(from_stdin: bool) -> str:
    """The new password, from a hidden prompt (typed twice) or stdin; never from argv."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if len(password) < 8:
        raise KeizerError("the password needs at least 8 characters; nothing was changed")
    return password


@user_app.command("add")
@user_errors
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (case-insensitive).")],
    role: Annotated[UserRoleChoice, typer.Option("--role", help="What the user may see.")],
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="Team key a team lead leads (repeat for several)."),
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Name shown in the web app.")
    ] = None,
    language: Annotated[
        LanguageChoice, typer.Option("--language", help="Language of the web app.")
    ] = LanguageChoice.nl,
    password_stdin: PasswordStdinOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Add a login. The password is asked for (hidden), or read with --password-stdin."""
    from pydantic import ValidationError as PydanticValidationError

    from keizer.org import service as org
    from keizer.users.schemas import UserCreate

    password = _read_password(password_stdin)
    with open_workspace(database_url, must_exist=True) as ws:
        with ws.unit_of_work() as session:
            team_ids = [org.get_org_unit(session=session, source_key=k).id for k in team or []]
        try:
            user_in = UserCreate(
                username=username, password=password, role=role.value,
                display_name=display_name, team_ids=team_ids, language=language.value,
            )  # fmt: skip
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise KeizerError(f"invalid user: {problems}") from None
        user = ws.add_user(user_in)
    teams = f", teams {', '.join(team or [])}" if team else ""
    out.print(f"added {user.username} ({user.role}{teams})")


@user_app.command("list")
@user_errors
def user_list(
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = (
        OutputFormat.table
    ),
    database_url: DatabaseOption = None,
) -> None:
    """List the logins with their role, teams and status."""
    with open_workspace(database_url, must_exist=True) as ws:
        found = ws.users()
    if output == OutputFormat.json:
        out.print_json(json.dumps([u.model_dump() for u in found]))
        return
    table = Table("username", "name", "role", "teams", "language", "status", box=None)
    for u in found:
        table.add_row(
            u.username, u.display_name, u.role, ", ".join(map(str, u.team_ids)), u.language,
            "disabled" if u.disabled else "active",
        )  # fmt: skip
    out.print(table)


@user_app.command("disable")
@user_errors
def user_disable(
    username: Annotated[str, typer.Argument(help="The login to disable.")],
    database_url: DatabaseOption = None,
) -> None:
    """Disable a login: its browser sessions end and its API tokens stop working."""
    with open_workspace(database_url, must_exist=True) as ws:
        user = ws.disable_user(username)
    out.print(f"disabled {user.username}")


@user_app.command("password")
@user_errors
def user_password(
    username: Annotated[str, typer.Argument(help="The login whose password to change.")],
    password_stdin: PasswordStdinOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Set a new password (asked for, or --password-stdin); open browser sessions end."""
    password = _read_password(password_stdin)
    with open_workspace(database_url, must_exist=True) as ws:
        user = ws.set_password(username, password)
    out.print(f"new password set for {user.username}")


@user_app.command("add-demo")
@user_errors
def user_add_demo(database_url: DatabaseOption = None) -> None:
    """Add one demo login per role (public passwords: for the demo organisation only)."""
    with open_workspace(database_url, must_exist=True) as ws:
        logins = ws.add_demo_users()
    table = Table("username", "password", "role", "teams", box=None)
    for login in logins:
        u = login.user
        table.add_row(u.username, login.password, u.role, ", ".join(map(str, u.team_ids)))
    out.print(table)
    err.print("demo passwords are public: never use these logins on real data", soft_wrap=True)


@token_app.command("create")
@user_errors
def token_create(
    username: Annotated[str, typer.Argument(help="The login the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    database_url: DatabaseOption = None,
) -> None:
    """Create an API token; it is shown this once (only its hash is stored)."""
    with open_workspace(database_url, must_exist=True) as ws:
        token = ws.create_token(username, name)
    err.print(
        f"token {token.id} ({token.name}) for {username}; store it now, it is not shown again:"
    )
    print(token.token)


@token_app.command("list")
@user_errors
def token_list(
    username: Annotated[str, typer.Argument(help="Whose tokens.")],
    database_url: DatabaseOption = None,
) -> None:
    """List a login's API tokens (never the tokens themselves)."""
    with open_workspace(database_url, must_exist=True) as ws:
        tokens = ws.tokens(username)
    table = Table("id", "name", "starts with", "created", "last used", "status", box=None)
    for t in tokens:
        table.add_row(
            str(t.id), t.name, t.prefix, f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            "revoked" if t.revoked_at else "active",
        )  # fmt: skip
    out.print(table)


@token_app.command("revoke")
@user_errors
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see 'keizer user token list').")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an API token: it stops working at once."""
    with open_workspace(database_url, must_exist=True) as ws:
        ws.revoke_token(token_id)
    out.print(f"revoked token {token_id}")


# -- web app (docs/web.md) ----------------------------------------------------------------------
@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Mark cookies Secure even when the proxy does not forward https.",
        ),
    ] = False,
    demo_logins: Annotated[
        bool,
        typer.Option("--demo-logins", help="Add the demo logins (one per role) and print them."),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the dashboards and the JSON API on the store until Ctrl-C.

    The server owns the store: on DuckDB other keizer commands cannot open the file while it
    runs (send data through the API instead).
    """
    import uvicorn

    from keizer.web import create_app

    with open_workspace(database_url) as ws:
        if demo_logins:
            table = Table("username", "password", "role", box=None, pad_edge=False)
            for login in ws.add_demo_users():
                table.add_row(login.user.username, login.password, login.user.role)
            out.print("demo logins (public passwords: never use them on real data):")
            out.print(table)
        app_ = create_app(ws, secure_cookies=secure_cookies, warm_cache=True)
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        where = ws.store.url.display()
        out.print(f"keizer serves {where} at http://{shown}:{port}/ (Ctrl-C stops)")
        uvicorn.run(
            app_, host=host, port=port, proxy_headers=True, log_level="info",
            server_header=False,
        )  # fmt: skip


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeizerError as exc:  # raised outside a command, e.g. while reading settings
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
