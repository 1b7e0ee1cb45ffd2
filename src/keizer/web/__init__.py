"""keizer's web app: dashboards (Jinja2 + HTMX + Plotly) and the JSON API under ``/api/v1``.

``create_app(workspace)`` builds the FastAPI app; ``keizer serve`` runs it with Uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from keizer.workspace import Workspace


def create_app(workspace: Workspace, **options: Any) -> FastAPI:
    """The web app serving ``workspace`` (see :func:`keizer.web.app.create_app`)."""
    from keizer.web.app import create_app as build

    return build(workspace, **options)


__all__ = ["create_app"]
