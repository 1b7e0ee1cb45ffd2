"""Who may see what: pages per role, and a team lead's own teams."""

from __future__ import annotations

from keizer.users.schemas import ORGANISATION_WIDE, Role, UserRead
from keizer.web.auth import Forbidden
from keizer.web.filters import Filters

ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    "admin": ("overview", "customer", "employee", "workforce", "team", "operations"),
    "analyst": ("overview", "customer", "employee", "workforce", "team", "operations"),
    "board": ("overview", "customer", "employee", "workforce", "operations"),
    "cx-manager": ("overview", "customer", "team", "operations"),
    "ex-manager": ("overview", "employee", "workforce", "team"),
    "team-lead": ("team",),
}
# The Linkage page (organisation-wide analysis): not for team leads, since linkage per team is
# not meaningful and the page must not expose single teams.
LINKAGE_ROLES: frozenset[Role] = frozenset(
    {"admin", "analyst", "board", "cx-manager", "ex-manager"}
)
# Roles that see organisation-wide aggregates only: no filter down to one team, no breakdown
# by team (pages show such breakdowns by department instead; the API refuses them).
NO_TEAM_FILTER: frozenset[Role] = ORGANISATION_WIDE


def pages_of(user: UserRead) -> tuple[str, ...]:
    """The pages in the user's navigation: the dashboards, then Linkage where allowed."""
    return ROLE_PAGES[user.role] + (("linkage",) if user.role in LINKAGE_ROLES else ())


def check_page(user: UserRead, page: str) -> None:
    if page not in pages_of(user):
        raise Forbidden(f"the {page} page is not available to the role {user.role}")


def check_filters(user: UserRead, filters: Filters) -> None:
    if filters.team and user.role in NO_TEAM_FILTER:
        raise Forbidden(f"the role {user.role} sees organisation-wide figures, not single teams")


def check_team(user: UserRead, team_id: int) -> None:
    """Team pages: a team lead sees their own teams only."""
    check_page(user, "team")
    if user.role == "team-lead" and team_id not in user.team_ids:
        raise Forbidden("a team lead sees their own team(s) only")
