"""Recognise other survey tools' exports by their headers and bring them into one shape.

Each tool module has ``recognise(table) -> SurveyExport | None``; :func:`recognise` tries
them all, the most specific signature first.
"""

from __future__ import annotations

from collections.abc import Callable

from keizer.ingest.formats import formbricks, limesurvey, qualtrics, surveymonkey
from keizer.ingest.formats.base import QuestionInfo, SurveyExport
from keizer.ingest.raw import RawTable

__all__ = ["TOOLS", "QuestionInfo", "SurveyExport", "recognise"]

# Most specific first: Qualtrics needs its ImportId row or metadata IDs, SurveyMonkey and
# LimeSurvey need four fixed column names, Formbricks three of its own.
_RECOGNISERS: dict[str, Callable[[RawTable], SurveyExport | None]] = {
    qualtrics.TOOL: qualtrics.recognise,
    surveymonkey.TOOL: surveymonkey.recognise,
    limesurvey.TOOL: limesurvey.recognise,
    formbricks.TOOL: formbricks.recognise,
}
TOOLS: tuple[str, ...] = tuple(_RECOGNISERS)


def recognise(table: RawTable) -> SurveyExport | None:
    """The export ``table`` is, normalised; None when no known tool wrote it."""
    for recogniser in _RECOGNISERS.values():
        export = recogniser(table)
        if export is not None:
            return export
    return None
