"""The JSON API over real HTTP: authentication, KPIs, role scoping, ingest, problem+json."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from .conftest import Served
from factories import CX_SURVEY, T0

PROBLEM = "application/problem+json"


def _problem(response: object, status: int) -> dict[str, object]:
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    return dict(body)


def test_every_api_route_refuses_anonymous_and_bad_tokens(served: Served) -> None:
    with served.client() as anonymous:
        spec = anonymous.get("/openapi.json").json()
        routes = [
            (method, path)
            for path, item in spec["paths"].items()
            if path.startswith("/api/")
            for method in item
        ]
        assert ("get", "/api/v1/kpi/{name}") in routes
        assert ("post", "/api/v1/responses") in routes
        for method, path in routes:
            url = path.replace("{name}", "nps")
            body = _problem(anonymous.request(method, url), 401)
            assert body["instance"] == url
            bad = anonymous.request(method, url, headers={"Authorization": "Bearer kz_nope"})
            _problem(bad, 401)
            assert "Bearer" in bad.headers["www-authenticate"]


def test_kpi_numbers_equal_ws_kpi(served: Served) -> None:
    with served.client("analyst") as client:
        response = client.get(
            "/api/v1/kpi/nps", params={"by": ["channel"], "period": "2025-03-01:2025-03-31"}
        )
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    expected = served.ws.kpi("nps", by=["channel"], period=("2025-03-01", "2025-03-31"))
    assert len(rows) == len(expected) == 3
    for row, (_, want) in zip(
        sorted(rows, key=lambda r: r["segments"]["channel"]),
        expected.sort_values("channel").iterrows(),
        strict=True,
    ):
        assert row["segments"]["channel"] == want["channel"]
        assert row["value"] == pytest.approx(want["value"])
        assert row["n"] == pytest.approx(want["n"])
        assert row["ci_low"] == pytest.approx(want["ci_low"])
        assert row["ci_high"] == pytest.approx(want["ci_high"])
        assert row["suppressed"] is False


def test_several_kpis_and_comparison(served: Served) -> None:
    with served.client("cx-manager") as client:
        response = client.get(
            "/api/v1/kpi",
            params={"name": ["nps", "ces"], "period": "2025-03-01:2025-03-01",
                    "compare": "previous_period", "where.channel": "phone"},
        )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["where"] == {"channel": ["phone"]}
    assert {r["kpi"] for r in body["rows"]} == {"nps", "ces"}
    for row in body["rows"]:
        assert "change" in row
        assert "p_value" in row
        assert "significant" in row


def test_suppressed_values_are_null_never_zero(served: Served) -> None:
    with served.client("ex-manager") as client:
        response = client.get("/api/v1/kpi/enps", params={"by": "team"})
    rows = {r["segments"]["team"]: r for r in response.json()["rows"]}
    small = rows["team-b"]
    assert small["suppressed"] is True
    assert small["value"] is None
    assert small["ci_low"] is None
    assert small["ci_high"] is None
    assert small["reason"]
    assert rows["team-a"]["suppressed"] is False
    assert isinstance(rows["team-a"]["value"], float)
    assert math.isfinite(rows["team-a"]["value"])
    # the raw JSON never carries a 0 standing in for a hidden value
    assert '"value":0' not in response.text.replace(" ", "") or not small["value"]


def test_team_lead_sees_only_their_team(served: Served) -> None:
    with served.client("team-lead") as client:
        own = client.get("/api/v1/kpi/enps", params={"by": "team"})
        assert own.status_code == 200
        assert {r["segments"]["team"] for r in own.json()["rows"]} == {"team-a"}
        assert own.json()["where"] == {"team": ["team-a"]}
        unscoped = client.get("/api/v1/kpi/nps")
        assert unscoped.json()["where"] == {"team": ["team-a"]}
        body = _problem(client.get("/api/v1/kpi/enps", params={"where.team": "team-b"}), 403)
        assert "team-b" in str(body["detail"])
        _problem(client.get("/api/v1/kpi/enps", params={"where.team": ["team-a", "team-c"]}), 403)
        units = client.get("/api/v1/org-units").json()
        assert [u["source_key"] for u in units] == ["team-a"]


def test_board_sees_no_team_breakdown(served: Served) -> None:
    with served.client("board") as client:
        _problem(client.get("/api/v1/kpi/nps", params={"by": "team"}), 403)
        _problem(client.get("/api/v1/kpi/nps", params={"where.team": "team-a"}), 403)
        ok = client.get("/api/v1/kpi/nps", params={"by": "department"})
        assert ok.status_code == 200
        units = client.get("/api/v1/org-units").json()
        assert units
        assert all(u["kind"] != "team" for u in units)


def test_catalogue_me_and_errors(served: Served) -> None:
    with served.client("analyst") as client:
        catalogue = client.get("/api/v1/kpis").json()
        names = {k["name"] for k in catalogue}
        assert {"nps", "enps", "aht", "verzuimpercentage"} <= names
        assert next(k for k in catalogue if k["name"] == "enps")["employee"] is True
        me = client.get("/api/v1/me").json()
        assert me["username"] == "analyst"
        assert me["role"] == "analyst"
        assert "password" not in str(me)
        _problem(client.get("/api/v1/kpi/no-such-kpi"), 404)
        _problem(client.get("/api/v1/kpi/nps", params={"period": "2025-02-30:2025-03-01"}), 422)
        _problem(client.get("/api/v1/kpi/nps", params={"by": "planet"}), 422)
        _problem(client.get("/api/v1/no-such-route"), 404)


def _batch(start: int, n: int, **answers: float) -> dict[str, object]:
    return {
        "responses": [
            {
                "source_key": f"API{i:06d}",
                "survey_key": CX_SURVEY.source_key,
                "submitted_at": (T0 + timedelta(hours=i)).isoformat(),
                "channel": "chat",
                "team_key": "team-c",
                "respondent_source_id": f"C{i}",
                "answers": {"nps": 9.0, "ces": 2.0, **answers},
            }
            for i in range(start, start + n)
        ]
    }


def test_ingest_counts_and_is_idempotent(served: Served) -> None:
    before = served.ws.counts()["responses"]
    with served.client("admin") as client:
        first = client.post("/api/v1/responses", json=_batch(0, 25))
        assert first.status_code == 200, first.text
        assert first.json() == {"received": 25, "new": 25, "updated": 0, "unchanged": 0}
        again = client.post("/api/v1/responses", json=_batch(0, 25))
        assert again.json() == {"received": 25, "new": 0, "updated": 0, "unchanged": 25}
        changed = client.post("/api/v1/responses", json=_batch(20, 10, nps=3.0))
        assert changed.json() == {"received": 10, "new": 5, "updated": 5, "unchanged": 0}
    assert served.ws.counts()["responses"] == before + 30
    stored = served.ws.table("responses").filter(lambda t: t.source_key == "API000021")
    assert stored.count().execute() == 1


def test_ingest_lists_every_invalid_value_and_stores_nothing(served: Served) -> None:
    batch = _batch(100, 4)
    rows = batch["responses"]
    assert isinstance(rows, list)
    rows[1]["answers"] = {"nps": 11.0}
    rows[2]["survey_key"] = "no-such-survey"
    rows[3]["team_key"] = "team-z"
    rows[3]["answers"] = {"nope": 1.0, "friction": '=HYPERLINK("x")'}
    before = served.ws.counts()["responses"]
    with served.client("admin") as client:
        body = _problem(client.post("/api/v1/responses", json=batch), 422)
        schema_error = _problem(
            client.post("/api/v1/responses", json={"responses": [{"source_key": "x"}]}), 422
        )
    errors = {(e["row"], e["field"]) for e in body["errors"]}  # type: ignore[union-attr]
    assert errors == {
        (1, "answers.nps"), (2, "survey_key"), (3, "team_key"), (3, "answers.nope"),
        (3, "answers.friction"),
    }  # fmt: skip
    first = next(e for e in body["errors"] if e["row"] == 1)  # type: ignore[union-attr]
    assert first["value"] == "11.0"
    assert first["expected"] == "a number from 0 to 10"
    assert {e["field"] for e in schema_error["errors"]} >= {"survey_key", "submitted_at"}  # type: ignore[union-attr]
    assert all(e["row"] == 0 for e in schema_error["errors"])  # type: ignore[union-attr]
    assert served.ws.counts()["responses"] == before


def test_only_admins_ingest(served: Served) -> None:
    for role in ("analyst", "board", "team-lead", "cx-manager", "ex-manager"):
        with served.client(role) as client:
            _problem(client.post("/api/v1/responses", json=_batch(200, 1)), 403)


def test_revoked_token_stops_working_at_once(served: Served) -> None:
    token = served.ws.create_token("analyst", "to revoke")
    headers = {"Authorization": f"Bearer {token.token}"}
    with served.client() as client:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        served.ws.revoke_token(token.id)
        _problem(client.get("/api/v1/me", headers=headers), 401)
        # the user's other token still works
        other = {"Authorization": f"Bearer {served.tokens['analyst']}"}
        assert client.get("/api/v1/me", headers=other).status_code == 200
        served.ws.disable_user("analyst")
        _problem(client.get("/api/v1/me", headers=other), 401)


def test_a_correction_through_the_api_shows_on_the_dashboards_at_once(served: Served) -> None:
    """A corrected response leaves every row count as it was, so the dashboards' data
    fingerprint cannot see it: the writer empties their cache itself."""
    from keizer.web.state import WebState

    state = WebState(served.ws)
    march = (date(2025, 3, 1), date(2025, 3, 31))
    with served.client("admin") as client:
        assert client.post("/api/v1/responses", json=_batch(300, 10)).json()["new"] == 10
        before = state.kpi("nps", where={"team": "team-c", "channel": "chat"}, period=march)
        fixed = client.post("/api/v1/responses", json=_batch(300, 10, nps=0.0)).json()
        assert fixed["updated"] == 10
    after = state.kpi("nps", where={"team": "team-c", "channel": "chat"}, period=march)
    assert after["n"].iloc[0] == before["n"].iloc[0]
    assert after["value"].iloc[0] < before["value"].iloc[0]
