"""Schemathesis generates requests from the OpenAPI schema; the API answers none with a server error,
and every answer has a documented status, content type and shape.

Runs as member A's budget holder and as the controller, on SQLite (the generated cases do not depend
on the engine; the rest of the suite runs both).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from mutua.bootstrap import create_app, migrate
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import Settings
from portal_world import PASSWORD, build


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("fuzz")
    engine = make_engine(f"sqlite:///{folder / 'mutua.sqlite'}")
    migrate(engine)
    build(engine, folder / "input")
    return create_app(
        engine=engine, settings=Settings(data_dir=folder), secret_key="fuzz", charts=False, login_limit=10_000
    )


@pytest.fixture(scope="module")
def tokens(fuzz_app: FastAPI) -> list[str]:
    """Bearer tokens of member A's budget holder and of the controller."""
    with TestClient(fuzz_app) as client:
        return [
            str(client.post("/api/v1/token", data={"username": who, "password": PASSWORD}).json()["access_token"])
            for who in ("holder-a", "ctrl")
        ]


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    fuzz_app: FastAPI, tokens: list[str]
) -> None:
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)
    # logging out would end the tokens the rest of the run is made with (tested in test_sessions.py)
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path != "/api/v1/logout"]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            for token in tokens:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)

        check()


def test_the_openapi_schema_documents_every_resource_of_the_issue(fuzz_app: FastAPI) -> None:
    paths = set(fuzz_app.openapi()["paths"])
    for path in (
        "/api/v1/members",
        "/api/v1/members/{enterprise_number}/engagements",
        "/api/v1/services",
        "/api/v1/tariffs",
        "/api/v1/members/{enterprise_number}/usage",
        "/api/v1/members/{enterprise_number}/statements/{period}",
        "/api/v1/invoices/{number}/ubl",
        "/api/v1/invoices/{number}/pdf",
        "/api/v1/years/{year}/close",
    ):
        assert path in paths
