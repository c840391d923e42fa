"""Fixtures for the portal and the API: the tiny association, an app over it, logged-in clients."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import portal_world as world
from mutua.billing.ports import InvoiceDocument, InvoiceLine
from mutua.bootstrap import create_app
from mutua.platform.settings import Settings


def _line(engagement: str, service: str, name: str, quantity: str, unit: str, price: str, ref: str) -> InvoiceLine:
    """A line of January 2025 (member A's invoice: the world's time sheet and usage)."""
    q, p = Decimal(quantity), Decimal(price)
    return InvoiceLine(engagement, service, name, q, unit, "HUR", p, q * p, "2025-01-01", "2025-01-31", ref)


class FakeInvoices:
    """Two issued invoices, one per member, as the billing context would serve them."""

    docs: ClassVar[dict[str, InvoiceDocument]] = {
        "INV-A-1": InvoiceDocument(
            "INV-A-1",
            world.MEMBER_A,
            "invoice",
            "2025-01",
            "2025-02-01",
            Decimal("850.00"),
            due_on="2025-03-03",
            payment_reference="+++025/0000/00197+++",
            purpose="period",
            lines=(
                _line("PRJ-A", "DEV-H", "Development", "8", "hour", "60.00", "PO-A-1"),
                _line("PRJ-A", "DEV-H", "Development", "4", "hour", "80.00", "PO-A-1"),
                _line("SVC-A", "VMAAS", "Virtual machines", "100", "VM-hour", "0.50", "PO-A-2"),
            ),
        ),
        "INV-B-1": InvoiceDocument("INV-B-1", world.MEMBER_B, "invoice", "2025-01", "2025-02-01", Decimal("25.00")),
    }

    def for_member(self, member: str) -> list[InvoiceDocument]:
        return [d for d in self.docs.values() if d.member == member]

    def find(self, number: str) -> InvoiceDocument | None:
        return self.docs.get(number)

    def content(self, number: str, fmt: str) -> bytes | None:
        doc = self.docs.get(number)
        if doc is None:
            return None
        if fmt == "ubl":
            return f"<Invoice><cbc:ID>{number}</cbc:ID><Buyer>{doc.member}</Buyer></Invoice>".encode()
        return b"%PDF-1.7 " + number.encode()

    def statement_pdf(self, member: str, period: str) -> bytes | None:
        return f"%PDF-1.7 statement {member} {period}".encode()


@pytest.fixture
def world_engine(engine: Engine, tmp_path: Path) -> Engine:
    world.build(engine, tmp_path / "input")
    return engine


@pytest.fixture
def app(world_engine: Engine, tmp_path: Path) -> FastAPI:
    return create_app(
        engine=world_engine,
        settings=Settings(data_dir=tmp_path),
        secret_key="test-secret",
        invoices=FakeInvoices(),
        charts=False,
    )


@pytest.fixture
def api_as(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A client with a bearer token for a user of the world."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        r = client.post("/api/v1/token", data={"username": username, "password": world.PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return client

    yield make
    for c in clients:
        c.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def portal_as(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """A browser-like client logged in through the login form."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        token = csrf_of(client.get("/login").text)
        r = client.post(
            "/login",
            data={"username": username, "password": world.PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        return client

    yield make
    for c in clients:
        c.close()
