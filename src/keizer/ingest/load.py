"""Per kind of import: extra checks, reference checks against the store, and the load itself."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from keizer.errors import NotFoundError, ValidationError
from keizer.feedback import service as feedback
from keizer.feedback.schemas import SurveyCreate, SurveyRead
from keizer.ingest import parse
from keizer.ingest.fields import ImportKind
from keizer.ingest.formats.base import SurveyExport
from keizer.ingest.mapping import Mapping, normalise
from keizer.ingest.parse import _mask
from keizer.ingest.questions import infer_question
from keizer.ingest.raw import RawTable
from keizer.ingest.validate import Checked, Validator
from keizer.ingest.write import write_interactions, write_responses
from keizer.operations.models import Interaction
from keizer.org import service as org
from keizer.org.models import Employee, OrgUnit
from keizer.org.schemas import OrgUnitCreate
from keizer.privacy import PersonKind, Pseudonymiser
from keizer.store.bulk import UpsertResult, stored_keys
from keizer.workforce import service as workforce


@dataclass
class LoadContext:
    """Everything a loader needs besides the validated columns."""

    session: Session
    pseudonymiser: Pseudonymiser
    raw: RawTable
    mapping: Mapping
    survey: str | None = None
    export: SurveyExport | None = None
    mapping_given: bool = False  # the user wrote the mapping (else it was suggested)
    survey_read: SurveyRead | None = None
    answer_columns: dict[str, str] = field(default_factory=dict)  # column -> question code
    ignored_columns: list[str] = field(default_factory=list)
    stored: pa.Array | None = None  # keys of the file the store holds already (responses)
    _whole: dict[str, pa.Array] = field(default_factory=dict)
    _repeated: dict[str, pa.Array] = field(default_factory=dict)
    _hashed: dict[str, tuple[pa.Array, pa.Array]] = field(default_factory=dict)

    def whole_column(self, name: str) -> pa.Array:
        """The mapped column of field ``name`` over the whole file (the import works on
        slices), cleaned and value-mapped like :meth:`Validator.field` does; cached."""
        if name not in self._whole:
            column = self.mapping.columns.get(name, name)
            values = parse.clean(self.raw.data.column(column).combine_chunks())
            self._whole[name] = parse.translate(values, self.mapping.values.get(name, {}))
        return self._whole[name]

    def repeated(self, name: str) -> pa.Array:
        """The values of field ``name`` that occur more than once in the whole file; counted
        once per file, not per slice (that was quadratic in the file's size)."""
        if name not in self._repeated:
            counts = pc.value_counts(self.whole_column(name).drop_null())
            self._repeated[name] = counts.filter(pc.greater(counts.field("counts"), 1)).field(
                "values"
            )
        return self._repeated[name]

    def pseudonyms(self, kind: PersonKind, name: str, checked: Checked) -> pa.Array:
        """Pseudonyms of the ids in text field ``name`` of ``checked`` (a slice of the file).

        Each distinct id of the whole file is hashed once; per slice, hashing its own
        distinct ids again cost a third of a large import (customers recur across slices)."""
        if name not in self._hashed:
            self._hashed[name] = _hashed_ids(self.pseudonymiser, kind, self.whole_column(name))
        indices, hashed = self._hashed[name]
        values = checked.columns[name]
        offset = checked.raw.first_row - self.raw.first_row
        found = pc.take(hashed, indices.slice(offset, len(values)))
        return pc.if_else(pc.is_valid(values), found, pa.scalar(None, pa.string()))


def pseudonymise(pseudonymiser: Pseudonymiser, kind: PersonKind, values: pa.Array) -> pa.Array:
    """Pseudonyms for a column of raw ids, hashing each distinct id once."""
    indices, hashed = _hashed_ids(pseudonymiser, kind, values)
    return pc.take(hashed, indices)


def _hashed_ids(
    pseudonymiser: Pseudonymiser, kind: PersonKind, values: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """The pseudonym of each distinct id of ``values`` and, per row, the position of its
    own (null for an empty id)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)  # distinct ids and, per row, which one (nulls kept)
    pseudonym = pseudonymiser.pseudonym
    hashed = pa.array([pseudonym(kind, v) for v in encoded.dictionary.to_pylist()], pa.string())
    return encoded.indices, hashed


def _kept(array: pa.Array, keep: np.ndarray) -> pa.Array:
    return array.filter(pa.array(keep))


class Loader:
    """Defaults: no extra checks, no references."""

    kind: ImportKind

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        """Checks across fields or rows, after each field was parsed."""

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        """Flag rows that refer to records the store does not have."""

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        raise NotImplementedError


def _unknown(
    context: LoadContext,
    checked: Checked,
    name: str,
    values: pa.Array,
    existing: set[str],
    what: str,
    *,
    create: bool = False,
) -> list[str]:
    """Flag rows whose ``values`` are not in ``existing``; with ``create``, return them instead."""
    distinct = set(pc.unique(values.drop_null()).to_pylist())
    missing = sorted(distinct - existing)
    if not missing:
        return []
    if create and context.mapping.unknown_references == "create":
        return missing
    mask = _mask(pc.is_in(values, value_set=pa.array(missing, pa.string())))
    label = context.mapping.columns.get(name, name)
    hint = "load them first" + (", or set unknown_references: create" if create else "")
    checked.flag(mask, label, checked.columns[name], f"a known {what} ({hint})")
    return []


def _existing(session: Session, column: InstrumentedAttribute[str], values: pa.Array) -> set[str]:
    """Which of the distinct ``values`` the store has in ``column``."""
    distinct = pc.unique(values.drop_null()).to_pylist()
    found: set[str] = set()
    for start in range(0, len(distinct), 5_000):
        chunk = distinct[start : start + 5_000]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _check_teams(context: LoadContext, checked: Checked) -> None:
    if "team" not in checked.columns:
        return
    teams = checked.columns["team"]
    existing = _existing(context.session, OrgUnit.source_key, teams)
    create = _unknown(context, checked, "team", teams, existing, "team", create=True)
    if create:
        org.upsert_org_units(
            session=context.session,
            units=[OrgUnitCreate(source_key=key, name=key, kind="team") for key in create],
        )


def _check_employees(context: LoadContext, checked: Checked, name: str) -> pa.Array | None:
    if name not in checked.columns:
        return None
    pseudonyms = pseudonymise(context.pseudonymiser, "employee", checked.columns[name])
    existing = _existing(context.session, Employee.pseudonym, pseudonyms)
    create = _unknown(context, checked, name, pseudonyms, existing, "employee", create=True)
    if create:
        org.upsert_employee_rows(
            session=context.session, rows=pa.table({"pseudonym": pa.array(create, pa.string())})
        )
    checked.columns[f"{name}:pseudonym"] = pseudonyms
    return pseudonyms


def _unique(context: LoadContext, validator: Validator, name: str) -> None:
    """Flag rows whose ``name`` is repeated anywhere in the file (not only in this slice)."""
    validator.unique(name, validator.mapping.columns.get(name, name), context.repeated(name))


def _table(columns: dict[str, pa.Array | None], keep: np.ndarray) -> pa.Table:
    return pa.table({k: _kept(v, keep) for k, v in columns.items() if v is not None})


class OrgUnitLoader(Loader):
    kind: ImportKind = "org-units"

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        _unique(context, validator, "source_key")

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        if "parent_key" not in checked.columns:
            return
        parents = checked.columns["parent_key"]
        in_file = set(checked.columns["source_key"].drop_null().to_pylist())
        stored = _existing(context.session, OrgUnit.source_key, parents)
        _unknown(context, checked, "parent_key", parents, in_file | stored, "parent unit")

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        rows = _table(dict(checked.columns), keep).to_pylist()
        units = [OrgUnitCreate.model_validate(row) for row in rows]
        return org.upsert_org_units(session=context.session, units=units)


class EmployeeLoader(Loader):
    kind: ImportKind = "employees"

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        _unique(context, validator, "employee_id")
        columns = validator.checked.columns
        if "hire_date" in columns and "leave_date" in columns:
            before = _mask(pc.less(columns["leave_date"], columns["hire_date"]))
            label = context.mapping.columns.get("leave_date", "leave_date")
            validator.checked.flag(before, label, columns["leave_date"], "a date after hire_date")

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        _check_teams(context, checked)

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        c = checked.columns
        p = context.pseudonymiser
        band = None
        if "birth_year" in c:
            year = pc.cast(c["birth_year"], pa.int64())
            start = pc.subtract(year, pc.remainder(year, 5))  # five-year bands: 1980-1984
            band = pc.binary_join_element_wise(
                pc.cast(start, pa.string()), pc.cast(pc.add(start, 4), pa.string()), "-"
            )
        role = pc.fill_null(c["role"], "agent") if "role" in c else None
        rows = _table(
            {
                "pseudonym": pseudonymise(p, "employee", c["employee_id"]),
                "team_key": c.get("team"),
                "manager_pseudonym": (
                    pseudonymise(p, "employee", c["manager_id"]) if "manager_id" in c else None
                ),
                "role": role,
                "hire_date": c.get("hire_date"),
                "leave_date": c.get("leave_date"),
                "work_mode": c.get("work_mode"),
                "fte": c.get("fte"),
                "birth_year_band": band,
            },
            keep,
        )
        return org.upsert_employee_rows(session=context.session, rows=rows)


class InteractionLoader(Loader):
    kind: ImportKind = "interactions"

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        _unique(context, validator, "interaction_id")

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        _check_teams(context, checked)
        _check_employees(context, checked, "employee_id")

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        c = checked.columns
        customers = c.get("customer_id")
        rows = _table(
            {
                "source_key": c["interaction_id"],
                "channel": c["channel"],
                "started_at": c["started_at"],
                "customer_pseudonym": (
                    context.pseudonyms("customer", "customer_id", checked)
                    if customers is not None
                    else None
                ),
                "employee_pseudonym": c.get("employee_id:pseudonym"),
                "team_key": c.get("team"),
                **{k: c.get(k) for k in ("queue", "topic", "talk_s", "hold_s", "after_call_s",
                                         "transferred", "resolved")},
            },
            keep,
        )  # fmt: skip
        if context.stored is None:  # once per file, not per slice
            context.stored = stored_keys(
                context.session.connection(), target="interaction", column="source_key",
                keys=context.whole_column("interaction_id"),
            )  # fmt: skip
        return write_interactions(context.session, rows, context.stored)


class ResponseLoader(Loader):
    kind: ImportKind = "responses"

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        _unique(context, validator, "response_id")
        key = self._survey_key(context, validator.checked)
        survey = self._survey(context, key)
        mapped = set(context.mapping.columns.values())
        answers = {c: code for c, code in context.mapping.answers.items() if c not in mapped}
        if survey is not None:
            codes = {q.code: q for q in survey.questions}
            known = {c: code for c, code in answers.items() if code in codes}
            if context.mapping_given and context.mapping.answers:
                unknown = sorted(set(answers) - set(known))
                if unknown:
                    raise ValidationError(
                        f"{context.raw.source}: {', '.join(unknown)} "
                        f"{'is not a question' if len(unknown) == 1 else 'are not questions'}"
                        f" of survey {key!r}; questions: {', '.join(codes)}"
                    )
            context.ignored_columns = sorted(set(answers) - set(known))
            for column, code in known.items():
                q = codes[code]
                scale = (q.scale_min, q.scale_max) if q.scale_min is not None else None
                validator.answer(column, code, scale)  # type: ignore[arg-type]
            context.answer_columns = known
            context.survey_read = survey
            return
        questions = []
        texts = {q.code: q.text for q in context.export.questions} if context.export else {}
        for position, (column, code) in enumerate(answers.items()):
            values = parse.clean(context.raw.data.column(column).combine_chunks())
            hint = context.mapping.questions.get(code)
            questions.append(
                infer_question(code, values, text=texts.get(code), hint=hint, position=position)
            )
        survey_in = SurveyCreate(
            source_key=key,
            name=context.mapping.survey_name or key,
            audience=context.mapping.audience,
            kind=context.mapping.survey_kind,
            questions=tuple(questions),
        )
        created = feedback.upsert_survey(session=context.session, survey=survey_in)
        for column, q in zip(answers, created.questions, strict=True):
            scale = (q.scale_min, q.scale_max) if q.scale_min is not None else None
            validator.answer(column, q.code, scale)  # type: ignore[arg-type]
        context.answer_columns = answers
        context.survey_read = created

    @staticmethod
    def _survey_key(context: LoadContext, checked: Checked) -> str:
        if context.survey:
            return context.survey
        surveys = context.whole_column("survey") if "survey" in checked.columns else None
        distinct = pc.unique(surveys.drop_null()).to_pylist() if surveys is not None else []
        if len(distinct) == 1:
            return str(distinct[0])
        if len(distinct) > 1:
            raise ValidationError(
                f"{context.raw.source}: holds responses to {len(distinct)} surveys "
                f"({', '.join(map(str, distinct[:5]))}); import one survey per file"
            )
        if context.export is not None:
            stem = normalise(context.raw.source.rsplit(".", 1)[0])
            return f"{context.export.tool}-{stem}"
        raise ValidationError(
            f"{context.raw.source}: which survey do these responses answer? Give --survey KEY "
            "or map a survey column"
        )

    @staticmethod
    def _survey(context: LoadContext, key: str) -> SurveyRead | None:
        try:
            return feedback.get_survey(session=context.session, source_key=key)
        except NotFoundError:
            return None

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        _check_teams(context, checked)
        if "interaction_id" in checked.columns:
            interactions = checked.columns["interaction_id"]
            existing = _existing(context.session, Interaction.source_key, interactions)
            _unknown(context, checked, "interaction_id", interactions, existing, "interaction")

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        c = checked.columns
        survey = context.survey_read
        assert survey is not None
        audience: PersonKind = "employee" if survey.audience == "employee" else "customer"
        respondents = c.get("respondent_id")
        responses = _table(
            {
                "source_key": c["response_id"],
                "submitted_at": c["submitted_at"],
                "respondent_pseudonym": (
                    context.pseudonyms(audience, "respondent_id", checked)
                    if respondents is not None
                    else None
                ),
                "respondent_role": c.get("respondent_role"),
                "interaction_key": c.get("interaction_id"),
                "team_key": c.get("team"),
                "channel": c.get("channel"),
                "language": c.get("language"),
            },
            keep,
        )
        keys = responses["source_key"].combine_chunks()
        answers = _long_answers(keys, {
            code: _kept(c[f"answer:{code}"], keep) for code in context.answer_columns.values()
        }, {q.code: q.id for q in survey.questions})  # fmt: skip
        if context.stored is None:  # once per file, not per slice
            context.stored = stored_keys(
                context.session.connection(), target="response", column="source_key",
                keys=context.whole_column("response_id"),
            )  # fmt: skip
        return write_responses(context.session, survey, responses, answers, context.stored)


def _long_answers(
    keys: pa.Array, answers: dict[str, pa.Array], question_ids: dict[str, int]
) -> pa.Table:
    """Answer rows (response_key, question_code, value_num, value_text), one per non-empty
    answer, plus one row without a question for each response that has no answers; with the
    position of each row's response in ``keys`` (``response_row``) and its question's id
    (``question_id``, from ``question_ids``), so the writer needs no lookup by text."""
    parts = []
    answered = np.zeros(len(keys), dtype=bool)
    for code, values in answers.items():
        has = _mask(pc.is_valid(values))
        answered |= has
        chosen = pa.array(has)
        numeric = pa.types.is_floating(values.type)
        kept = values.filter(chosen)
        count = len(kept)
        parts.append(
            _answer_part(
                keys.filter(chosen), np.flatnonzero(has), code, question_ids.get(code),
                kept if numeric else pa.nulls(count, pa.float64()),
                pa.nulls(count, pa.string()) if numeric else kept,
            )
        )  # fmt: skip
    unanswered = np.flatnonzero(~answered)
    count = len(unanswered)
    parts.append(
        _answer_part(
            keys.take(pa.array(unanswered)), unanswered, None, None,
            pa.nulls(count, pa.float64()), pa.nulls(count, pa.string()),
        )
    )  # fmt: skip
    return pa.concat_tables(parts)


def _answer_part(
    keys: pa.Array,
    rows: np.ndarray,
    code: str | None,
    question_id: int | None,
    value_num: pa.Array,
    value_text: pa.Array,
) -> pa.Table:
    """The answer rows of one question (``code`` None: the responses without answers)."""
    count = len(keys)
    return pa.table(
        {
            "response_key": keys,
            "question_code": pa.repeat(pa.scalar(code, pa.string()), count),
            "value_num": value_num,
            "value_text": value_text,
            "response_row": pa.array(rows, pa.int64()),
            "question_id": pa.repeat(pa.scalar(question_id, pa.int64()), count),
        }
    )


class _EmployeeEventLoader(Loader):
    """HR events and absence spells: rows of one employee each."""

    def check_references(self, context: LoadContext, checked: Checked) -> None:
        _check_employees(context, checked, "employee_id")

    def _rows(self, checked: Checked, keep: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
        c = checked.columns
        return _table(
            {"employee_pseudonym": c["employee_id:pseudonym"], **{k: c.get(k) for k in columns}},
            keep,
        )


class HREventLoader(_EmployeeEventLoader):
    kind: ImportKind = "hr-events"

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        rows = self._rows(checked, keep, ("source_key", "kind", "event_date", "voluntary",
                                          "reason"))  # fmt: skip
        derived = [
            workforce.hr_event_key(p, k, d)
            for p, k, d in zip(
                rows["employee_pseudonym"].to_pylist(),
                rows["kind"].to_pylist(),
                rows["event_date"].to_pylist(),
                strict=True,
            )
        ]
        rows = _with_keys(rows, derived)
        return workforce.upsert_hr_event_rows(session=context.session, rows=rows)


class AbsenceLoader(_EmployeeEventLoader):
    kind: ImportKind = "absence"

    def validate_extra(self, context: LoadContext, validator: Validator) -> None:
        columns = validator.checked.columns
        if "end_date" in columns:
            before = _mask(pc.less(columns["end_date"], columns["start_date"]))
            label = context.mapping.columns.get("end_date", "end_date")
            validator.checked.flag(before, label, columns["end_date"], "a date after start_date")

    def load(self, context: LoadContext, checked: Checked, keep: np.ndarray) -> UpsertResult:
        rows = self._rows(checked, keep, ("source_key", "start_date", "end_date", "fraction",
                                          "reason_class"))  # fmt: skip
        derived = [
            workforce.absence_key(p, d)
            for p, d in zip(
                rows["employee_pseudonym"].to_pylist(), rows["start_date"].to_pylist(), strict=True
            )
        ]
        if "fraction" in rows.column_names:
            rows = rows.set_column(
                rows.column_names.index("fraction"), "fraction", pc.fill_null(rows["fraction"], 1.0)
            )
        rows = _with_keys(rows, derived)
        return workforce.upsert_absence_rows(session=context.session, rows=rows)


def _with_keys(rows: pa.Table, derived: list[str]) -> pa.Table:
    """Use the file's own keys where it has them, else the derived natural keys."""
    derived_array = pa.array(derived, pa.string())
    if "source_key" in rows.column_names:
        merged = pc.coalesce(rows["source_key"].combine_chunks(), derived_array)
        return rows.set_column(rows.column_names.index("source_key"), "source_key", merged)
    return rows.append_column("source_key", derived_array)


LOADERS: dict[ImportKind, Loader] = {
    "org-units": OrgUnitLoader(),
    "employees": EmployeeLoader(),
    "interactions": InteractionLoader(),
    "responses": ResponseLoader(),
    "hr-events": HREventLoader(),
    "absence": AbsenceLoader(),
}
