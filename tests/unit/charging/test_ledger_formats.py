"""The ledger as Belgian accounting packages export it (issue 13, item 6): CSV with ``;`` and a decimal
comma, in Latin-1 or UTF-8 with a byte order mark, and an XLSX sheet, read through the column mapping
of the cost model's ``ledger_format``; a value is read by the declared convention and an ambiguous one
is refused with its line and field; the file loads whole or not at all."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from tests.fakes import FakeUnitOfWork
from tests.fakes.charging import charging_uow
from tests.small_model import MODEL
from tests.unit.charging.small import ENGAGEMENTS, MEMBERS, association

from mutua.charging.service import imports
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.periods import Period
from mutua.kernel.problems import Rejected
from mutua.platform.files.numbers import canonical, unambiguous

FORMAT = """\
ledger_format:
  delimiter: ";"
  decimal: ","
  encoding: latin-1
  period: DD/MM/YYYY
  columns:
    entry_id: Boekingsnr
    period: Boekdatum
    account: Rekening
    centre: Kostenplaats
    debit: Debet
    credit: Credit
    nd_vat: Niet-aftrekbare btw
    engagement: Opdracht
    description: Omschrijving
"""

EXPORT = """\
Dagboek;Boekingsnr;Boekdatum;Rekening;Kostenplaats;Omschrijving;Debet;Credit;Niet-aftrekbare btw;Opdracht
AK;B1;15/01/2025;620000;HR;Lonen personeelsdienst;1.500,25;;;
AK;B2;15/01/2025;620000;DEV;Ontwikkelaars;12.000;;;
AK;B3;31/01/2025;611000;VM;Licenties (btw niet aftrekbaar) – é;500,00;;105,00;
DV;B4;31/01/2025;740000;;Recuperaties;;100,00;;
"""


XLSX_FORMAT = """\
ledger_format:
  decimal: ","
  period: YYYY-MM-DD
  columns:
    entry_id: Boekingsnr
    period: Boekdatum
    account: Rekening
    centre: Kostenplaats
    debit: Debet
    credit: Credit
    description: Omschrijving
