"""Schemathesis against ``/openapi.json`` of the running app, with an authenticated client:
no 5xx, and every answer matches the schema (status, content type, body, headers).

Each API operation gets two Hypothesis runs, with valid and with invalid data (invalid
requests must be refused with 4xx); schemathesis' pytest plugin does not load under pytest 9,
so the operations are walked here. Every default check runs except
``positive_data_acceptance``: a schema-valid request may still be refused with 422 when it
names things the store does not have (a survey, a team) or a calendar date that does not
exist (2025-02-30); those 422s must be problem documents that name the field, which
:func:`refusals_name_the_problem` checks instead."""

from __future__ import annotations

import os
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from .conftest import Served

ROLE = "admin"  # may use every route, the ingest endpoint included
# Examples per operation and mode; CI may raise it (KEIZER_SCHEMATHESIS_EXAMPLES=500).
EXAMPLES = int(os.environ.get("KEIZER_SCHEMATHESIS_EXAMPLES", "40"))


def refusals_name_the_problem(
    ctx: object, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A refused request answers with a problem document saying what was wrong."""
    if response.status_code in (400, 422):
        assert response.headers["content-type"][0].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == response.status_code, body
        assert body["detail"], body


def test_api_matches_its_openapi_schema(served: Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    headers = {"Authorization": f"Bearer {served.tokens[ROLE]}"}
    tested, failures = [], []
    operations = [r.ok() for r in schema.get_all_operations()]
    for operation, mode in (
        (op, mode) for op in operations if op.path.startswith("/api/") for mode in GenerationMode
    ):
        tested.append(f"{operation.method.upper()} {operation.path} ({mode.value})")
        try:
            _walk(operation, mode, headers, served.url)
        except Exception as exc:
            failures.append(f"{tested[-1]}: {exc}")
    assert len(tested) >= 12, tested
    assert not failures, "\n\n".join(failures)


def _walk(operation: Any, mode: GenerationMode, headers: dict[str, str], url: str) -> None:
    """Hypothesis runs of one operation in one generation mode."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )  # fmt: skip
    def check(case: schemathesis.Case) -> None:
        try:
            case.call_and_validate(
                headers=headers, excluded_checks=[positive_data_acceptance],
                additional_checks=[refusals_name_the_problem],
            )  # fmt: skip
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # Invalid data can make a request that is not valid HTTP (uvicorn logs "Invalid
            # HTTP request received" and may reset the connection before the app sees it,
            # also while its 400 answer is being read): not an API answer. Only then, and
            # the server must still be up.
            if mode is not GenerationMode.NEGATIVE:
                raise
            assert requests.get(f"{url}/healthz", timeout=30).status_code == 200
            reject()

    check()
