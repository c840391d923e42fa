"""The API as an integrator meets it (issue 14, item 10): a client generated from the app's OpenAPI
schema by openapi-python-client authenticates with the declared bearer scheme, pages through the
members and a member's invoices, reads one invoice with its due date, payment reference and lines,
and downloads a statement PDF; problems come back as typed problem details.

The client is generated in the test, into a temporary folder, from ``/api/v1/openapi.json`` as
served; it talks to the app in process (httpx's ASGI transport)."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mutua.billing import service as billing
from mutua.bootstrap import create_app, unit_of_work
from mutua.charging.service.close import close_period
from mutua.kernel.periods import Period
from mutua.platform.settings import Settings
from portal_world import MEMBER_A, MEMBER_B, PASSWORD

PACKAGE = "mutua_api_client"
CONFIG = {
    "post_hooks": [],
    "project_name_override": PACKAGE,
    "package_name_override": PACKAGE,
    # what an integrator tells the generator: PDFs and UBL are files
    "content_type_overrides": {
        "application/pdf": "application/octet-stream",
        "application/xml": "application/octet-stream",
    },
}


@pytest.fixture
def billed_app(world_engine: Engine, tmp_path: Path) -> FastAPI:
    """The tiny association with January and February closed and invoiced, served with billing's
    real documents."""
    close_period(unit_of_work(world_engine), Period(2025, 2))
    billing.issue_period_invoices(unit_of_work(world_engine), Period(2025, 1), date(2025, 2, 1))
    billing.issue_period_invoices(unit_of_work(world_engine), Period(2025, 2), date(2025, 3, 1))
    return create_app(engine=world_engine, settings=Settings(data_dir=tmp_path), secret_key="client", charts=False)


@pytest.fixture
def generated(billed_app: FastAPI, tmp_path: Path) -> Iterator[ModuleType]:
    with TestClient(billed_app) as web:
        schema = web.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    spec, config, out = tmp_path / "openapi.json", tmp_path / "generator.json", tmp_path / "client"
    spec.write_bytes(schema.content)
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(spec), "--output-path", str(out), "--meta", "none"]
    done = subprocess.run([*command, "--config", str(config)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "client.py").is_file(), done.stdout
    sys.path.insert(0, str(tmp_path))
    (tmp_path / PACKAGE).symlink_to(out, target_is_directory=True)
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _api(operation: str) -> Any:
    """A generated operation's module, found by the start of its name (FastAPI's operation ids)."""
    package = importlib.import_module(f"{PACKAGE}.api")
    for tag in Path(package.__path__[0]).iterdir():
        for module in tag.glob(f"{operation}_api_v1_*.py"):
            return importlib.import_module(f"{PACKAGE}.api.{tag.name}.{module.stem}")
    raise LookupError(operation)


def test_a_generated_client_round_trips_members_paged_invoices_and_a_statement_pdf(
    billed_app: FastAPI, generated: ModuleType
) -> None:
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    transport = httpx.ASGITransport(app=billed_app)

    async def round_trip() -> None:
        anonymous = client_module.Client(base_url="http://testserver", httpx_args={"transport": transport})
        body = models.BodyTokenApiV1TokenPost(username="ctrl", password=PASSWORD)
        token = await _api("token").asyncio(client=anonymous, body=body)
        assert isinstance(token, models.Token), token
        client = client_module.AuthenticatedClient(
            base_url="http://testserver", token=token.access_token, httpx_args={"transport": transport}
        )
        async with client:
            # members, one a page: the envelope's cursor leads to the next page, then to none
            seen, cursor, pages = [], None, 0
            while True:
                kwargs = {"cursor": cursor} if cursor else {}
                page = await _api("members").asyncio(client=client, limit=1, **kwargs)
                assert isinstance(page, models.MemberPage), page
                seen += [m.enterprise_number for m in page.items]
                pages += 1
                cursor = page.next_cursor
                if not isinstance(cursor, str):
                    break
            assert sorted(seen) == sorted([MEMBER_A, MEMBER_B]) and pages == 2

            # member A's invoices of 2025, one a page: January's, then February's
            numbers, cursor = [], None
            while True:
                kwargs = {"cursor": cursor} if cursor else {}
                page = await _api("member_invoices").asyncio(
                    enterprise_number=MEMBER_A, client=client, year=2025, limit=1, **kwargs
                )
                assert isinstance(page, models.InvoicePage), page
                numbers += [d.number for d in page.items]
                assert all(d.due_on and d.payment_reference.startswith("+++") for d in page.items)
                cursor = page.next_cursor
                if not isinstance(cursor, str):
                    break
            assert len(numbers) == 2
            none = await _api("member_invoices").asyncio(enterprise_number=MEMBER_A, client=client, year=2024)
            assert isinstance(none, models.InvoicePage) and none.items == []

            # one invoice: due date, payment reference and its lines, which add up to its total
            invoice = await _api("invoice").asyncio(number=numbers[0], client=client)
            assert isinstance(invoice, models.InvoiceDetailOut), invoice
            assert invoice.member == MEMBER_A and invoice.period == "2025-01"
            assert date.fromisoformat(invoice.due_on) > date.fromisoformat(invoice.issued_on)
            assert invoice.lines and sum(float(x.amount) for x in invoice.lines) == pytest.approx(float(invoice.total))

            # the statement of January as PDF
            pdf = await _api("statement_pdf").asyncio_detailed(
                enterprise_number=MEMBER_A, period="2025-01", client=client
            )
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert pdf.headers["content-type"] == "application/pdf"

            # a problem comes back as the documented problem detail, with its kind
            missing = await _api("invoice").asyncio(number="2099-999999", client=client)
            assert isinstance(missing, models.ProblemDetail), missing
            assert missing.status == 404 and missing.type_ == "/api/v1/docs#problem-not-found"

        # without the token: the security scheme is what made the calls above pass
        refused = await _api("members").asyncio_detailed(client=anonymous)
        assert refused.status_code == 401

    asyncio.run(round_trip())


def test_the_schema_declares_bearer_and_session_security_and_problem_details_on_every_operation(
    billed_app: FastAPI,
) -> None:
    schema = billed_app.openapi()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerToken"]["description"],
    }
    assert (schemes["sessionCookie"]["in"], schemes["sessionCookie"]["name"]) == ("cookie", "mutua_session")
    public = {("/api/v1/token", "post")}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (path, method) not in public:
                assert {"bearerToken": []} in operation.get("security", []), (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"] == {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
                    }, (method, path, status)
    lists = [
        "/api/v1/members",
        "/api/v1/members/{enterprise_number}/invoices",
        "/api/v1/members/{enterprise_number}/engagements",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/services",
        "/api/v1/tariffs",
        "/api/v1/members/{enterprise_number}/usage",
        "/api/v1/purchasing/agreements",
        "/api/v1/purchasing/accessions",
        "/api/v1/members/{enterprise_number}/purchasing/orders",
        "/api/v1/purchasing/statements",
    ]
    for path in lists:
        operation = schema["paths"][path]["get"]
        assert {"limit", "cursor"} <= {p["name"] for p in operation["parameters"]}, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"items", "next_cursor"}, path
    # and no list escapes: every JSON answer of a GET that is a list is one of the pages above, or the
    # catalogue's search, paged by offset (its total, offset and limit documented)
    by_offset = {"/api/v1/purchasing/catalogue"}
    found = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        shape = answer.get("application/json", {}).get("schema", {})
        assert shape.get("type") != "array", f"{path} answers a bare list, not a page"
        named = schema["components"]["schemas"][shape["$ref"].rsplit("/", 1)[1]] if "$ref" in shape else shape
        if "items" in named.get("properties", {}):
            found.add(path)
    assert found == set(lists) | by_offset
    catalogue = schema["paths"]["/api/v1/purchasing/catalogue"]["get"]
    parameters = {p["name"]: p for p in catalogue["parameters"]}
    assert (
        all(parameters[name].get("description") for name in ("limit", "offset"))
        and "offset" in catalogue["description"]
    )
    result = schema["components"]["schemas"]["CatalogueOut"]["properties"]
    assert all(result[name].get("description") for name in ("total", "offset", "limit"))
    statement = schema["paths"]["/api/v1/members/{enterprise_number}/statements/{period}"]["get"]
    formats = next(p for p in statement["parameters"] if p["name"] == "format")
    assert "pdf" not in formats["schema"]["pattern"]  # the PDF is its own path, documented as such
    assert "/api/v1/members/{enterprise_number}/statements/{period}/pdf" in schema["paths"]


def test_the_docs_page_shows_every_operations_schemas_from_installed_assets_only(billed_app: FastAPI) -> None:
    with TestClient(billed_app) as web:
        page = web.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html and "cdn" not in html.lower()
    for name in ("MemberPage", "InvoiceDetailOut", "InvoiceLineOut", "ProblemDetail"):
        assert f'id="schema-{name}"' in html
    assert "payment_reference" in html and "next_cursor" in html and "bearerToken" in html
