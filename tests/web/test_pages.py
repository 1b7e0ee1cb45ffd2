"""The dashboards over HTTP: roles, pages, filters, the same numbers as ws.kpi, CSV, errors."""

from __future__ import annotations

import csv
import io
import math
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import keizer
from keizer.web import create_app
from keizer.web.access import ROLE_PAGES
from keizer.web.app import plotly_js
from keizer.web.dashboards import PAGES

from .conftest import ROLE_LOGINS, LiveServer, csrf_of, login_as, set_language

PERIOD = {"from": "2026-08-01", "to": "2026-10-31"}


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _lead_team(ws: keizer.Workspace) -> int:
    lead = next(u for u in ws.users() if u.role == "team-lead")
    return lead.team_ids[0]


def _other_team(ws: keizer.Workspace, own: int) -> int:
    units = ws.table("org_units").to_pandas()
    return int(units[(units["kind"] == "team") & (units["id"] != own)]["id"].iloc[0])


@pytest.mark.parametrize("path", ["/", "/overview", "/employee", "/team/1", "/overview/csv/cx"])
def test_anonymous_pages_redirect_to_the_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/v1/kpis", "/api/v1/kpi/nps", "/api/v1/me"])
def test_anonymous_api_requests_get_401(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_public_routes_answer_without_login(client: TestClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/static/keizer.css").status_code == 200


def test_plotly_and_htmx_are_served_from_the_package(client: TestClient) -> None:
    plotly = client.get("/static/vendor/plotly.min.js")
    assert plotly.status_code == 200
    assert plotly.content == plotly_js().read_bytes()
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200
    assert b"htmx" in htmx.content[:2000]


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_role_opens_its_pages_and_no_others(
    client: TestClient, demo_ws: keizer.Workspace, role: str
) -> None:
    login_as(client, role)
    team = _lead_team(demo_ws)
    for page in PAGES:
        path = f"/team/{team}" if page == "team" else f"/{page}"
        response = client.get(path, params=PERIOD)
        expected = 200 if page in ROLE_PAGES[role] else 403  # type: ignore[index]
        assert response.status_code == expected, (role, page, response.text[:300])
        if expected == 200:
            assert 'class="panel' in response.text
            assert "Traceback" not in response.text


def test_home_sends_each_role_to_its_first_page(client: TestClient) -> None:
    login_as(client, "team-lead")
    first = client.get("/", follow_redirects=False)
    assert first.headers["location"] == "/team"
    assert client.get("/team", follow_redirects=False).headers["location"].startswith("/team/")


def test_team_lead_cannot_open_another_team(client: TestClient, demo_ws: keizer.Workspace) -> None:
    login_as(client, "team-lead")
    own = _lead_team(demo_ws)
    other = _other_team(demo_ws, own)
    assert client.get(f"/team/{own}").status_code == 200
    refused = client.get(f"/team/{other}")
    assert refused.status_code == 403
    assert "Geen toegang" in refused.text  # the Dutch 403 page
    assert client.get(f"/team/{other}/csv/ex").status_code == 403
    assert client.get("/overview").status_code == 403


def test_board_sees_no_single_team(client: TestClient, demo_ws: keizer.Workspace) -> None:
    login_as(client, "analyst")  # fills the page cache with tables by team first
    for page_name in ("employee", "operations"):
        assert _csv(client.get(f"/{page_name}/csv/by_team", params=PERIOD).text)
    login_as(client, "board")
    units = demo_ws.table("org_units").to_pandas()
    team_key = units[units["kind"] == "team"]["source_key"].iloc[0]
    assert client.get("/overview", params={"team": team_key}).status_code == 403
    page = client.get("/overview").text
    assert 'name="team"' not in page
    assert 'name="location"' in page
    team_names = set(units[units["kind"] == "team"]["name"])
    for page_name in ("employee", "operations"):  # their tables by team: by department here
        assert client.get(f"/{page_name}/csv/by_team", params=PERIOD).status_code == 404
        rows = _csv(client.get(f"/{page_name}/csv/by_department", params=PERIOD).text)
        assert rows
        assert "team" not in rows[0]
        assert not {r["department"] for r in rows} & team_names


def test_overview_figures_are_the_kpi_engines(
    client: TestClient, demo_ws: keizer.Workspace
) -> None:
    login_as(client, "analyst")
    rows = _csv(client.get("/overview/csv/cx", params=PERIOD).text)
    expected = demo_ws.kpi(
        ["nps", "csat", "ces"], period=(date(2026, 8, 1), date(2026, 10, 31)),
        compare="previous_period",
    )  # fmt: skip
    assert [r["kpi"] for r in rows] == list(expected["kpi"])
    scale = {"nps": 1, "csat": 100, "ces": 1}
    places = {"nps": 1, "csat": 1, "ces": 2}
    for row, want in zip(rows, expected.itertuples(), strict=True):
        k = row["kpi"]
        assert float(row["value"]) == pytest.approx(round(want.value * scale[k], places[k]))
        assert float(row["ci_low"]) == pytest.approx(round(want.ci_low * scale[k], places[k]))
        assert float(row["ci_high"]) == pytest.approx(round(want.ci_high * scale[k], places[k]))
        assert int(row["n"]) == int(want.n)
        assert row["significant"] == str(bool(want.significant))


def test_a_filter_changes_the_figures_as_ws_kpi_does(
    client: TestClient, demo_ws: keizer.Workspace
) -> None:
    login_as(client, "cx-manager")
    params = {**PERIOD, "channel": "phone", "location": "demo:loc:utrecht"}
    rows = {r["kpi"]: r for r in _csv(client.get("/overview/csv/cx", params=params).text)}
    expected = demo_ws.kpi(
        "nps", where={"channel": "phone", "location": "demo:loc:utrecht"},
        period=(date(2026, 8, 1), date(2026, 10, 31)),
    )  # fmt: skip
    assert float(rows["nps"]["value"]) == pytest.approx(round(expected["value"].iloc[0], 1))
    everyone = {r["kpi"]: r for r in _csv(client.get("/overview/csv/cx", params=PERIOD).text)}
    assert int(rows["nps"]["n"]) < int(everyone["nps"]["n"])


def test_filters_that_do_not_apply_are_named(client: TestClient) -> None:
    login_as(client, "admin")
    set_language(client, "en")
    page = client.get("/overview", params={**PERIOD, "channel": "chat"})
    assert "Not filtered by: Channel" in page.text


def test_csv_and_table_show_the_same_numbers(client: TestClient) -> None:
    login_as(client, "admin")
    set_language(client, "en")
    html = client.get("/operations", params=PERIOD).text
    rows = _csv(client.get("/operations/csv/by_channel", params=PERIOD).text)
    assert rows
    for row in rows:
        value = float(row["value"])
        shown = f"{value:,.0f}" if row["kpi"] == "aht" else f"{value:,.1f}"
        assert shown in html, (row, shown)
    assert client.get("/operations/csv/nope", params=PERIOD).status_code == 404


def test_dutch_pages_use_the_decimal_comma(client: TestClient) -> None:
    login_as(client, "analyst")
    rows = {r["kpi"]: r for r in _csv(client.get("/overview/csv/cx", params=PERIOD).text)}
    ces = float(rows["ces"]["value"])
    set_language(client, "nl")
    dutch = client.get("/overview", params=PERIOD).text
    assert f"{ces:.2f}".replace(".", ",") in dutch
    assert "Klanten" in dutch
    set_language(client, "en")
    english = client.get("/overview", params=PERIOD).text
    assert f"{ces:.2f}" in english
    assert "Customers" in english


def test_htmx_filter_requests_get_the_panels_only(client: TestClient) -> None:
    login_as(client, "admin")
    headers = {"HX-Request": "true", "HX-Target": "panels"}
    fragment = client.get("/customer", params={**PERIOD, "channel": "email"}, headers=headers)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="panel-cx"' in fragment.text


def test_suppressed_cells_say_too_few_responses_never_zero(
    client: TestClient, demo_ws: keizer.Workspace
) -> None:
    """A filter that leaves fewer than five respondents: the engine suppresses, the page says
    so in words, and the CSV leaves the value empty."""
    login_as(client, "team-lead")
    team = _lead_team(demo_ws)
    units = demo_ws.table("org_units").to_pandas()
    key = units.loc[units["id"] == team, "source_key"].iloc[0]
    params = {"from": "2026-10-01", "to": "2026-10-31", "tenure_band": "<1y"}
    expected = demo_ws.kpi(
        ["enps", "ees", "wellbeing", "engagement"], where={"team": key, "tenure_band": "<1y"},
        period=(date(2026, 10, 1), date(2026, 10, 31)),
    )  # fmt: skip
    assert expected["suppressed"].all(), "the test needs a suppressed team figure"
    set_language(client, "en")
    page = client.get(f"/team/{team}", params=params).text
    section = page.split('id="panel-ex"', 1)[1].split("</section>", 1)[0]
    shown = re.findall(r'<div class="value muted"[^>]*>([^<]*)</div>', section)
    assert len(shown) == len(expected)
    for text in shown:
        assert text.startswith(("too few responses", "hidden"))
        assert not re.search(r"\d", text)
    rows = _csv(client.get(f"/team/{team}/csv/ex", params=params).text)
    assert {r["kpi"] for r in rows} == set(expected["kpi"])
    for row in rows:
        assert row["value"] == ""
        assert row["n"] == ""
        assert row["status"] == "suppressed"


def test_unknown_filter_values_are_a_400_page(client: TestClient) -> None:
    login_as(client, "admin")
    set_language(client, "en")
    response = client.get("/overview", params={"channel": "pigeon"})
    assert response.status_code == 400
    assert "channel must be one of" in response.text
    assert client.get("/overview", params={"from": "yesterday"}).status_code == 400


@pytest.mark.parametrize(
    ("language", "title_404", "title_403"),
    [("nl", "Pagina niet gevonden", "Geen toegang"), ("en", "Page not found", "No access")],
)
def test_error_pages_in_both_languages(
    client: TestClient, language: str, title_404: str, title_403: str
) -> None:
    login_as(client, "board")
    set_language(client, language)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert title_404 in missing.text
    assert f'lang="{language}"' in missing.text
    refused = client.get("/team/1")
    assert refused.status_code == 403
    assert title_403 in refused.text


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Er ging iets mis"), ("en", "Something went wrong")]
)
def test_unexpected_errors_are_a_500_page_without_traceback(
    demo_ws: keizer.Workspace, language: str, title: str
) -> None:
    app: FastAPI = create_app(demo_ws)

    @app.get("/test-only/boom/now")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.cookies.set("keizer_lang", language)
        response = test_client.get("/test-only/boom/now")
    assert response.status_code == 500
    assert title in response.text
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_api_errors_stay_problem_documents(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_figures_are_cached_until_the_data_changes(demo_ws: keizer.Workspace) -> None:
    from keizer.web.state import WebState

    state = WebState(demo_ws)
    first = state.kpi("nps", period=(date(2026, 8, 1), date(2026, 10, 31)))
    calls = []
    real = demo_ws.kpi

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    demo_ws.kpi = counting  # type: ignore[method-assign]
    try:
        again = state.kpi("nps", period=(date(2026, 8, 1), date(2026, 10, 31)))
        assert calls == []
        assert math.isclose(first["value"].iloc[0], again["value"].iloc[0])
        state.invalidate()
        state.kpi("nps", period=(date(2026, 8, 1), date(2026, 10, 31)))
        assert len(calls) == 1
    finally:
        del demo_ws.kpi  # type: ignore[method-assign]


def test_every_role_has_a_demo_login() -> None:
    assert set(ROLE_LOGINS) == set(ROLE_PAGES)


def test_customer_comments_show_themes_and_redacted_verbatims(client: TestClient) -> None:
    login_as(client, "cx-manager")
    set_language(client, "en")
    page = client.get("/customer", params=PERIOD).text
    assert 'id="panel-themes"' in page
    assert 'class="comment ' in page
    verbatims = _csv(client.get("/customer/csv/verbatims", params=PERIOD).text)
    assert 0 < len(verbatims) <= 12
    assert all(row["text"] for row in verbatims)
    themes = _csv(client.get("/customer/csv/themes", params=PERIOD).text)
    assert themes
    assert all(0 < float(row["value"]) <= 100 for row in themes)
    assert all(
        float(row["ci_low"]) <= float(row["value"]) <= float(row["ci_high"]) for row in themes
    )


def test_employee_page_shows_survey_participation(
    client: TestClient, demo_ws: keizer.Workspace
) -> None:
    login_as(client, "ex-manager")
    set_language(client, "nl")
    assert "Deelname aan de medewerkeronderzoeken" in client.get("/employee", params=PERIOD).text
    rows = _csv(client.get("/employee/csv/participation", params=PERIOD).text)
    expected = demo_ws.kpi("ex_response_rate", period=(date(2026, 8, 1), date(2026, 10, 31)))
    shown = next(r for r in rows if r["kpi"] == "ex_response_rate")
    assert float(shown["value"]) == pytest.approx(expected["value"].iloc[0], abs=0.05)
    assert 0 < float(shown["value"]) <= 100


def test_themes_and_emotions_are_named_in_the_page_s_language(client: TestClient) -> None:
    login_as(client, "cx-manager")
    set_language(client, "nl")
    dutch = client.get("/customer", params=PERIOD).text
    assert "Wachttijd" in dutch
    assert "Frustratie" in dutch
    assert "waiting_time" not in dutch
    set_language(client, "en")
    english = client.get("/customer", params=PERIOD).text
    assert "Waiting time" in english
    assert "Frustration" in english


def test_employee_comments_only_where_the_comment_plan_shows_them(
    client: TestClient, demo_ws: keizer.Workspace
) -> None:
    login_as(client, "ex-manager")
    set_language(client, "en")
    everyone = client.get("/employee", params=PERIOD).text
    assert 'id="panel-ex_themes"' in everyone
    assert everyone.count('class="comment ') > 0
    team = _lead_team(demo_ws)
    units = demo_ws.table("org_units").to_pandas()
    key = units.loc[units["id"] == team, "source_key"].iloc[0]
    one_month = {"from": "2026-10-01", "to": "2026-10-31", "team": key}
    small = client.get("/employee", params=one_month).text
    assert "Comments are shown for groups of 10 or more respondents" in small
    assert 'class="comment ' not in small


def test_concurrent_requests_on_one_duckdb_store(live_server: LiveServer) -> None:
    """Six browsers at once, each with its own filters (nothing cached yet): every page
    answers, with the figures of its own filters."""
    username, password = ROLE_LOGINS["analyst"]

    def visit(index: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server.url, timeout=120) as browser:
            token = csrf_of(browser.get("/login").text)
            browser.post("/login", data={"username": username, "password": password,
                                         "csrf_token": token})  # fmt: skip
            day = 1 + index
            params = {"from": f"2026-09-{day:02d}", "to": "2026-10-31"}
            page = "/operations" if index % 2 else "/customer"
            csv_text = browser.get(f"{page}/csv/by_channel", params=params).text
            return browser.get(page, params=params).status_code, csv_text

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(visit, range(6)))
    assert all(status == 200 for status, _ in results)
    sizes = {int(r["n"]) for _, text in results for r in _csv(text) if r["kpi"] == "aht"}
    assert len(sizes) > 1  # different periods gave different figures


def test_default_period_is_the_last_complete_quarter(client: TestClient) -> None:
    login_as(client, "analyst")
    page = client.get("/overview").text
    assert 'data-period="2026-07-01/2026-09-30"' in page


def test_employee_figures_refused_by_the_guard_are_explained(client: TestClient) -> None:
    """Two employee segments at once: the guard refuses the employee figures; the page still
    answers, shows the customer figures and says why the employee ones are missing."""
    login_as(client, "admin")
    set_language(client, "en")
    response = client.get("/overview", params={"work_mode": "home", "tenure_band": "<1y"})
    assert response.status_code == 200
    assert "Employee figures not shown:" in response.text
    assert 'data-kpi="nps"' in response.text
