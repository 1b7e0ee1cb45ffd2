"""Surveys, questions, responses and answers through the services, on both engines."""

from __future__ import annotations

import pytest
from pydantic import ValidationError as PydanticValidationError

import keizer
from keizer.feedback import service as feedback
from keizer.feedback.schemas import QuestionCreate, ResponseCreate

from factories import CX_SURVEY, EX_SURVEY, TEAMS, cx_responses, interactions, populate_org


def test_survey_with_questions_round_trips(workspace: keizer.Workspace) -> None:
    stored = workspace.add_survey(CX_SURVEY)
    assert stored.audience == "customer"
    assert [q.code for q in stored.questions] == ["nps", "ces", "friction"]
    assert stored.questions[0].text_nl == "Hoe waarschijnlijk..."
    assert (stored.questions[1].scale_min, stored.questions[1].scale_max) == (1, 7)

    extended = CX_SURVEY.model_copy(
        update={"questions": (*CX_SURVEY.questions, QuestionCreate(code="csat", metric="csat",
                                                                    scale_min=1, scale_max=5))}
    )  # fmt: skip
    again = workspace.add_survey(extended)
    assert again.id == stored.id
    assert [q.code for q in again.questions] == ["nps", "ces", "friction", "csat"]
    assert workspace.counts()["questions"] == 4


def test_responses_store_numbers_and_texts_and_replace_answers(
    workspace: keizer.Workspace,
) -> None:
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    workspace.add_interactions(interactions(8))
    assert workspace.add_responses(cx_responses(8)).inserted == 8
    with workspace.unit_of_work() as session:
        assert feedback.answers_of(session=session, source_key="RESP0000000") == {
            "nps": 0.0, "ces": 1.0, "friction": "wachttijd 0",
        }  # fmt: skip
        response = feedback.get_response(session=session, source_key="RESP0000005")
    assert response.interaction_id is not None
    assert response.language == "en"

    corrected = cx_responses(1)[0].model_copy(update={"answers": {"nps": 10.0}})
    result = workspace.add_responses([corrected])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    with workspace.unit_of_work() as session:
        assert feedback.answers_of(session=session, source_key="RESP0000000") == {"nps": 10.0}
    assert workspace.add_responses([corrected]).unchanged == 1
    emptied = corrected.model_copy(update={"answers": {}})
    assert workspace.add_responses([emptied]).updated == 1
    with workspace.unit_of_work() as session:
        assert feedback.answers_of(session=session, source_key="RESP0000000") == {}


def test_employee_responses_use_employee_pseudonyms(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_survey(EX_SURVEY)
    workspace.add_responses(
        [ResponseCreate(source_key="P1", survey_key="ex-pulse", submitted_at="2025-03-31",
                        respondent_source_id="EMP00007", respondent_role="agent",
                        team_key=TEAMS[1], answers={"enps": 8, "ees": 5})]
    )  # fmt: skip
    stored = workspace.table("responses").to_pandas().iloc[0]
    assert stored.respondent_pseudonym == workspace.pseudonymiser.pseudonym("employee", "EMP00007")
    employees = workspace.table("employees").to_pandas()
    assert stored.respondent_pseudonym in set(employees.pseudonym)


@pytest.mark.parametrize(
    ("answers", "error", "message"),
    [
        ({"nps": 11}, keizer.ValidationError, r"RESP0000000/nps=11 \(expected 0-10\)"),
        ({"ces": 0}, keizer.ValidationError, "expected 1-7"),
        ({"unknown_q": 3}, keizer.UnknownReferenceError, "question codes: unknown_q"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    workspace: keizer.Workspace, answers: dict[str, float], error: type[Exception], message: str
) -> None:
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    workspace.add_interactions(interactions(3))
    before = workspace.counts()
    batch = cx_responses(3)
    batch[0] = batch[0].model_copy(update={"answers": answers})
    with pytest.raises(error, match=message):
        workspace.add_responses(batch)
    assert workspace.counts() == before


def test_unknown_survey_or_interaction_is_refused(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    workspace.add_survey(CX_SURVEY)
    with pytest.raises(keizer.UnknownReferenceError, match="surveys: nope"):
        workspace.add_responses(
            [ResponseCreate(source_key="X", survey_key="nope", submitted_at="2025-01-01")]
        )
    with pytest.raises(keizer.UnknownReferenceError, match="interactions: INT0000000"):
        workspace.add_responses(cx_responses(1))
    assert workspace.counts()["responses"] == 0


def test_list_and_get_surveys(workspace: keizer.Workspace) -> None:
    workspace.add_survey(CX_SURVEY)
    workspace.add_survey(EX_SURVEY)
    with workspace.unit_of_work() as session:
        listed = feedback.list_surveys(session=session)
        assert [s.source_key for s in listed] == ["cx-after-contact", "ex-pulse"]
        with pytest.raises(keizer.NotFoundError):
            feedback.get_survey(session=session, source_key="missing")


def test_question_codes_must_be_unique_in_a_survey() -> None:
    from pydantic import ValidationError as PydanticValidationError

    with pytest.raises(PydanticValidationError, match="unique"):
        CX_SURVEY.model_copy(update={"questions": CX_SURVEY.questions * 2}).model_validate(
            CX_SURVEY.model_copy(update={"questions": CX_SURVEY.questions * 2}).model_dump()
        )


def test_a_time_before_year_one_in_utc_is_a_validation_error() -> None:
    with pytest.raises(PydanticValidationError, match="outside years 1 to 9999"):
        ResponseCreate(source_key="r", survey_key="s", submitted_at="0001-01-01T00:00:00+01:00")
