"""Concurrent posts through the one writer: every response stored once, exact counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import text

from .conftest import Served
from factories import CX_SURVEY, T0

CLIENTS = 16
BATCHES = 6
SIZE = 10


def _rows(keys: list[int], nps: float) -> dict[str, object]:
    return {
        "responses": [
            {
                "source_key": f"CC{k:05d}",
                "survey_key": CX_SURVEY.source_key,
                "submitted_at": (T0 + timedelta(minutes=k)).isoformat(),
                "team_key": "team-a",
                "answers": {"nps": nps, "ces": 3.0, "friction": None},
            }
            for k in keys
        ]
    }


def test_concurrent_overlapping_batches_store_each_response_once(served: Served) -> None:
    """Clients post batches whose keys overlap other clients' (as retries and duplicates
    from several survey tools would): the store ends with each key once, and the new counts
    of all answers add up to the number of distinct keys."""

    headers = {"Authorization": f"Bearer {served.tokens['admin']}"}

    def keys(c: int, b: int) -> list[int]:
        start = (c * BATCHES + b) * SIZE // 2  # half of each batch overlaps the next one
        return list(range(start, start + SIZE))

    def client(c: int) -> list[dict[str, int]]:
        answers = []
        with httpx.Client(base_url=served.url, timeout=60, headers=headers) as h:
            for b in range(BATCHES):
                response = h.post("/api/v1/responses", json=_rows(keys(c, b), 7.0))
                assert response.status_code == 200, response.text
                answers.append(response.json())
        return answers

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [a for answers in pool.map(client, range(CLIENTS)) for a in answers]
    distinct = {k for c in range(CLIENTS) for b in range(BATCHES) for k in keys(c, b)}
    assert sum(r["new"] for r in results) == len(distinct)
    assert sum(r["updated"] for r in results) == 0
    assert all(r["new"] + r["unchanged"] == r["received"] == SIZE for r in results)
    with served.ws.store.engine.connect() as c:
        stored = c.execute(
            text(
                "SELECT count(*), count(DISTINCT source_key) FROM response "
                "WHERE source_key LIKE 'CC%'"
            )
        ).one()
        answers = c.execute(
            text(
                "SELECT count(*) FROM answer a JOIN response r ON r.id = a.response_id "
                "WHERE r.source_key LIKE 'CC%'"
            )
        ).scalar_one()
    assert tuple(stored) == (len(distinct), len(distinct))
    assert answers == 2 * len(distinct)  # nps and ces; the null friction is no answer


def test_unstorable_text_is_refused_not_a_server_error(served: Served) -> None:
    batch = _rows([1, 2], 5.0)
    rows = batch["responses"]
    assert isinstance(rows, list)
    rows[0]["source_key"] = "bad\x00key"
    rows[1]["answers"] = {"friction": "nul\x00byte"}
    with served.client("admin") as client:
        response = client.post("/api/v1/responses", json=batch)
        kpi = client.get("/api/v1/kpi/nps", params={"where.channel": "ph\x00one"})
    assert response.status_code == 422
    fields = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert fields == {(0, "source_key"), (1, "answers.friction")}
    assert kpi.status_code == 422
    assert kpi.json()["errors"][0]["field"] == "where.channel"


def test_time_outside_the_calendar_in_utc_is_refused(served: Served) -> None:
    batch = _rows([1], 5.0)
    rows = batch["responses"]
    assert isinstance(rows, list)
    rows[0]["submitted_at"] = "0001-01-01T00:00:00+00:01"  # before year 1 once in UTC
    with served.client("admin") as client:
        response = client.post("/api/v1/responses", json=batch)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (0, "submitted_at")
