"""The dashboard routes: login and logout, the language switch, the six pages, CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from keizer.users.schemas import finest_unit
from keizer.web import access
from keizer.web.auth import (
    CSRF_FIELD,
    CurrentViewer,
    Viewer,
    check_csrf,
    clear_session_cookie,
    csrf_token,
    log_in,
    log_out,
    set_session_cookie,
    viewer,
    web_state,
)
from keizer.web.dashboards import BUILDERS, Context, OrgIndex, latest_data_date, org_index, team
from keizer.web.filters import (
    CHANNELS,
    FILTER_LABELS,
    GROUP_LABELS,
    ROLE_LABELS,
    TENURE_BAND_NAMES,
    VALUE_LABELS,
    WORK_MODES,
    Filters,
    parse_filters,
)
from keizer.web.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from keizer.web.panels import Panel, figure
from keizer.web.rendering import formatter, kpi_helpers, render, suppression_text

router = APIRouter(include_in_schema=False)
PAGE_TITLES = {
    "overview": N_("Overview"), "customer": N_("Customers"), "employee": N_("Employees"),
    "workforce": N_("Workforce"), "team": N_("Team"), "operations": N_("Operations"),
    "linkage": N_("Linkage"),
}  # fmt: skip
CsrfChecked = Depends(check_csrf)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after a login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# -- login -------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if viewer(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=_safe_next(next), csrf=csrf_token(request))


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    fmt = formatter(request)
    found, refused = log_in(request, username, password)
    if found is None:
        message = (
            N_("Too many failed logins. Wait 15 minutes and try again.")
            if refused
            else N_("Wrong username or password.")
        )
        return render(
            request, "login.html", status_code=429 if refused else 401,
            next=_safe_next(next), csrf=csrf_token(request), error=fmt.gettext(message),
            username=username,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, found.browser)
    if LANGUAGE_COOKIE not in request.cookies and found.user.language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, found.user.language, max_age=31536000,
                            samesite="lax", path="/")  # fmt: skip
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    log_out(request)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.post("/language", dependencies=[CsrfChecked])
def language(
    request: Request,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=31536000, samesite="lax", path="/")
    return response


# -- pages -------------------------------------------------------------------------------------
@router.get("/")
def home(current: CurrentViewer) -> Response:
    pages = access.pages_of(current.user)
    if pages == ("team",):
        return RedirectResponse("/team", status_code=303)
    return RedirectResponse(f"/{pages[0]}", status_code=303)


@router.get("/team")
def teams(request: Request, current: CurrentViewer) -> Response:
    access.check_page(current.user, "team")
    org = org_index(web_state(request))
    if current.user.role == "team-lead":
        if not current.user.team_ids:
            raise HTTPException(404, "no team is assigned to you")
        return RedirectResponse(f"/team/{sorted(current.user.team_ids)[0]}", status_code=303)
    choices = [(org.team_id(key), name) for key, name in org.options("team")]
    return render(request, "teams.html", **_chrome(request, current, "team"), teams=choices)


@router.get("/team/{team_id}")
def team_page(request: Request, team_id: int, current: CurrentViewer) -> Response:
    access.check_team(current.user, team_id)
    ctx, panels = _team_panels(request, current, team_id)
    return _page(request, current, "team", ctx, panels, team_id=team_id)


@router.get("/team/{team_id}/csv/{panel_id}")
def team_csv(request: Request, team_id: int, panel_id: str, current: CurrentViewer) -> Response:
    access.check_team(current.user, team_id)
    ctx, panels = _team_panels(request, current, team_id)
    return _csv(ctx, panels, f"team-{team_id}", panel_id)


@router.get("/{page}")
def page(request: Request, page: str, current: CurrentViewer) -> Response:
    ctx, panels = _page_panels(request, current, page)
    return _page(request, current, page, ctx, panels)


@router.get("/{page}/csv/{panel_id}")
def page_csv(request: Request, page: str, panel_id: str, current: CurrentViewer) -> Response:
    ctx, panels = _page_panels(request, current, page)
    return _csv(ctx, panels, page, panel_id)


# -- helpers -----------------------------------------------------------------------------------
def _context(request: Request, current: Viewer) -> Context:
    state = web_state(request)
    filters = parse_filters(dict(request.query_params), latest_data_date(state))
    access.check_filters(current.user, filters)
    fmt = formatter(request)
    return Context(state, filters, org_index(state), fmt.gettext, fmt.date,
                   language=fmt.language, finest_unit=finest_unit(current.user.role))  # fmt: skip


def _page_panels(request: Request, current: Viewer, page: str) -> tuple[Context, list[Panel]]:
    if page not in BUILDERS:
        raise HTTPException(404)
    access.check_page(current.user, page)
    ctx = _context(request, current)
    if latest_data_date(ctx.state) is None:  # an empty store: nothing to compute yet
        return ctx, []
    key = ("panels", page, ctx.filters, ctx.language, ctx.finest_unit)
    return _built(ctx, key, lambda: BUILDERS[page](ctx))


def _team_panels(request: Request, current: Viewer, team_id: int) -> tuple[Context, list[Panel]]:
    ctx = _context(request, current)
    if ctx.org.team(team_id) is None:
        raise HTTPException(404)
    if latest_data_date(ctx.state) is None:
        return ctx, []
    key = ("team", team_id, ctx.filters, formatter(request).language)
    return _built(ctx, key, lambda: team(ctx, team_id))


def _built(
    ctx: Context, key: tuple[object, ...], build: Callable[[], list[Panel]]
) -> tuple[Context, list[Panel]]:
    """The panels (cached with the notices made while building them)."""

    def both() -> tuple[list[Panel], list[str]]:
        return build(), list(ctx.notices)

    panels, notices = ctx.state.cached(key, both)
    ctx.notices[:] = notices
    return ctx, panels


def _csv(ctx: Context, panels: list[Panel], name: str, panel_id: str) -> Response:
    chosen = next((p for p in panels if p.id == panel_id), None)
    if chosen is None:
        raise HTTPException(404)
    start, end = ctx.filters.period
    filename = f"keizer-{name}-{panel_id}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        chosen.csv(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


def _chrome(request: Request, current: Viewer, active: str) -> dict[str, Any]:
    """What every logged-in page shows around its content."""
    fmt = formatter(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    nav = [(p, fmt.gettext(PAGE_TITLES[p])) for p in access.pages_of(current.user)]
    return {
        "user": current.user, "csrf": csrf_token(request), "csrf_field": CSRF_FIELD,
        "nav": nav, "active": active, "here": here, "languages": LANGUAGES,
        "role_labels": ROLE_LABELS, "value_labels": VALUE_LABELS,
        "filter_labels": FILTER_LABELS, "group_labels": GROUP_LABELS,
    }  # fmt: skip


def _page(
    request: Request, current: Viewer, page: str, ctx: Context, panels: list[Panel],
    team_id: int | None = None,
) -> Response:  # fmt: skip
    fmt = formatter(request)
    base = f"/team/{team_id}" if team_id is not None else f"/{page}"
    label = kpi_helpers(fmt)["label"]
    query = ctx.filters.query()
    charts = {
        p.id: figure(p, separators=fmt.plotly_separators(), label=label,
                     suppressed_text=lambda reason: fmt.gettext(suppression_text(reason)),
                     no_data_text=fmt.gettext("no data"))
        for p in panels
    }  # fmt: skip
    values: dict[str, Any] = {
        **_chrome(request, current, page), "panels": panels, "charts": charts,
        "filters": ctx.filters, "base": base, "query": query,
        "csv_url": lambda p: f"{base}/csv/{p.id}" + (f"?{query}" if query else ""),
        "options": _options(ctx.org, ctx.filters, current, page),
        "page_title": _title(fmt.gettext, page, ctx, team_id), "notices": ctx.notices,
    }  # fmt: skip
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "panels":
        return render(request, "_panels.html", **values)
    return render(request, "page.html", **values)


def _title(gettext: Any, page: str, ctx: Context, team_id: int | None) -> str:
    if team_id is None:
        return str(gettext(PAGE_TITLES[page]))
    found = ctx.org.team(team_id)
    return found[1] if found else str(gettext("Team"))


def _options(org: OrgIndex, filters: Filters, current: Viewer, page: str) -> dict[str, Any]:
    """The filter form's choices (a team page has no organisation filters)."""
    units: dict[str, list[tuple[str, str]]] = {}
    if page != "team":
        units["location"] = org.options("location")
        units["department"] = org.options("department", filters.location)
        if current.user.role not in access.NO_TEAM_FILTER:
            units["team"] = org.options("team", filters.department or filters.location)
    return {
        "units": units, "channel": CHANNELS, "work_mode": WORK_MODES,
        "tenure_band": TENURE_BAND_NAMES, "labels": VALUE_LABELS,
    }  # fmt: skip
