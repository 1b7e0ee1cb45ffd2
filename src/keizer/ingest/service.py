"""Importing a file: read, map, validate, resolve references, then load in one transaction.

By default a file with any invalid row loads nothing. With ``skip_invalid`` the valid rows load
and the rejected ones are reported. Every run is recorded as an ``import_batch``. Loading the
same file twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from keizer.errors import ConfigError, KeizerError, StoreError, ValidationError
from keizer.ingest import formats
from keizer.ingest.fields import ImportKind, spec
from keizer.ingest.formats.base import (
    FINISHED,
    LANGUAGE,
    RESPONDENT_ID,
    RESPONSE_ID,
    SUBMITTED_AT,
    SurveyExport,
)
from keizer.ingest.issues import ImportValidationError, Issue, write_report
from keizer.ingest.load import LOADERS, LoadContext
from keizer.ingest.mapping import Mapping, suggest_mapping
from keizer.ingest.models import ImportBatch
from keizer.ingest.raw import RawTable
from keizer.ingest.readers import ReadOptions, read_file, refuse_unnamed
from keizer.ingest.validate import MAX_ISSUES_KEPT, Checked, MissingColumnError, Validator
from keizer.privacy import Pseudonymiser
from keizer.store.base import utcnow
from keizer.store.bulk import UpsertResult
from keizer.store.engine import Store

Progress = Callable[[str], None]
# Rows validated and loaded at a time: bounds memory, large enough for set-based speed.
SLICE_ROWS = 1_000_000


@dataclass
class ImportResult:
    """What an import did."""

    batch_id: int
    kind: ImportKind
    source: str
    rows_read: int
    result: UpsertResult
    rejected: int = 0
    skipped_incomplete: int = 0
    dry_run: bool = False
    tool: str | None = None
    report: Path | None = None
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> str:
        r = self.result
        verb = "would load" if self.dry_run else "loaded"
        text = (
            f"{self.source}: {self.rows_read:,} rows read; {verb} {r.inserted:,} new, "
            f"{r.updated:,} updated, {r.unchanged:,} unchanged"
        )
        if self.rejected:
            text += f"; {self.rejected:,} rejected"
        if self.skipped_incomplete:
            text += f"; {self.skipped_incomplete:,} incomplete responses skipped"
        return text


@dataclass(frozen=True)
class ImportOptions:
    """What the user asked for besides the file and its kind."""

    mapping: Mapping | None = None
    survey: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    report: Path | None = None


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


def import_file(
    *,
    store: Store,
    pseudonymiser: Pseudonymiser,
    path: Path,
    kind: ImportKind,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` as ``kind`` into the store (see the module docstring for the rules)."""
    options = options or ImportOptions()
    say = progress or (lambda _: None)
    mapping = options.mapping or Mapping()
    say("reading")
    raw = read_file(
        path,
        ReadOptions(encoding=mapping.encoding, delimiter=mapping.delimiter, sheet=mapping.sheet),
    )
    sha256 = _sha256(path)
    try:
        result = _import(store, pseudonymiser, raw, kind, options, mapping, sha256, say)
    except KeizerError as exc:
        _record_failure(store, kind, raw.source, sha256, raw.data.num_rows, str(exc))
        raise
    return result


def _import(
    store: Store,
    pseudonymiser: Pseudonymiser,
    raw: RawTable,
    kind: ImportKind,
    options: ImportOptions,
    mapping: Mapping,
    sha256: str,
    say: Progress,
) -> ImportResult:
    export = formats.recognise(raw) if kind == "responses" else None
    if export is not None:
        raw = export.table
    else:
        refuse_unnamed(raw)
    if options.mapping is None:
        mapping = _auto_mapping(raw, kind, mapping, export)
    mapping.check_fields(kind)
    rows_read = raw.data.num_rows
    skipped = 0
    if export is not None and mapping.skip_incomplete and FINISHED in raw.columns:
        finished = pc.fill_null(pc.equal(raw.data.column(FINISHED), "false"), False)
        skipped = int(pc.sum(finished).as_py() or 0)
        raw = raw.with_data(raw.data.filter(pc.invert(finished)))
    say("validating")
    try:
        with store.unit_of_work() as session:
            context = LoadContext(
                session=session, pseudonymiser=pseudonymiser, raw=raw, mapping=mapping,
                survey=options.survey or mapping.survey, export=export,
                mapping_given=options.mapping is not None,
            )  # fmt: skip
            outcome = _validate_and_load(context, kind, options, say)
            result = ImportResult(
                0, kind, raw.source, rows_read, outcome.result, outcome.rejected, skipped,
                options.dry_run, export.tool if export else None, options.report, outcome.issues,
            )  # fmt: skip
            if options.dry_run:
                raise _DryRun  # leaves the unit of work: everything is rolled back
            result.batch_id = _record(session, result, sha256, mapping, "succeeded")
    except _DryRun:
        with store.unit_of_work() as session:
            result.batch_id = _record(session, result, sha256, mapping, "dry_run")
    except IntegrityError as exc:  # a key the checks above could not see; nothing was loaded
        raise StoreError(
            f"{raw.source}: the store refused the rows, nothing was loaded: {_first_line(exc)}"
        ) from None
    except DBAPIError as exc:  # e.g. out of memory, disk full, connection lost: rolled back
        problem = _first_line(exc)
        hint = (
            "; the import holds every new row until its one commit: free memory, or import "
            "the file in parts"
            if "out of memory" in problem.lower()
            else ""
        )
        raise StoreError(
            f"{raw.source}: the store failed while loading, nothing was loaded: {problem}{hint}"
        ) from None
    return result


