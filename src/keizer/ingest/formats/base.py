"""The shape every survey-tool export is turned into."""

from __future__ import annotations

from dataclasses import dataclass

from keizer.ingest.raw import RawTable

# Canonical columns a recognised export may carry (all text); any other column is an answer,
# named by its question code.
RESPONSE_ID = "response_id"
SUBMITTED_AT = "submitted_at"
STARTED_AT = "started_at"
LANGUAGE = "language"
RESPONDENT_ID = "respondent_id"
FINISHED = "finished"
CANONICAL_COLUMNS = (RESPONSE_ID, SUBMITTED_AT, STARTED_AT, LANGUAGE, RESPONDENT_ID, FINISHED)


@dataclass(frozen=True)
class QuestionInfo:
    """A question as the export names it: ``code`` is the answer column's name."""

    code: str
    text: str | None = None


@dataclass(frozen=True)
class SurveyExport:
    """A recognised export: canonical and answer columns, and the questions they answer."""

    tool: str
    table: RawTable
    questions: tuple[QuestionInfo, ...]
    date_format: str | None = None  # strptime format of submitted_at/started_at, if fixed
    time_zone: str | None = None  # IANA zone of the export's local times, when it says so
