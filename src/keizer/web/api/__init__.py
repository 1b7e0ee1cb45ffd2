"""keizer's JSON API, mounted by the web app under ``/api/v1``.

``router`` carries every route; each route answers errors as ``application/problem+json``
(see :mod:`keizer.web.api.problems`). Authentication is a bearer API token
(``keizer user token create``); the app factory sets ``app.state.workspace``.
"""

from fastapi import APIRouter

from keizer.web.api import comments, kpis, me, responses
from keizer.web.api.problems import problem_from_exception, problem_response

router = APIRouter()
router.include_router(me.router)
router.include_router(kpis.router)
router.include_router(responses.router)
router.include_router(comments.router)

__all__ = ["problem_from_exception", "problem_response", "router"]
