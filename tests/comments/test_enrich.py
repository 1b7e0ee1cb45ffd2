"""Text analytics on the store, on both engines: incremental enrichment and trained models."""

from __future__ import annotations

import csv
from pathlib import Path

import keizer
from keizer.feedback.schemas import QuestionCreate, ResponseCreate, SurveyCreate

SURVEY = SurveyCreate(
    source_key="cx",
    name="After contact",
    audience="customer",
    kind="transactional",
    questions=(
        QuestionCreate(code="nps", metric="nps", scale_min=0, scale_max=10),
        QuestionCreate(code="friction", metric="open_friction"),
    ),
)
COMMENTS = [
    "Ik moest heel lang wachten en werd drie keer doorverbonden. Echt slecht!",
    "Super vriendelijke medewerker, bedankt voor de snelle hulp.",
    "I recently lost my job and I cannot pay the bill this month, I am really worried.",
    "Prima geholpen.",
]


def _responses(comments: list[str], start: int = 0) -> list[ResponseCreate]:
    return [
        ResponseCreate(
            source_key=f"R{start + i}",
            survey_key="cx",
            submitted_at="2025-03-01T10:00:00Z",
            respondent_source_id=f"K{start + i}",
            answers={"nps": 5, "friction": comment},
        )
        for i, comment in enumerate(comments)
    ]


def test_enrich_twice_processes_only_new_comments(workspace: keizer.Workspace) -> None:
    workspace.add_survey(SURVEY)
    workspace.add_responses(_responses(COMMENTS))
    first = workspace.enrich_comments()
    assert (first.analysed, first.up_to_date, first.analyser) == (4, 0, "lexicon")
    second = workspace.enrich_comments()
    assert (second.analysed, second.up_to_date) == (0, 4)

    workspace.add_responses(_responses(["Dank je wel, top service!"], start=10))
    changed = _responses(COMMENTS[:1])[0].model_copy(
        update={"answers": {"nps": 5, "friction": "Toch nog een keer teruggebeld, netjes."}}
    )
    workspace.add_responses([changed])
    third = workspace.enrich_comments()
    assert (third.analysed, third.up_to_date) == (2, 3)

    rows = workspace.table("comment_analyses").to_pandas()
    assert len(rows) == 5
    by_sentiment = dict(
        zip(rows.redacted_text.str[:12], rows.sentiment, strict=True)
    )  # keyed by the start of the text
    assert by_sentiment["Super vriend"] == "positive"
    assert by_sentiment["I recently l"] == "negative"
    worried = rows[rows.redacted_text.str.startswith("I recently")].iloc[0]
    assert "resilience" in worried.vulnerability or "life_events" in worried.vulnerability
    customers = workspace.table("customers").to_pandas()
    flagged = customers[customers.vulnerable_resilience | customers.vulnerable_life_event]
    assert flagged.pseudonym.tolist() == [workspace.pseudonymiser.pseudonym("customer", "K2")]
    assert flagged.vulnerability_source.tolist() == ["text"]


def test_a_trained_model_is_kept_and_reanalyses_everything(
    workspace: keizer.Workspace, tmp_path: Path
) -> None:
    workspace.add_survey(SURVEY)
    workspace.add_responses(_responses(COMMENTS))
    workspace.enrich_comments()
    labelled = tmp_path / "labelled.csv"
    with labelled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(15):
            writer.writerow([f"geweldig goed snel geholpen {i}", "positive"])
            writer.writerow([f"slecht lang wachten boos {i}", "negative"])
    trained = workspace.train_text_model(labelled, name="ours")
    assert trained.rows == 30
    assert trained.cv_macro_f1 is not None
    assert trained.cv_macro_f1 > 0.9
    result = workspace.enrich_comments()
    assert result.analysed == 4
    assert result.analyser == f"model:{trained.model_id}"
    assert workspace.enrich_comments().analysed == 0
    assert workspace.enrich_comments(use_model=False).analysed == 4
