"""The app factory: ``create_app(workspace)`` serves the dashboards and the JSON API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

import keizer.web.api
from keizer._version import __version__
from keizer.web import errors
from keizer.web.auth import ANONYMOUS_CSRF_COOKIE, is_secure
from keizer.web.linkage import router as linkage
from keizer.web.pages import router as pages
from keizer.web.state import WebState
from keizer.web.warming import keep_warm
from keizer.workspace import Workspace

log = logging.getLogger("keizer.web")
# Scripts only from our own origin; Plotly sets inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def plotly_js() -> Path:
    """plotly.min.js as shipped in the installed ``plotly`` package (no CDN)."""
    return Path(str(files("plotly") / "package_data" / "plotly.min.js"))


def create_app(
    workspace: Workspace, *, secure_cookies: bool = False, warm_cache: bool = False
) -> FastAPI:
    """The web app serving ``workspace``.

    ``secure_cookies`` marks cookies Secure even when the request did not arrive over HTTPS
    (a TLS proxy that does not forward the scheme); ``warm_cache`` computes the default
    view of every page in the background at start, and again after the data changed
    (:mod:`keizer.web.warming`), so visitors do not wait for them.
    """
    app = FastAPI(
        title="keizer", version=__version__, docs_url="/docs", redoc_url=None,
        description="Customer and employee experience measured together.",
    )  # fmt: skip
    app.state.workspace = workspace
    app.state.keizer = WebState(workspace, secure_cookies=secure_cookies)
    errors.install(app)
    app.include_router(keizer.web.api.router, prefix="/api/v1")

    static = files("keizer.web") / "static"
    plotly = plotly_js()

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_file() -> FileResponse:
        return FileResponse(plotly, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(linkage)  # before the pages' catch-all /{page}
    app.include_router(pages)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        token = getattr(request.state, "new_csrf_cookie", None)
        if token:
            response.set_cookie(ANONYMOUS_CSRF_COOKIE, token, path="/", httponly=True,
                                samesite="lax", secure=is_secure(request))  # fmt: skip
        if not request.url.path.startswith(("/docs", "/openapi.json")):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.state.warming = threading.Event()  # set it to stop keeping the figures warm
    if warm_cache:
        threading.Thread(
            target=keep_warm, args=(app.state.keizer, app.state.warming),
            kwargs={"freeze": True}, daemon=True, name="keizer-warming",
        ).start()  # fmt: skip
    return app
