"""Suppliers' price lists, CSV and XLSX: every bad line named (line, column, why) and nothing
written; price changes kept as history; items no longer listed withdrawn; indexation with the
computation shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutua.kernel.bounds import MAX_AMOUNT
from mutua.kernel.problems import Rejected
from mutua.purchasing.domain import PriceSource
from mutua.purchasing.service import agreements, catalogue
from tests.unit.purchasing.world import LAPTOPS, REF, fake_uow, load, write, xlsx

HEADER = "code,cpv,description_nl,description_fr,unit,price\n"


def _refused(tmp_path: Path, content: str | bytes, name: str = "list.csv") -> list[tuple[int | None, str | None, str]]:
    uow = fake_uow()
    load(uow, tmp_path)
    before = (len(uow.purchasing.item_list), len(uow.purchasing.points), len(uow.batches.batches))
    with pytest.raises(Rejected) as refused:
        catalogue.import_price_list(uow, REF, 1, "ACME", write(tmp_path, name, content), date(2025, 3, 1))
    after = (len(uow.purchasing.item_list), len(uow.purchasing.points), len(uow.batches.batches))
    assert after == before, "nothing written"
    return [(p.line, p.field, p.message) for p in refused.value.problems]


def test_every_bad_line_of_a_price_list_is_named_with_its_column_and_reason(tmp_path: Path) -> None:
    text = HEADER + (
        "OK-1,30213100,Goed,Bon,C62,10.00\n"
        "BAD-CPV,30213199,Fout,Faux,C62,10.00\n"
        "NEG,30213100,Negatief,Négatif,C62,-5.00\n"
        "NOPRICE,30213100,Geen prijs,Sans prix,C62,\n"
        "UNIT,30213100,Eenheid,Unité,PCS,10.00\n"
        "OK-1,30213100,Dubbel,Double,C62,11.00\n"
        "CENTS,30213100,Te fijn,Trop fin,C62,10.005\n"
    )
    problems = _refused(tmp_path, text)
    assert problems == [
        (3, "cpv", "'30213199' is not a code of the CPV 2008 main vocabulary"),
        (4, "price", "negative price -5.00: a price is positive"),
        (5, "price", "missing price"),
        (
            6,
            "unit",
            "unknown unit code 'PCS' (UN/ECE recommendation 20: C62, H87, EA, SET, DAY, HUR, MON, ...)",
        ),
        (7, "code", "duplicate item 'OK-1': also on line 2"),
        (8, "price", "price 10.005 has more than two decimals"),
    ]


def test_a_line_that_is_not_utf8_is_named_as_bad_encoding_beside_the_other_problems(tmp_path: Path) -> None:
    data = (HEADER + "A,30213100,Goed,Bon,C62,10.00\n").encode() + "B,30213100,Cafe,Caf\xe9,C62,1\n".encode("latin-1")
    data += b"C,30213100,Fout,Faux,XXX,1\n"
    problems = _refused(tmp_path, data)
    assert problems[0][0] == 3 and problems[0][2].startswith("bad encoding: not UTF-8 text (byte 0xe9")
    assert problems[1][:2] == (4, "unit")


XLSX_HEADER: list[object] = ["code", "cpv", "description_nl", "description_fr", "unit", "price"]


def test_an_xlsx_price_list_with_merged_cells_is_refused_naming_the_merged_range(tmp_path: Path) -> None:
    data = xlsx(
        [XLSX_HEADER, ["X1", "30213100", "Een", "Un", "C62", 12.5], ["X2", "30213100", "Twee", "Deux", "C62", 13]],
        merge="C3:D3",
    )
    problems = _refused(tmp_path, data, "list.xlsx")
    assert (3, "description_nl", "merged cells C3:D3: unmerge them, one value per cell") in problems


def test_an_xlsx_price_list_is_imported_with_its_numbers_exact(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    data = xlsx(
        [XLSX_HEADER, ["X1", 30213100, "Een", "Un", "C62", 12.1], ["X2", "30213100", "Twee", "Deux", "H87", 13]]
    )
    result = catalogue.import_price_list(uow, REF, 1, "BETA", write(tmp_path, "beta.xlsx", data), date(2025, 3, 1))
    assert (result.new, result.withdrawn) == (2, 1)  # B-14 of the earlier list is no longer listed
    prices = {i.code: i.price for i in catalogue.catalogue(uow, REF, 1, "BETA", on=date(2025, 3, 1))}
    assert prices == {"X1": Decimal("12.10"), "X2": Decimal("13.00")}


def test_a_new_price_list_keeps_the_old_prices_as_history_and_withdraws_what_it_drops(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    changed = LAPTOPS.replace("900.00", "880.00").replace(
        "DOCK,30213100,Dockingstation,Station d'accueil,H87,150.00,\n", ""
    )
    result = catalogue.import_price_list(uow, REF, 1, "ACME", write(tmp_path, "acme-2.csv", changed), date(2025, 6, 1))
    assert (result.new, result.repriced, result.unchanged, result.withdrawn) == (0, 1, 1, 1)
    lt14 = next(i for i in catalogue.catalogue(uow, REF, 1, "ACME", on=date(2025, 6, 1)) if i.code == "LT-14")
    history = catalogue.price_history(uow, lt14.id)
    assert [(p.price, p.valid_from, p.source) for p in history.points] == [
        (Decimal("900.00"), date(2025, 1, 1), PriceSource.PRICE_LIST),
        (Decimal("880.00"), date(2025, 6, 1), PriceSource.PRICE_LIST),
    ]
    assert {i.code for i in catalogue.catalogue(uow, REF, 1, "ACME", on=date(2025, 5, 31))} == {
        "LT-14",
        "LT-16",
        "DOCK",
    }
    assert {i.code for i in catalogue.catalogue(uow, REF, 1, "ACME", on=date(2025, 6, 1))} == {"LT-14", "LT-16"}
    with pytest.raises(Rejected, match="1 problem") as again:
        catalogue.import_price_list(uow, REF, 1, "ACME", tmp_path / "acme-2.csv", date(2025, 7, 1))
    assert "already imported" in again.value.problems[0].message


def test_the_same_price_list_for_another_supplier_of_the_lot_is_no_repeat_but_twice_for_one_is(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    path = tmp_path / "acme.csv"  # ACME's list of the world, imported into lot 1 for ACME
    for_beta = catalogue.import_price_list(uow, REF, 1, "BETA", path, date(2025, 3, 1))
    assert (for_beta.new, for_beta.withdrawn) == (3, 1)  # BETA now sells ACME's three items, not its own
    assert {i.code for i in catalogue.catalogue(uow, REF, 1, "BETA", on=date(2025, 3, 1))} == {"LT-14", "LT-16", "DOCK"}
    for supplier in ("ACME", "BETA"):
        with pytest.raises(Rejected, match="1 problem") as again:
            catalogue.import_price_list(uow, REF, 1, supplier, path, date(2025, 4, 1))
        assert again.value.problems[0].message.startswith("already imported (batch ")
    assert uow.batches.targets[-1] == f"{REF}/1/BETA" and len(uow.batches.batches) == 5


def test_a_price_list_may_not_start_before_the_prices_it_replaces_nor_come_from_a_supplier_not_awarded(
    tmp_path: Path,
) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    with pytest.raises(Rejected) as early:
        catalogue.import_price_list(
            uow, REF, 1, "ACME", write(tmp_path, "early.csv", LAPTOPS + "\n"), date(2024, 12, 1)
        )
    assert early.value.problems[0].field == "valid_from"
    with pytest.raises(Rejected) as stranger:
        catalogue.import_price_list(uow, REF, 2, "ACME", write(tmp_path, "x.csv", LAPTOPS + "\n\n"), date(2025, 2, 1))
    assert "was not awarded lot 2" in stranger.value.problems[0].message


def test_a_consultancy_lot_sells_man_days_only(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    with pytest.raises(Rejected) as refused:
        catalogue.import_price_list(
            uow,
            REF,
            2,
            "CONS1",
            write(tmp_path, "h.csv", HEADER + "H,72000000,Uur,Heure,HUR,100.00\n"),
            date(2025, 2, 1),
        )
    assert [(p.line, p.field) for p in refused.value.problems] == [(2, "unit")]


def test_an_indexation_revises_every_price_by_the_index_with_its_computation(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    with pytest.raises(Rejected, match="1 problem"):
        catalogue.index_prices(uow, REF, Decimal("104.20"), date(2025, 3, 1))  # the clause says January
    with pytest.raises(Rejected, match="1 problem"):
        catalogue.index_prices(uow, REF, Decimal("104.20"), date(2026, 1, 1))  # past the term, not renewed yet
    agreements.renew_agreement(uow, REF, on=date(2025, 11, 1))
    result = catalogue.index_prices(uow, REF, Decimal("104.20"), date(2026, 1, 1))
    lines = {code: (old, new, how) for code, _, old, new, how in result.lines}
    assert lines["LT-16"] == (Decimal("1200.50"), Decimal("1250.92"), "1200.50 x 104.20 / 100.00 = 1250.92")
    assert result.indexation.items == 7 and result.indexation.from_value == Decimal("100.00")
    item = next(i for i in catalogue.catalogue(uow, REF, 1, "ACME", on=date(2026, 1, 1)) if i.code == "LT-16")
    points = catalogue.price_history(uow, item.id).points
    assert points[-1].source is PriceSource.INDEXATION and points[-1].computation.endswith("= 1250.92")
    with pytest.raises(Rejected, match="1 problem"):
        catalogue.index_prices(uow, REF, Decimal("105"), date(2026, 1, 1))  # once a year
    with pytest.raises(Rejected) as earlier:
        catalogue.index_prices(uow, REF, Decimal("105"), date(2025, 1, 1))
    assert [p.message for p in earlier.value.problems] == ["a later indexation was applied already"]


@given(
    st.one_of(
        st.decimals(min_value=Decimal("-10"), max_value=Decimal("2000000000"), places=3).map(str),
        st.from_regex(r"[0-9]{1,11}(\.[0-9]{0,3})?", fullmatch=True),
        st.text(alphabet="0123456789.,- e", max_size=12),
    )
)
def test_a_plain_price_is_read_as_every_check_reads_it(text: str) -> None:
    """The fast path for prices as most lists write them ("1249.5") gives what the full checks give,
    and leaves every other text to them (a comma, a sign, zero, three decimals, beyond the bound:
    1e100 is refused by the bound, not a traceback from rounding it)."""
    from mutua.purchasing.domain.pricelist import _amount, _price

    def checked(text: str) -> Decimal | str:
        try:
            amount = _amount(text)
        except ValueError as exc:
            return str(exc)
        if amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            return "refused"
        return amount.quantize(Decimal("0.01"))

    def fast(text: str) -> Decimal | str:
        try:
            return _price(text, "price")
        except ValueError as exc:
            return "refused" if not str(exc).startswith(repr(text.strip()[:20])) else str(exc)

    assert fast(text) == checked(text)
