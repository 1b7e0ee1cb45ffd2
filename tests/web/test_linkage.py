"""The Linkage page: who sees it, the findings and tables against ``ws.linkage``, its CSV,
both languages, and the message when the store holds too little data."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient

import keizer
from keizer.config import Settings
from keizer.demo import generate
from keizer.linkage import LinkageResult
from keizer.linkage.labels import label
from keizer.linkage.summaries import OUTCOME_FACTOR, step
from keizer.web import create_app
from keizer.web.access import LINKAGE_ROLES
from keizer.web.linkage import findings, links_table

from .conftest import ROLE_LOGINS, TEST_SECRET, login_as, set_language

_ROW = re.compile(r'<tr class="link">(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


@pytest.fixture(scope="module")
def result(demo_ws: keizer.Workspace) -> LinkageResult:
    return demo_ws.linkage()


def _rows(page: str) -> list[list[str]]:
    return [[html.unescape(c).strip() for c in _CELL.findall(r)] for r in _ROW.findall(page)]


def test_allowed_role_sees_findings_and_links_with_matching_csv(
    client: TestClient, result: LinkageResult
) -> None:
    login_as(client, "analyst")
    set_language(client, "en")
    page = client.get("/linkage")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'href="/linkage"' in text  # in the navigation
    assert "not proof of cause" in text
    expected = findings(result, "en")
    if expected:
        for sentence in expected:
            assert sentence in text
    else:
        assert "No link is significant after correction for multiple testing." in text
    table = links_table(result, "en")
    assert len(table) == int((result.effects["status"] == "ok").sum()) > 0
    rows = _rows(page.text)
    assert len(rows) == len(table)

    response = client.get("/linkage/csv/links")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.text)))
    assert len(records) == len(rows)
    for shown, record in zip(rows, records, strict=True):
        assert shown[0] == record["measure"]
        assert shown[1] == record["outcome"]
        assert shown[2] == record["lag"]
        assert float(shown[3].replace(",", "")) == pytest.approx(float(record["estimate"]))
        low, high = (float(x.replace(",", "")) for x in shown[4].split(" – "))
        assert (low, high) == pytest.approx((float(record["ci_low"]), float(record["ci_high"])))
        assert float(shown[5]) == pytest.approx(float(record["q_value"]))
        assert (shown[6] == "yes") == (record["significant"] == "True")
    # The CSV's numbers are the analysis' own, on the scale of its sentences.
    ok = result.effects[result.effects["status"] == "ok"]
    source = {(label(r.measure), label(r.outcome), str(r.lag)): r for r in ok.itertuples()}
    assert len(source) == len(records)
    for record in records:
        link = source[(record["measure"], record["outcome"], record["lag"])]
        factor = step(str(link.measure)) * OUTCOME_FACTOR.get(str(link.outcome), 1.0)
        for column, name in (("estimate", "estimate"), ("ci_low", "low"), ("ci_high", "high")):
            truth = float(getattr(link, name)) * factor
            assert float(record[column]) == pytest.approx(truth, abs=6e-4)
        assert float(record["q_value"]) == pytest.approx(float(link.q_value), abs=6e-5)


@pytest.mark.parametrize("role", sorted(ROLE_LOGINS))
def test_linkage_is_for_organisation_roles_only(client: TestClient, role: str) -> None:
    login_as(client, role)
    allowed = role in LINKAGE_ROLES
    assert (role == "team-lead") != allowed
    for path in ("/linkage", "/linkage/csv/links"):
        assert client.get(path).status_code == (200 if allowed else 403)
    start = client.get("/team" if role == "team-lead" else "/overview").text
    assert ('href="/linkage"' in start) == allowed


@pytest.mark.parametrize(
    ("language", "texts"),
    [("nl", ["Belangrijkste bevindingen", "geen bewijs van oorzaak", "Gecorrigeerde p"]),
     ("en", ["Key findings", "not proof of cause", "Adjusted p"])],
)  # fmt: skip
def test_both_languages_render(client: TestClient, language: str, texts: list[str]) -> None:
    login_as(client, "board")
    set_language(client, language)
    page = client.get("/linkage")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    for text in texts:
        assert text in html.unescape(page.text)
    measure = label("ees", language)  # type: ignore[arg-type]
    assert measure in html.unescape(client.get("/linkage/csv/links").text)


def test_too_little_data_says_not_shown(tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = keizer.open(str(tmp_path_factory.mktemp("lk") / "small.duckdb"),
                     settings=Settings(secret_key=TEST_SECRET))  # fmt: skip
    try:
        generate(ws, employees=30, months=3, seed=3)
        ws.add_demo_users()
        with TestClient(create_app(ws), raise_server_exceptions=False) as client:
            login_as(client, "admin")
            set_language(client, "en")
            page = client.get("/linkage")
            assert page.status_code == 200
            text = html.unescape(page.text)
            assert "Not shown" in text
            assert not _rows(page.text)
            assert client.get("/linkage/csv/links").status_code == 200
    finally:
        ws.close()


def test_the_models_run_without_holding_the_read_lock(
    demo_ws: keizer.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the panel reads the store: while the models run (seconds on a real organisation),
    other pages and the ingest API can use the DuckDB connection."""
    from keizer import linkage
    from keizer.web.api.deps import read_lock
    from keizer.web.linkage import computed
    from keizer.web.state import WebState

    held_while_modelling = []
    real = linkage.analyse

    def watching(*args: object, **kwargs: object) -> LinkageResult:
        lock = read_lock(demo_ws)
        free = lock.acquire(blocking=False)
        if free:
            lock.release()
        held_while_modelling.append(not free)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(linkage, "analyse", watching)  # the workspace imports it when used
    state = WebState(demo_ws)
    state.invalidate()
    outcome = computed(state)
    assert outcome.result is not None, outcome.problem
    assert held_while_modelling == [False]
