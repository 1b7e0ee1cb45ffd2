"""Turn a raw table into typed columns following a mapping, collecting every invalid cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keizer.ingest import parse
from keizer.ingest.fields import MAX_ANSWER_TEXT, Field, ImportKind
from keizer.ingest.issues import Issue
from keizer.ingest.mapping import Mapping
from keizer.ingest.raw import RawTable

MAX_ISSUES_KEPT = 100_000
CLOCK_SKEW = timedelta(minutes=10)


@dataclass
class Checked:
    """Typed columns by field name, and what was wrong with which rows."""

    raw: RawTable
    columns: dict[str, pa.Array] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    bad: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    issue_count: int = 0

    def __post_init__(self) -> None:
        self.bad = np.zeros(self.raw.data.num_rows, dtype=bool)

    def flag(self, mask: np.ndarray, column: str, values: pa.Array, expected: str) -> None:
        """Record the rows in ``mask`` as invalid for ``column``, showing the file's own text
        where ``column`` is one of its columns (else ``values``, as text)."""
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        if column in self.raw.columns:
            values = self.raw.data.column(column).combine_chunks()
        elif not pa.types.is_string(values.type):
            values = pc.cast(values, pa.string())
        self.bad[rows] = True
        self.issue_count += int(rows.size)
        room = MAX_ISSUES_KEPT - len(self.issues)
        if room > 0:
            shown = values.take(pa.array(rows[:room])).to_pylist()
            self.issues.extend(
                Issue(self.raw.source, self.raw.row_number(int(i)), column, v, expected)
                for i, v in zip(rows[:room], shown, strict=True)
            )

    @property
    def rows_with_issues(self) -> int:
        return int(self.bad.sum())


class Validator:
    """Validates the fields of one import kind."""

    def __init__(self, raw: RawTable, mapping: Mapping, kind: ImportKind) -> None:
        self.raw = raw
        self.mapping = mapping
        self.kind = kind
        self.checked = Checked(raw)
        now = datetime.now(UTC)
        self.not_after = now + CLOCK_SKEW

    def source(self, name: str) -> pa.Array:
        """A column of the file as cleaned text."""
        return parse.clean(self.raw.data.column(name).combine_chunks())

    def field(self, spec: Field, column: str | None, *, constant: str | None = None) -> None:
        """Parse one field from ``column`` (or a constant) into ``checked.columns``."""
        n = self.raw.data.num_rows
        if column is None and constant is None:
            if spec.required:
                raise MissingColumnError(spec.name)
            return
        values = (
            self.source(column)
            if column is not None
            else pa.repeat(pa.scalar(constant, pa.string()), n)
        )
        values = parse.translate(values, self.mapping.values.get(spec.name, {}))
        label = column or spec.name
        if spec.required:
            self.checked.flag(~parse.present(values), label, values, f"a value ({spec.describe()})")
        parsed, bad = self._parse(spec, values)
        self.checked.flag(bad, label, values, spec.describe() + self._future_note(spec))
        self.checked.columns[spec.name] = parsed

    def answer(self, column: str, code: str, scale: tuple[float, float] | None) -> None:
        """Parse an answer column: a number within the question's scale, or text."""
        values = parse.translate(self.source(column), self.mapping.values.get(code, {}))
        if scale is None:
            parsed, bad = parse.text(values, MAX_ANSWER_TEXT)
            expected = f"text of at most {MAX_ANSWER_TEXT:,} characters, not a formula"
        else:
            parsed, bad = parse.number(
                values, decimal=self.mapping.decimal, integer=False, minimum=scale[0],
                maximum=scale[1],
            )  # fmt: skip
            expected = f"a number from {scale[0]:g} to {scale[1]:g}"
        self.checked.flag(bad, column, values, expected)
        self.checked.columns[f"answer:{code}"] = parsed

    def unique(self, name: str, label: str, repeated: pa.Array) -> None:
        """Flag every row whose value of ``name`` appears more than once in the file
        (``repeated``: the values repeated in the whole file, of which this may be a slice;
        see :meth:`keizer.ingest.load.LoadContext.repeated`)."""
        values = self.checked.columns[name]
        if len(repeated):
            mask = parse._mask(pc.is_in(values, value_set=repeated))
            self.checked.flag(mask, label, values, "a value that is unique in the file")

    def _parse(self, spec: Field, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        m = self.mapping
        if spec.type == "text":
            return parse.text(values, spec.max_length)
        if spec.type in ("int", "float"):
            return parse.number(
                values, decimal=m.decimal, integer=spec.type == "int", minimum=spec.minimum,
                maximum=spec.maximum,
            )  # fmt: skip
        if spec.type == "bool":
            return parse.boolean(values)
        if spec.type == "choice":
            return parse.choice(values, spec.choices)
        if spec.type == "date":
            limit = self.not_after.date() if spec.not_future else None
            return parse.dates(values, m.date_format, not_after=limit)
        limit_at = self.not_after if spec.not_future else None
        return parse.datetimes(values, m.datetime_format, timezone=m.timezone, not_after=limit_at)

    @staticmethod
    def _future_note(spec: Field) -> str:
        return ", not in the future" if spec.not_future else ""


class MissingColumnError(Exception):
    """A required field has no column in the file (turned into a user error by the caller)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