def _first_line(exc: DBAPIError) -> str:
    """The database's own message, without SQLAlchemy's statement and background link."""
    return (str(exc.orig) if exc.orig is not None else str(exc)).splitlines()[0]


@dataclass
class _Outcome:
    result: UpsertResult = field(default_factory=UpsertResult)
    rejected: int = 0
    issue_count: int = 0
    issues: list[Issue] = field(default_factory=list)


def _validate_and_load(
    context: LoadContext, kind: ImportKind, options: ImportOptions, say: Progress
) -> _Outcome:
    """Validate and load the file slice by slice inside the caller's transaction, so that
    memory stays bounded; checks across the whole file (duplicate keys, the survey's
    questions) look at whole columns. Once a row is invalid (without ``skip_invalid``)
    nothing more is loaded, the remaining slices are only validated so that every problem
    is reported, and :class:`ImportValidationError` rolls the transaction back."""
    raw, loader = context.raw, LOADERS[kind]
    outcome = _Outcome()
    for offset in range(0, max(raw.data.num_rows, 1), SLICE_ROWS):  # an empty file: once
        part = raw.with_data(raw.data.slice(offset, SLICE_ROWS), skipped_rows=offset)
        if offset:
            say("validating")
        checked = _validate(part, context.mapping, kind, context)
        loader.check_references(context, checked)
        outcome.rejected += checked.rows_with_issues
        outcome.issue_count += checked.issue_count
        outcome.issues.extend(checked.issues[: MAX_ISSUES_KEPT - len(outcome.issues)])
        if outcome.issue_count and not options.skip_invalid:
            continue
        keep = ~checked.bad
        say("loading")
        if keep.any():
            outcome.result += loader.load(context, checked, keep)
    outcome.issues.sort(key=lambda issue: issue.row)
    if outcome.issue_count:
        if options.report is not None:
            write_report(options.report, outcome.issues)
        if not options.skip_invalid:
            raise ImportValidationError(raw.source, outcome.issues, outcome.rejected)
    return outcome


def _validate(raw: RawTable, mapping: Mapping, kind: ImportKind, context: LoadContext) -> Checked:
    validator = Validator(raw, mapping, kind)
    fields = spec(kind)
    try:
        for name, field_spec in fields.items():
            constant = context.survey if name == "survey" else None
            column = mapping.columns.get(name)
            if column is not None and column not in raw.columns:
                raise ConfigError(
                    f"mapping: column {column!r} (for {name}) is not in {raw.source}; "
                    f"columns: {', '.join(raw.columns)}"
                )
            validator.field(field_spec, column, constant=constant if column is None else None)
    except MissingColumnError as missing:
        raise ValidationError(
            f"{raw.source}: no column for the required field {missing.name!r}; columns found: "
            f"{', '.join(raw.columns)}. Map it in a mapping file (see 'keizer import "
            f"--suggest-mapping {raw.source}')"
        ) from None
    LOADERS[kind].validate_extra(context, validator)
    return validator.checked


def _auto_mapping(
    raw: RawTable, kind: ImportKind, base: Mapping, export: SurveyExport | None
) -> Mapping:
    suggested = suggest_mapping(raw, kind)
    updates: dict[str, object] = {"columns": suggested.columns, "answers": suggested.answers}
    if export is not None:
        canonical = {
            "response_id": RESPONSE_ID, "submitted_at": SUBMITTED_AT, "language": LANGUAGE,
            "respondent_id": RESPONDENT_ID,
        }  # fmt: skip
        updates["columns"] = {k: v for k, v in canonical.items() if v in raw.columns}
        updates["answers"] = {q.code: q.code for q in export.questions}
        if export.date_format:
            updates["datetime_format"] = export.date_format
        if export.time_zone:
            updates["timezone"] = export.time_zone
    return base.model_copy(update=updates)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _record(
    session: Session, result: ImportResult, sha256: str, mapping: Mapping, status: str
) -> int:
    counts = result.result
    batch = ImportBatch(
        kind=result.kind, source_name=result.source, sha256=sha256, mapping=mapping.to_yaml(),
        rows_read=result.rows_read, rows_inserted=counts.inserted, rows_updated=counts.updated,
        rows_unchanged=counts.unchanged, rows_rejected=result.rejected, status=status,
        finished_at=utcnow(),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return batch.id


def _record_failure(
    store: Store, kind: str, source: str, sha256: str, rows_read: int, message: str
) -> None:
    with store.unit_of_work() as session:
        batch = ImportBatch(
            kind=kind, source_name=source, sha256=sha256, rows_read=rows_read, status="failed",
            message=message[:2000], finished_at=utcnow(),
        )  # fmt: skip
        session.add(batch)


def list_batches(*, session: Session, limit: int = 20) -> list[ImportBatch]:
    """The most recent import batches, newest first."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    return list(session.scalars(query))
