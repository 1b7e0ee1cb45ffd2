"""RFC 9457 problem documents (``application/problem+json``) for every API error.

The API's routes use :class:`ProblemRoute`, so their errors (authentication, validation,
keizer's own errors, unexpected failures) answer as problem documents whatever app they are
mounted on. The app's error handler calls :func:`problem_response` for paths under ``/api``
that never reach a route (unknown path, wrong method).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, field_validator
from starlette.exceptions import HTTPException

from keizer.errors import (
    AnonymityError,
    KeizerError,
    NotFoundError,
    StoreBusyError,
    StoreError,
    ValidationError,
)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://keizer.dev/problems/"
log = logging.getLogger("keizer.web.api")

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    422: "validation",
    429: "rate-limited",
    500: "internal",
    503: "unavailable",
}


TEXT = "text without NUL characters or unpaired surrogates"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(value: str) -> bool:
    """Whether both engines can store ``value`` (PostgreSQL refuses NUL, UTF-8 surrogates)."""
    return _UNSTORABLE.search(value) is None


def _printable(value: str | None) -> str | None:
    """Text that JSON can carry as UTF-8 (unpaired surrogates shown as escapes)."""
    return None if value is None else value.encode("utf-8", "backslashreplace").decode("utf-8")


class FieldError(BaseModel):
    """One invalid value: where (``row`` for batch items, ``field``), what, and what was
    expected."""

    row: int | None = Field(default=None, description="0-based index in the posted batch")
    field: str
    value: str | None = None
    expected: str

    @field_validator("field", "value", "expected")
    @classmethod
    def _utf8(cls, value: str | None) -> str | None:
        return _printable(value)


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None

    @field_validator("detail")
    @classmethod
    def _utf8(cls, value: str | None) -> str | None:
        return _printable(value)


class ProblemError(Exception):
    """Raise inside a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = list(errors) if errors is not None else None
        self.headers = headers


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="keizer"'})


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, detail)


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    kind: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A ``application/problem+json`` response for ``request``."""
    problem = Problem(
        type=TYPE_BASE + (kind or TYPES.get(status, "error")),
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors) if errors is not None else None,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def problem_from_exception(request: Request, exc: Exception) -> JSONResponse:
    """The problem document for any exception a route can raise (never a traceback)."""
    if isinstance(exc, ProblemError):
        return problem_response(
            request, exc.status, exc.detail, kind=exc.kind, errors=exc.errors,
            headers=exc.headers,
        )  # fmt: skip
    if isinstance(exc, RequestValidationError):
        return problem_response(
            request, 422, "the request does not match the API's schema",
            errors=[_field_error(e) for e in exc.errors()],
        )  # fmt: skip
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code)
        return problem_response(
            request, exc.status_code, detail, headers=dict(exc.headers or {}) or None
        )
    if isinstance(exc, KeizerError):
        return problem_response(request, _status_of(exc), str(exc))
    log.exception("unexpected error answering %s %s", request.method, request.url.path)
    return problem_response(request, 500, "an unexpected error; it was logged on the server")


def _status_of(exc: KeizerError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AnonymityError):
        return 403
    if isinstance(exc, ValidationError):
        return 422
    if isinstance(exc, StoreBusyError | StoreError):
        return 503
    return 400


def _field_error(error: Any) -> FieldError:
    location = [str(part) for part in error.get("loc", ())]
    row = None
    # body items of a batch: ("body", "responses", 3, "answers", ...)
    if len(location) > 2 and location[0] == "body" and location[2].isdigit():
        row = int(location[2])
        location = location[3:]
    elif location and location[0] in ("body", "query", "path", "header"):
        location = location[1:] if len(location) > 1 else location
    value = error.get("input")
    shown = None if value is None or isinstance(value, dict | list) else str(value)[:200]
    return FieldError(
        row=row, field=".".join(location) or "body", value=shown, expected=str(error.get("msg"))
    )


class ProblemRoute(APIRoute):
    """A route whose every error answers as a problem document."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                return problem_from_exception(request, exc)

        return route


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": TITLES[status]}
    for status in (401, 403, 404, 422, 500)
}
