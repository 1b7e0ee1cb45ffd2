"""The dashboards in a real browser: Debian's chromium, headless, driven by Playwright.

Each role logs in, opens each of its pages (charts drawn, no console errors), applies a
filter, switches the language and downloads a CSV; a team lead cannot open another team and
sees "too few responses" where the engine suppressed a figure. A screenshot of every page
goes to ``test-artifacts/web/`` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from keizer.web.access import ROLE_PAGES

from .conftest import ARTIFACTS, ROLE_LOGINS, LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser
Page = playwright_api.Page

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
PERIOD = "from=2026-08-01&to=2026-10-31"
ALL_DRAWN = (
    "() => document.querySelectorAll('.chart').length === "
    "document.querySelectorAll('.chart.drawn').length"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: apt-get install -y chromium (see .ci/run)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


class Session:
    """One browser context (its own cookies) with its console errors collected."""

    def __init__(self, browser: Browser, server: LiveServer, name: str) -> None:
        self.server = server
        self.name = name
        self.context = browser.new_context(viewport={"width": 1400, "height": 900},
                                           accept_downloads=True)  # fmt: skip
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def log_in(self, role: str) -> None:
        username, password = ROLE_LOGINS[role]
        self.page.goto(self.server.url + "/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/login" not in self.page.url, self.page.content()[:500]

    def open(self, path: str) -> int:
        response = self.page.goto(self.server.url + path)
        assert response is not None
        self.page.wait_for_function(ALL_DRAWN, timeout=60_000)
        return response.status

    def screenshot(self, label: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{label}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def _team_path(server: LiveServer) -> str:
    lead = next(u for u in server.ws.users() if u.role == "team-lead")
    return f"/team/{lead.team_ids[0]}"


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_role_uses_its_pages(browser: Browser, live_server: LiveServer, role: str) -> None:
    session = Session(browser, live_server, f"duckdb-{role}")
    try:
        session.log_in(role)
        for page in ROLE_PAGES[role]:  # type: ignore[index]
            path = _team_path(live_server) if page == "team" else f"/{page}"
            assert session.open(f"{path}?{PERIOD}") == 200
            charts = session.page.locator(".chart").count()
            assert charts + session.page.locator(".panel-cards").count() > 0
            assert session.page.locator(".panel").count() >= 3
            session.screenshot(page)
        _apply_a_filter(session)
        _switch_language(session)
        _download_csv(session)
        assert session.errors == []
    finally:
        session.close()


def _apply_a_filter(session: Session) -> None:
    """Change the work-mode filter: HTMX swaps the panels, the URL follows, charts redraw."""
    page = session.page
    before = page.locator("#panels").inner_html()
    page.select_option("select[name=work_mode]", "home")
    page.wait_for_url(re.compile(r"work_mode=home"))
    page.wait_for_function(ALL_DRAWN, timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('#panels').classList.contains('htmx-settling')"
    )
    assert page.locator("#panels").inner_html() != before
    assert page.locator("select[name=work_mode]").input_value() == "home"
    session.screenshot("filtered")


def _switch_language(session: Session) -> None:
    page = session.page
    page.click("button[data-lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("button.logout").inner_text() == "Log out"
    page.wait_for_function(ALL_DRAWN, timeout=60_000)
    page.click("button[data-lang=nl]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("button.logout").inner_text() == "Uitloggen"


def _download_csv(session: Session) -> None:
    page = session.page
    link = page.locator("a.csv").first
    href = link.get_attribute("href")
    assert href
    with page.expect_download() as info:
        link.click()
    downloaded = Path(info.value.path()).read_text(encoding="utf-8")
    assert downloaded.splitlines()[0].count(",") >= 5
    direct = page.request.get(session.server.url + href).text()
    assert downloaded == direct
    # the table view shows the same rows
    panel = link.locator("xpath=ancestor::section[1]")
    toggle = panel.locator("button.toggle-table")
    if toggle.count():
        toggle.click()
    rows = panel.locator(".table-view tbody tr").count()
    assert rows == len(downloaded.splitlines()) - 1


def test_team_lead_stays_in_their_team(browser: Browser, live_server: LiveServer) -> None:
    session = Session(browser, live_server, "duckdb-team-lead")
    try:
        session.log_in("team-lead")
        own = _team_path(live_server)
        units = live_server.ws.table("org_units").to_pandas()
        own_id = int(own.rsplit("/", 1)[1])
        other = int(units[(units["kind"] == "team") & (units["id"] != own_id)]["id"].iloc[0])
        response = session.page.goto(f"{live_server.url}/team/{other}")
        assert response is not None
        assert response.status == 403
        assert "Geen toegang" in session.page.content()
        session.screenshot("other-team-403")
        session.errors.clear()  # the browser reports the refused page (403) as a failed load
        # a filter leaving fewer than five respondents: words, never a number
        session.open(f"{own}?from=2026-10-01&to=2026-10-31&tenure_band=%3C1y")
        cards = session.page.locator("#panel-ex .card")
        assert cards.count() == 4
        for index in range(cards.count()):
            text = cards.nth(index).locator(".value").inner_text()
            assert text.startswith(("te weinig reacties", "verborgen"))
            assert not re.search(r"\d", text)
        session.screenshot("suppressed")
        assert session.errors == []
    finally:
        session.close()


@pytest.mark.postgres
def test_login_and_overview_on_postgresql(
    browser: Browser, live_server_postgres: LiveServer
) -> None:
    session = Session(browser, live_server_postgres, "postgresql-admin")
    try:
        session.log_in("admin")
        assert session.open(f"/overview?{PERIOD}") == 200
        assert session.page.locator(".chart.drawn").count() >= 3
        session.screenshot("overview")
        assert session.errors == []
    finally:
        session.close()


def test_linkage_page_from_the_navigation(browser: Browser, live_server: LiveServer) -> None:
    """The Linkage link in the navigation opens the page; its CSV downloads; no errors."""
    session = Session(browser, live_server, "duckdb-linkage")
    try:
        session.log_in("cx-manager")
        session.page.click("nav a[data-page=linkage]")
        session.page.wait_for_load_state("networkidle", timeout=120_000)
        assert session.page.url.endswith("/linkage")
        assert session.page.locator("#linkage-findings").count() == 1
        assert session.page.locator("#linkage-note").inner_text().strip() != ""
        assert session.page.locator("tr.link").count() > 0
        with session.page.expect_download() as info:
            session.page.click("#panel-links a.csv")
        lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("measure,outcome,lag,estimate")
        assert len(lines) - 1 == session.page.locator("tr.link").count()
        session.screenshot("linkage")
        assert session.errors == []
    finally:
        session.close()