"""


def formatted(extra: str = FORMAT) -> FakeUnitOfWork:
    return charging_uow(MODEL + extra, MEMBERS, ENGAGEMENTS, "ctrl")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems_of(uow: FakeUnitOfWork, path: Path) -> list[str]:
    with pytest.raises(Rejected) as info:
        imports.import_ledger(uow, path)
    return [str(p).replace(f"{path.parent}/", "") for p in info.value.problems]


def nothing_written(uow: FakeUnitOfWork) -> bool:
    return uow.charging.ledger == [] and uow.batches.batches == []


def amounts(uow: FakeUnitOfWork) -> dict[str, tuple[Period, str, Decimal, Decimal]]:
    return {ln.entry_id: (ln.period, ln.centre, ln.amount, ln.nd_vat) for _, ln in uow.charging.ledger}


def test_a_semicolon_latin1_export_is_read_by_its_declared_convention_and_mapping(tmp_path: Path) -> None:
    uow = formatted()
    result = imports.import_ledger(uow, write(tmp_path, "grootboek.csv", EXPORT.encode("latin-1", "replace")))
    assert (result.kind, result.rows) == ("ledger", 4)
    assert amounts(uow) == {
        "B1": (Period(2025, 1), "HR", Decimal("1500.25"), Decimal(0)),
        "B2": (Period(2025, 1), "DEV", Decimal("12000"), Decimal(0)),  # "12.000" is twelve thousand
        "B3": (Period(2025, 1), "VM", Decimal("500.00"), Decimal("105.00")),
        "B4": (Period(2025, 1), "HR", Decimal("-100.00"), Decimal(0)),  # a credit on income: its default centre
    }
    descriptions = {ln.entry_id: ln.description for _, ln in uow.charging.ledger}
    assert descriptions["B3"].endswith("é")  # Latin-1 read as Latin-1


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    uow = formatted(FORMAT.replace("encoding: latin-1", "encoding: utf-8"))
    data = b"\xef\xbb\xbf" + EXPORT.replace("é", "€ é").encode("utf-8")
    imports.import_ledger(uow, write(tmp_path, "grootboek.csv", data))
    assert amounts(uow)["B1"][2] == Decimal("1500.25")
    assert {ln.entry_id: ln.description for _, ln in uow.charging.ledger}["B3"].endswith("€ é")


def test_latin1_bytes_under_a_declared_utf8_are_refused_with_their_line(tmp_path: Path) -> None:
    uow = formatted(FORMAT.replace("encoding: latin-1", "encoding: utf-8"))
    problems = problems_of(uow, write(tmp_path, "grootboek.csv", EXPORT.encode("latin-1", "replace")))
    assert len(problems) == 1 and "grootboek.csv:4" in problems[0] and "not utf-8 text" in problems[0]
    assert nothing_written(uow)


def test_a_value_that_does_not_fit_the_declared_convention_is_refused_with_line_and_column(tmp_path: Path) -> None:
    uow = formatted()
    bad = EXPORT.replace("12.000;", "12.00;").replace(";100,00;", ";1,000.00;")
    problems = problems_of(uow, write(tmp_path, "grootboek.csv", bad.encode("latin-1", "replace")))
    assert problems == [
        "grootboek.csv:3: Debet: '12.00' is not a number written with a decimal comma ('.' between thousands)",
        "grootboek.csv:5: Credit: '1,000.00' is not a number written with a decimal comma ('.' between thousands)",
    ]
    assert nothing_written(uow) and not uow.committed


def test_every_problem_names_the_exports_column_and_nothing_is_written(tmp_path: Path) -> None:
    uow = formatted()
    bad = EXPORT.replace(";620000;DEV;", ";690000;DEV;").replace("31/01/2025;611000", "31/13/2025;611000")
    problems = problems_of(uow, write(tmp_path, "grootboek.csv", bad.encode("latin-1", "replace")))
    assert problems == [
        "grootboek.csv:4: Boekdatum: '31/13/2025' is not a period written as DD/MM/YYYY",
        "grootboek.csv:3: Rekening: unknown account 690000 (not in the cost model)",
    ]
    assert nothing_written(uow)


def test_a_mapped_column_missing_from_the_header_is_named(tmp_path: Path) -> None:
    uow = formatted()
    bad = EXPORT.replace("Kostenplaats", "KP")
    assert problems_of(uow, write(tmp_path, "grootboek.csv", bad.encode("latin-1", "replace"))) == [
        "grootboek.csv:1: Kostenplaats: column is missing from the header (centre)"
    ]


def test_a_semicolon_file_without_a_declared_convention_refuses_an_ambiguous_value(tmp_path: Path) -> None:
    uow = association()
    text = (
        "entry_id;period;account;centre;amount;nd_vat;engagement;description\n"
        "X1;2025-01;620000;HR;1.500;;;thousand five hundred, or one and a half\n"
        "X2;2025-01;620000;DEV;1.500,00;;;unambiguous\n"
        "X3;2025-01;620000;DEV;2,5;;;unambiguous\n"
    )
    problems = problems_of(uow, write(tmp_path, "ledger.csv", text.encode()))
    assert len(problems) == 1
    assert problems[0].startswith("ledger.csv:2: amount: '1.500' is ambiguous")
    assert nothing_written(uow)
    imports.import_ledger(uow, write(tmp_path, "ledger2.csv", text.replace("1.500;", "1500;").encode()))
    assert [a for _, _, a, _ in amounts(uow).values()] == [Decimal("1500"), Decimal("1500.00"), Decimal("2.5")]


def test_an_xlsx_sheet_with_number_and_date_cells(tmp_path: Path) -> None:
    uow = formatted(XLSX_FORMAT + "  sheet: Grootboek\n  header_row: 3\n")
    book = Workbook()
    book.active.title = "Info"
    ws = book.create_sheet("Grootboek")
    ws.append(["Export uit het boekhoudpakket"])
    ws.append([])
    ws.append(["Boekingsnr", "Boekdatum", "Rekening", "Kostenplaats", "Omschrijving", "Debet", "Credit"])
    ws.append(["B1", datetime(2025, 1, 15), 620000, "HR", "Lonen", 1500.25, None])
    ws.append(["B2", date(2025, 1, 31), "620000", "DEV", "Ontwikkelaars", "12.000", None])
    ws.append(["B3", datetime(2025, 1, 31), 740000, None, "Recuperaties", None, Decimal("100")])
    path = tmp_path / "grootboek.xlsx"
    book.save(path)
    result = imports.import_ledger(uow, path)
    assert result.rows == 3
    assert amounts(uow) == {
        "B1": (Period(2025, 1), "HR", Decimal("1500.25"), Decimal(0)),
        "B2": (Period(2025, 1), "DEV", Decimal("12000"), Decimal(0)),
        "B3": (Period(2025, 1), "HR", Decimal("-100"), Decimal(0)),
    }
    again = problems_of(uow, path)
    assert again == ["grootboek.xlsx: already imported (batch 1)"]


def test_an_xlsx_cell_with_too_many_decimals_is_refused_with_its_row(tmp_path: Path) -> None:
    uow = formatted(XLSX_FORMAT)
    book = Workbook()
    ws = book.active
    ws.append(["Boekingsnr", "Boekdatum", "Rekening", "Kostenplaats", "Omschrijving", "Debet", "Credit"])
    ws.append(["B1", date(2025, 1, 15), 620000, "HR", "", 10.5])
    ws.append(["B2", date(2025, 1, 15), 620000, "HR", "", 12.345])  # a float the sheet computed: three decimals
    path = tmp_path / "g.xlsx"
    book.save(path)
    problems = problems_of(uow, path)
    assert len(problems) == 1 and problems[0].startswith("g.xlsx:3: Debet:") and "decimals" in problems[0]
    assert nothing_written(uow)


def test_the_model_refuses_a_bad_ledger_format_with_its_field() -> None:
    with pytest.raises(Rejected) as info:
        parse_cost_model(
            MODEL
            + 'ledger_format:\n  delimiter: ","\n  decimal: ","\n  columns: {entry_id: Nr, amount: B, debit: D}\n',
            "m.yaml",
        )
    fields = {p.field for p in info.value.problems}
    assert {"ledger_format.decimal", "ledger_format.columns.amount", "ledger_format.columns.period"} <= fields


def test_the_ledger_format_survives_the_models_export() -> None:
    from mutua.costing.modelfile import dump_cost_model

    model = parse_cost_model(MODEL + FORMAT, "m.yaml")
    again = parse_cost_model(dump_cost_model(model), "again.yaml")
    assert again.ledger_format == model.ledger_format is not None


@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
def test_a_number_written_in_either_convention_reads_back_exactly(value: Decimal) -> None:
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = f"{int(whole):,}"
    sign = "-" if value < 0 else ""
    assert Decimal(canonical(f"{sign}{groups.replace(',', '.')},{cents}", ",")) == value
    assert Decimal(canonical(f"{sign}{groups}.{cents}", ".")) == value
    assert Decimal(unambiguous(f"{sign}{groups.replace(',', '.')},{cents}")) == value
