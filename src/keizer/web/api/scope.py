"""What each role may see of the KPIs: the same rules for the API and the dashboards.

- ``team-lead``: only their own teams (``UserRead.team_ids``). Every request is restricted to
  those teams; naming any other team is refused (403).
- ``board``: organisation-wide aggregates: by organisation, location or department and by
  the non-organisational segments, never by or for a single team (403).
- ``admin``, ``cx-manager``, ``ex-manager``, ``analyst``: every aggregate.

Anonymity (small employee groups suppressed) is applied by the KPI engine for everyone, on
top of these rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, text

from keizer.users.schemas import UserRead, finest_unit
from keizer.web.api.problems import forbidden
from keizer.workspace import Workspace


def team_keys(workspace: Workspace, team_ids: Sequence[int]) -> list[str]:
    """The source keys of the org units with these ids (the KPI engine filters by key)."""
    if not team_ids:
        return []
    query = text("SELECT source_key FROM org_unit WHERE id IN :ids ORDER BY source_key")
    with workspace.unit_of_work() as session:
        rows = session.execute(
            query.bindparams(bindparam("ids", expanding=True)), {"ids": list(team_ids)}
        )
        return [str(key) for key in rows.scalars()]


def scoped(
    workspace: Workspace,
    user: UserRead,
    by: Sequence[str],
    where: Mapping[str, list[str]],
) -> dict[str, list[str]]:
    """``where`` restricted to what ``user`` may see; raises a 403 problem otherwise."""
    where = {k: list(v) for k, v in where.items()}
    if finest_unit(user.role) != "team" and ("team" in by or "team" in where):
        raise forbidden(
            "the board sees organisation-wide figures: by organisation, location or "
            "department, not per team"
        )
    if user.role == "team-lead":
        own = team_keys(workspace, user.team_ids)
        if not own:
            raise forbidden("you lead no team in this store; ask an admin to assign one")
        asked = where.get("team")
        if asked is not None:
            others = sorted(set(asked) - set(own))
            if others:
                raise forbidden(
                    f"team {', '.join(others)} is not yours; you see {', '.join(own) or 'none'}"
                )
        else:
            where["team"] = own
    return where
