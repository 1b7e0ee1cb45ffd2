"""``GET /api/v1/me``: who the token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from keizer.web.api.deps import CurrentUser
from keizer.web.api.problems import PROBLEM_RESPONSES, ProblemRoute
from keizer.web.api.schemas import Me

router = APIRouter(route_class=ProblemRoute, responses=PROBLEM_RESPONSES)


@router.get("/me", summary="The user behind the API token")
def me(user: CurrentUser) -> Me:
    return Me.model_validate(user.model_dump(exclude={"disabled"}))
