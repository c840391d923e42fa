"""The edges of joint purchasing on a real database (SQLite and PostgreSQL): the OCDS publication
read from the tables (every package valid for libcoveocds), ``mutua purchasing ocds -o DIR``, and a
commission statement's documents (UBL valid for EN 16931 and Peppol BIS 3; PDF/A-3a with that UBL
embedded)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from mutua.purchasing import ocds
from mutua.purchasing.domain import (
    Agreement,
    AwardRule,
    CatalogueItem,
    Channel,
    CommissionLine,
    CommissionStatement,
    Lot,
    LotSupplier,
    Order,
    OrderLine,
    OrderStatus,
    Procedure,
    PurchasingClause,
    Quarter,
    Supplier,
)
from mutua.purchasing.service import documents, publication
from tests.einvoice import Validator
from tests.integration import small
from tests.integration.small import A, B
from tests.ocds_check import problems

REF = "CSMART-2025-PC"
DAY = date(2025, 1, 15)
PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"


def _line(n: int, quantity: str, price: str, item: int = 1) -> OrderLine:
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    return OrderLine(n, item, f"PC-{n}", f"Desktop {n}", "C62", Decimal(quantity), Decimal(price), amount)


def purchasing_world(engine: Engine, folder: Path) -> None:
    """The small association with one agreement (two lots), two suppliers, orders of both members
    (placed, invoiced, a draft, one cancelled after placing) and a commission statement."""
    small.registry(engine, folder)
    uow = unit_of_work(engine, "tester")
    with uow:
        p = uow.purchasing
        p.add_suppliers(
            [
                Supplier("ECON", "Econocom NV", "0422646816", "BE0422646816", street="Leonardo da Vincilaan 3"),
                Supplier("DELL", "Dell BV", None, "NL805424561B01", country="NL"),
            ]
        )
        p.add_agreement(
            Agreement(
                REF,
                "Pc's",
                "PC",
                Procedure.OPEN,
                date(2024, 12, 1),
                date(2025, 1, 1),
                date(2026, 12, 31),
                Decimal("900000.00"),
                ("30213000",),
                PurchasingClause(categories=("A", "B")),
                renewals=1,
                commission_rate=Decimal("0.015"),
            ),
            [
                Lot(REF, 1, "Desktops", "Ordinateurs de bureau", Decimal("600000.00"), ("30213300",)),
                Lot(
                    REF,
                    2,
                    "Werkstations",
                    "Stations de travail",
                    Decimal("300000.00"),
                    award_rule=AwardRule.MINI_COMPETITION,
                ),
            ],
            [LotSupplier(REF, 1, "ECON", 1), LotSupplier(REF, 1, "DELL", 2), LotSupplier(REF, 2, "DELL")],
        )
        for lot, supplier in ((1, "ECON"), (2, "DELL")):
            p.add_items(
                [
                    CatalogueItem(
                        REF,
                        lot,
                        supplier,
                        f"PC-{n}",
                        "30213300",
                        f"Desktop {n}",
                        f"PC {n}",
                        "C62",
                        Decimal("650.00"),
                        DAY,
                    )
                    for n in (1, 2)
                ],
                "price_list",
                "test",
            )
        ids = {(i.lot, i.code): i.id for i in p.items(REF)}
        for order in (
            Order(
                "PO-2025-000001",
                A,
                REF,
                1,
                "ECON",
                OrderStatus.INVOICED,
                Channel.DIRECT,
                DAY,
                (_line(1, "4", "650.00", ids[1, "PC-1"]), _line(2, "1", "99.99", ids[1, "PC-2"])),
                approved_on=DAY,
                placed_on=DAY,
                delivered_on=date(2025, 2, 1),
                invoiced_on=date(2025, 2, 10),
            ),
            Order(
                "PO-2025-000002",
                B,
                REF,
                2,
                "DELL",
                OrderStatus.PLACED,
                Channel.ASSOCIATION,
                DAY,
                (_line(1, "2", "2100.00", ids[2, "PC-1"]),),
                approved_on=DAY,
                placed_on=date(2025, 1, 20),
            ),
            Order(
                "PO-2025-000003", B, REF, 1, "ECON", OrderStatus.DRAFT, Channel.DIRECT, DAY, (_line(1, "1", "650.00"),)
            ),
            Order(
                "PO-2025-000004",
                A,
                REF,
                1,
                "ECON",
                OrderStatus.CANCELLED,
                Channel.DIRECT,
                DAY,
                (_line(1, "1", "650.00"),),
                approved_on=DAY,
                placed_on=DAY,
                cancelled_on=date(2025, 1, 16),
            ),
        ):
            p.add_order(order)
        p.add_statement(
            CommissionStatement(
                "COM-2025-000001",
                "ECON",
                Quarter(2025, 1),
                (CommissionLine(REF, 1, 1, Decimal("2699.99"), Decimal("0.015"), Decimal("40.50")),),
                date(2025, 4, 2),
            )
        )
        uow.commit()


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Validator]:
    shared = Path(__file__).resolve().parents[2].parent / "shared"
    if not shared.is_dir():
        pytest.skip(f"{shared} is absent")
    yield Validator(shared)


def test_the_publication_read_from_the_database_passes_libcoveocds(
    engine: Engine, tmp_path: Path, shared_dir: Path
) -> None:
    purchasing_world(engine, tmp_path)
    records = publication.publication_records(unit_of_work(engine))
    assert sorted(o.number for o in records.orders) == ["PO-2025-000001", "PO-2025-000002", "PO-2025-000004"]
    assert records.members == {A: "Rijksdienst A", B: "Commune B"}
    files = ocds.packages(
        ocds.Publication(
            "ocds-mutua0",
            ocds.Party(records.association.name, records.association.enterprise_number),
            datetime(2025, 3, 1, tzinfo=UTC),
            "https://example.org/ocds",
            records.agreements,
            records.lots,
            records.lot_suppliers,
            records.suppliers,
            records.orders,
            records.documents,
            records.members,
        )
    )
    for name, package in files.items():
        assert problems(package, shared_dir) == [], name
    compiled = {r["ocid"]: r["compiledRelease"] for r in files[f"{REF}-records.json"]["records"]}
    assert compiled["ocds-mutua0-PO-2025-000001"]["awards"][0]["value"]["amount"] == 2699.99
    assert compiled["ocds-mutua0-PO-2025-000004"]["contracts"][0]["status"] == "cancelled"
    assert len(compiled[f"ocds-mutua0-{REF}"]["awards"]) == 2  # one per supplier


def test_mutua_purchasing_ocds_writes_every_package_as_a_json_file(tmp_path: Path, shared_dir: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(sqlite_url(data))
    migrate(engine)
    purchasing_world(engine, tmp_path)
    engine.dispose()
    out = tmp_path / "ocds"
    result = CliRunner().invoke(
        app, ["--data-dir", str(data), "purchasing", "ocds", "-o", str(out), "--prefix", "ocds-abc123"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{REF}-records.json", f"{REF}-releases.json"]
    for path in out.iterdir():
        package = json.loads(path.read_text(encoding="utf-8"))
        assert problems(package, shared_dir) == [], path.name
    releases = json.loads((out / f"{REF}-releases.json").read_text(encoding="utf-8"))
    assert {r["ocid"] for r in releases["releases"]} == {
        f"ocds-abc123-{REF}",
        "ocds-abc123-PO-2025-000001",
        "ocds-abc123-PO-2025-000002",
        "ocds-abc123-PO-2025-000004",
    }
    bad = CliRunner().invoke(app, ["--data-dir", str(data), "purchasing", "ocds", "-o", str(out), "--prefix", "x"])
    assert bad.exit_code == 2 and "OCID prefix" in bad.output


def test_a_commission_statements_documents_are_valid_peppol_and_a_pdf(
    engine: Engine, tmp_path: Path, validator: Validator
) -> None:
    purchasing_world(engine, tmp_path)
    ubl = documents.statement_ubl(unit_of_work(engine), "COM-2025-000001")
    assert validator.failures(ubl) == []
    assert b'<cbc:TaxAmount currencyID="EUR">8.51</cbc:TaxAmount>' in ubl  # 40.50 x 21 %
    pdf = pikepdf.open(io.BytesIO(documents.statement_pdf(unit_of_work(engine), "COM-2025-000001", "fr")))
    meta = pdf.open_metadata()  # PDF/A-3a, tagged, declared PDF/UA-1, in French, with its UBL as issued
    assert (meta.get(f"{PDFA}part"), meta.get(f"{PDFA}conformance"), meta.get(f"{PDFUA}part")) == ("3", "A", "1")
    assert str(pdf.Root.Lang) == "fr" and "/StructTreeRoot" in pdf.Root
    attached = pdf.attachments["COM-2025-000001.xml"]
    assert (str(attached.relationship), attached.get_file().read_bytes()) == ("/Alternative", ubl)
    assert [str(f.F) for f in pdf.Root.AF] == ["COM-2025-000001.xml"]
