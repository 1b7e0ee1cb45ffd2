"""One error handler for the whole app: HTML pages in the user's language for the dashboards,
problem documents (``application/problem+json``) for paths under ``/api``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from keizer.errors import AnonymityError, KeizerError, NotFoundError, StoreError, ValidationError
from keizer.web.api.problems import ProblemError, problem_from_exception, problem_response
from keizer.web.auth import CsrfFailed, Forbidden, LoginRequired, csrf_token
from keizer.web.i18n import N_
from keizer.web.rendering import formatter, render

log = logging.getLogger("keizer.web")
# English titles and messages (translated through the catalogue when shown).
TITLES = {
    400: N_("The request could not be handled"),
    401: N_("Please log in"),
    403: N_("No access"),
    404: N_("Page not found"),
    405: N_("Not allowed"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("The store is not available"),
}
MESSAGES = {
    403: N_("You do not have access to this page. Ask an administrator if you need it."),
    404: N_("This page does not exist. Check the address or go back to the overview."),
    500: N_("An unexpected error occurred. It has been logged; please try again later."),
    503: N_("The store cannot be reached right now. Please try again later."),
}


def install(app: FastAPI) -> None:
    """Route every error through :func:`handle`."""
    for kind in (
        StarletteHTTPException, RequestValidationError, KeizerError, LoginRequired, Forbidden,
        CsrfFailed, ProblemError, Exception,
    ):  # fmt: skip
        app.add_exception_handler(kind, handle)


async def handle(request: Request, exc: Exception) -> Response:
    if request.url.path == "/api" or request.url.path.startswith("/api/"):
        if isinstance(exc, LoginRequired):
            return problem_response(request, 401, "log in or send an API token")
        if isinstance(exc, Forbidden):
            return problem_response(request, 403, exc.detail)
        if isinstance(exc, CsrfFailed):
            return problem_response(request, 403, "the form's CSRF token is missing or wrong")
        return problem_from_exception(request, exc)
    if isinstance(exc, LoginRequired):
        return _to_login(request)
    status, detail = _status(exc)
    if status >= 500 and not isinstance(exc, StoreError):
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
    return error_page(request, status, detail)


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    fmt = formatter(request)
    title = fmt.gettext(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]))
    message = fmt.gettext(MESSAGES[status]) if status in MESSAGES else (detail or "")
    return render(
        request, "error.html", status_code=status, status=status, title=title, message=message,
        csrf=_csrf_or_nothing(request), here="/",
    )  # fmt: skip


def _csrf_or_nothing(request: Request) -> str:
    """The language switch's token; none when even that cannot be read (store down)."""
    try:
        return csrf_token(request)
    except Exception:
        return ""


def _status(exc: Exception) -> tuple[int, str | None]:
    if isinstance(exc, Forbidden | CsrfFailed):
        return 403, None
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, str(exc.detail) if exc.detail else None
    if isinstance(exc, RequestValidationError):
        return 400, "; ".join(str(e.get("msg")) for e in exc.errors())
    if isinstance(exc, NotFoundError):
        return 404, str(exc)
    if isinstance(exc, AnonymityError):
        return 403, None
    if isinstance(exc, ValidationError):
        return 400, str(exc)
    if isinstance(exc, StoreError):
        return 503, None
    if isinstance(exc, KeizerError):
        return 400, str(exc)
    return 500, None


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login?" + _query(next=target)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _query(**values: str) -> str:
    from urllib.parse import urlencode

    return urlencode(values)
