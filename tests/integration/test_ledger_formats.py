"""The ledger from an accounting package on SQLite and PostgreSQL (issue 13, item 6): a `;` Latin-1
export and an XLSX sheet read through the cost model's ``ledger_format``, and a refused file that
writes nothing (not a line, not a batch, not an audit entry)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from mutua.bootstrap import unit_of_work
from mutua.charging.service import imports
from mutua.costing.service import import_cost_model
from mutua.kernel.problems import Rejected
from mutua.registry import service as registry_service
from tests.integration import small
from tests.small_model import MODEL

FORMAT = """\
ledger_format:
  decimal: ","
  encoding: latin-1
  period: DD/MM/YYYY
  columns: {entry_id: Stuk, period: Datum, account: Rekening, centre: KP, debit: Debet, credit: Credit,
            description: Omschrijving}
"""
EXPORT = (
    "Stuk;Datum;Rekening;KP;Omschrijving;Debet;Credit\n"
    "A1;15/01/2025;620000;HR;Lonen personeelsdienst;1.500,25;\n"
    "A2;15/01/2025;620000;DEV;Ontwikkelaars;12.000;\n"
    "A3;31/01/2025;740000;;Recuperaties - réservé;;100,00\n"
)


@pytest.fixture
def registered(engine: Engine, tmp_path: Path) -> Engine:
    uow = unit_of_work(engine, "ctrl")
    import_cost_model(uow, small.write(tmp_path, "model.yaml", MODEL + FORMAT))
    registry_service.import_members(uow, small.write(tmp_path, "members.csv", small.MEMBERS))
    registry_service.import_engagements(uow, small.write(tmp_path, "engagements.csv", small.ENGAGEMENTS))
    return engine


def ledger(engine: Engine) -> dict[str, tuple[str, Decimal]]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT entry_id, centre, amount FROM ledger_lines")).all()
    return {r.entry_id: (r.centre, Decimal(r.amount) / 100) for r in rows}


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as c:
        return tuple(  # type: ignore[return-value]
            c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in ("ledger_lines", "import_batches", "audit_log")
        )


def test_a_latin1_semicolon_export_and_a_refused_one(registered: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(EXPORT.replace("12.000;", "12.00;").encode("latin-1"))
    before = counts(registered)
    with pytest.raises(Rejected) as info:
        imports.import_ledger(unit_of_work(registered, "ctrl"), bad)
    assert [(p.line, p.field) for p in info.value.problems] == [(3, "Debet")]
    assert counts(registered) == before
    good = tmp_path / "grootboek.csv"
    good.write_bytes(EXPORT.encode("latin-1"))
    assert imports.import_ledger(unit_of_work(registered, "ctrl"), good).rows == 3
    assert ledger(registered) == {
        "A1": ("HR", Decimal("1500.25")),
        "A2": ("DEV", Decimal("12000.00")),
        "A3": ("HR", Decimal("-100.00")),
    }


def test_an_xlsx_sheet(registered: Engine, tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["Stuk", "Datum", "Rekening", "KP", "Omschrijving", "Debet", "Credit"])
    ws.append(["X1", date(2025, 2, 3), 620000, "DEV", "Ontwikkelaars", 2500.5, None])
    ws.append(["X2", "28/02/2025", "611000", "VM", "Licenties", "1.000,00", None])
    path = tmp_path / "grootboek.xlsx"
    book.save(path)
    assert imports.import_ledger(unit_of_work(registered, "ctrl"), path).rows == 2
    assert ledger(registered) == {"X1": ("DEV", Decimal("2500.50")), "X2": ("VM", Decimal("1000.00"))}
