"""The catalogues' full-text search on both engines (SQLite FTS5, PostgreSQL tsvector + GIN): Dutch
and French words, prefixes, every word required, disjunctive facets, price ranges, withdrawn items,
pages, and words that are operators of the engines' query languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from mutua.bootstrap import unit_of_work
from mutua.purchasing.domain import (
    Agreement,
    AwardRule,
    CatalogueItem,
    Lot,
    LotSupplier,
    Procedure,
    PurchasingClause,
    Supplier,
)
from mutua.purchasing.domain.search import CatalogueQuery, terms
from mutua.purchasing.search import SqlCatalogueSearch

LAPTOPS = "CSMART-2024-LAPTOPS"
PRINTERS = "CSMART-2024-PRINT"
DAY = date(2024, 3, 1)

# (agreement, lot, supplier, code, cpv, nl, fr, price)
ROWS = (
    (LAPTOPS, 1, "ECON", "LAP-14", "30213100", "Laptop 14 inch met docking", "Ordinateur portable 14 pouces", "799.99"),
    (LAPTOPS, 1, "ECON", "LAP-16", "30213100", "Laptop 16 inch", "Ordinateur portable 16 pouces", "1249.00"),
    (
        LAPTOPS,
        1,
        "DELL",
        "DL-5440",
        "30213100",
        "Laptop 14 inch zakelijk",
        "Portable 14 pouces professionnel",
        "899.00",
    ),
    (LAPTOPS, 2, "DELL", "DL-MON27", "30231000", "Beeldscherm 27 inch", "Écran 27 pouces", "289.50"),
    (LAPTOPS, 2, "DELL", "DL-DOCK", "30237000", "Dockingstation USB-C", "Station d'accueil USB-C", "179.00"),
    (
        PRINTERS,
        1,
        "RICOH",
        "MPC-3004",
        "30232110",
        "Multifunctionele laserprinter",
        "Imprimante laser multifonction",
        "5400.00",
    ),
    (PRINTERS, 1, "RICOH", "TONER-K", "30125100", "Toner zwart", "Toner noir", "89.95"),
)


def _world(engine: Engine) -> None:
    uow = unit_of_work(engine, "tester")
    clause = PurchasingClause(categories=("A",))
    with uow:
        p = uow.purchasing
        p.add_suppliers(
            [Supplier("ECON", "Econocom NV"), Supplier("DELL", "Dell BV"), Supplier("RICOH", "Ricoh Belgium NV")]
        )
        p.add_agreement(
            Agreement(
                LAPTOPS,
                "Laptops",
                "Ordinateurs portables",
                Procedure.OPEN,
                DAY,
                DAY,
                date(2027, 2, 28),
                Decimal("5000000.00"),
                ("30213100",),
                clause,
            ),
            [
                Lot(LAPTOPS, 1, "Laptops", "Portables", Decimal("3000000.00")),
                Lot(
                    LAPTOPS,
                    2,
                    "Randapparatuur",
                    "Périphériques",
                    Decimal("2000000.00"),
                    award_rule=AwardRule.MINI_COMPETITION,
                ),
            ],
            [LotSupplier(LAPTOPS, 1, "ECON", 1), LotSupplier(LAPTOPS, 1, "DELL", 2), LotSupplier(LAPTOPS, 2, "DELL")],
        )
        p.add_agreement(
            Agreement(
                PRINTERS,
                "Printers",
                "Imprimantes",
                Procedure.OPEN,
                DAY,
                DAY,
                date(2027, 2, 28),
                Decimal("1000000.00"),
                ("30232110",),
                clause,
            ),
            [Lot(PRINTERS, 1, "Printers", "Imprimantes", Decimal("1000000.00"))],
            [LotSupplier(PRINTERS, 1, "RICOH", 1)],
        )
        groups: dict[tuple[str, int, str], list[CatalogueItem]] = {}
        for agreement, lot, supplier, code, cpv, nl, fr, price in ROWS:
            groups.setdefault((agreement, lot, supplier), []).append(
                CatalogueItem(agreement, lot, supplier, code, cpv, nl, fr, "C62", Decimal(price), DAY)
            )
        for group in groups.values():
            p.add_items(group, "price_list", "test")
        uow.commit()


@pytest.fixture
def search(engine: Engine):  # type: ignore[no-untyped-def]
    _world(engine)
    with engine.connect() as connection:
        yield SqlCatalogueSearch(connection)


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(i.code for i in result.items)


def test_words_are_found_in_dutch_and_french_as_prefixes_and_all_are_required(search: SqlCatalogueSearch) -> None:
    assert codes(search.search(CatalogueQuery("laptop 14"))) == ["DL-5440", "LAP-14"]
    assert codes(search.search(CatalogueQuery("ordinateur portable"))) == ["LAP-14", "LAP-16"]
    assert codes(search.search(CatalogueQuery("dock"))) == ["DL-DOCK", "LAP-14"]  # docking, dockingstation
    assert codes(search.search(CatalogueQuery("imprimante"))) == ["MPC-3004"]
    assert codes(search.search(CatalogueQuery("toner-k"))) == ["TONER-K"]  # the code
    assert search.search(CatalogueQuery("laptop toner")).total == 0


def test_an_accent_typed_or_not_finds_the_french_word(search: SqlCatalogueSearch) -> None:
    assert codes(search.search(CatalogueQuery("écran"))) == ["DL-MON27"]
    if not search.postgres:  # FTS5 folds diacritics; PostgreSQL's French configuration keeps them
        assert codes(search.search(CatalogueQuery("ecran"))) == ["DL-MON27"]


def test_facets_count_every_filter_but_their_own(search: SqlCatalogueSearch) -> None:
    result = search.search(CatalogueQuery("", agreement=LAPTOPS, supplier="DELL", language="fr"))
    assert result.total == 3
    agreements = {v.key: (v.count, v.label, v.selected) for v in result.facets["agreement"]}
    assert agreements == {LAPTOPS: (3, "Ordinateurs portables", True)}  # Ricoh has no laptops
    suppliers = {v.key: v.count for v in result.facets["supplier"]}
    assert suppliers == {"DELL": 3, "ECON": 2}  # within the laptops, whatever the supplier
    assert {v.key: v.count for v in result.facets["lot"]} == {f"{LAPTOPS}/1": 1, f"{LAPTOPS}/2": 2}
    assert {v.key: v.count for v in result.facets["cpv"]} == {"30": 3}
    assert [(v.key, v.count) for v in result.facets["price"]] == [("100-500", 2), ("500-1000", 1)]
    assert result.supplier_names["DELL"] == "Dell BV"


def test_cpv_division_lot_and_price_range_filter(search: SqlCatalogueSearch) -> None:
    assert codes(search.search(CatalogueQuery(agreement=LAPTOPS, lot=2))) == ["DL-DOCK", "DL-MON27"]
    assert search.search(CatalogueQuery(cpv_division="30")).total == 7
    priced = search.search(CatalogueQuery(price_min=Decimal("179"), price_max=Decimal("799.999")))
    assert codes(priced) == ["DL-DOCK", "DL-MON27", "LAP-14"]
    assert [(v.key, v.count) for v in priced.facets["price"]] == [("100-500", 2), ("500-1000", 1)]


def test_pages_are_sorted_by_description_in_the_language_or_by_price(search: SqlCatalogueSearch) -> None:
    first = search.search(CatalogueQuery("", language="nl", limit=2))
    second = search.search(CatalogueQuery("", language="nl", limit=2, offset=2))
    assert first.total == second.total == 7
    assert [i.description_nl for i in (*first.items, *second.items)] == [
        "Beeldscherm 27 inch",
        "Dockingstation USB-C",
        "Laptop 14 inch met docking",
        "Laptop 14 inch zakelijk",
    ]
    cheapest = search.search(CatalogueQuery("", sort="price", limit=3))
    assert [i.price for i in cheapest.items] == [Decimal("89.95"), Decimal("179.00"), Decimal("289.50")]


def test_withdrawn_items_and_items_not_valid_that_day_are_not_found(search: SqlCatalogueSearch, engine: Engine) -> None:
    uow = unit_of_work(engine, "tester")
    with uow:
        (toner,) = [i for i in uow.purchasing.items(PRINTERS) if i.code == "TONER-K"]
        uow.purchasing.withdraw([toner.id], date(2024, 6, 1))
        uow.commit()
    assert search.search(CatalogueQuery("toner")).total == 0
    assert search.search(CatalogueQuery("laptop", on=date(2024, 2, 1))).total == 0
    assert search.search(CatalogueQuery("laptop", on=date(2024, 3, 1))).total == 3


def test_an_edited_description_is_found_by_its_new_words(search: SqlCatalogueSearch, engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(text("UPDATE purchasing_items SET description_nl = 'Tablet 11 inch' WHERE code = 'LAP-16'"))
    assert codes(search.search(CatalogueQuery("tablet"))) == ["LAP-16"]
    assert codes(search.search(CatalogueQuery("laptop 16"))) == []


def test_the_words_the_repository_writes_are_the_words_the_server_splits(
    search: SqlCatalogueSearch, engine: Engine
) -> None:
    """The application splits the words it writes (domain.search.indexed_words); on PostgreSQL a row
    written by hand gets them from a trigger: both must split alike, punctuation, accents and all."""
    awkward = 'Écran—HP/Compaq 13,3" (ref. X_1) «test» 5°C'
    uow = unit_of_work(engine, "tester")
    with uow:
        (toner,) = [i for i in uow.purchasing.items(PRINTERS) if i.code == "TONER-K"]
        uow.purchasing.reprice([(replace(toner, description_nl=awkward, description_fr=awkward), None)])
        uow.commit()
    with engine.begin() as c:
        c.execute(text("UPDATE purchasing_items SET description_fr = :d WHERE code = 'LAP-16'"), {"d": awkward})
    assert codes(search.search(CatalogueQuery("compaq 13"))) == ["LAP-16", "TONER-K"]  # by hand too
    assert codes(search.search(CatalogueQuery("ref x 1 toner"))) == ["TONER-K"]
    if engine.dialect.name != "postgresql":  # SQLite's FTS5 reads the descriptions themselves
        return
    with engine.begin() as c:
        written = dict(c.execute(text("SELECT code, words_nl || ' / ' || words_fr FROM purchasing_items")).all())
        server = c.execute(text("SELECT btrim(regexp_replace(:d, '[^[:alnum:]]+', ' ', 'g'))"), {"d": awkward})
    words = "Écran HP Compaq 13 3 ref X 1 test 5 C"
    assert written["TONER-K"] == f"{words} TONER K / {words}"  # the repository's
    assert written["LAP-16"] == f"Laptop 16 inch LAP 16 / {words}"  # the trigger's
    assert server.scalar_one() == words


@pytest.mark.parametrize(
    "words", ['laptop" OR "toner', "laptop*", "NEAR(laptop toner)", "laptop & !toner", "'; drop table x; --", "(", ":*"]
)
def test_operators_of_either_query_language_are_plain_words(search: SqlCatalogueSearch, words: str) -> None:
    result = search.search(CatalogueQuery(words))
    assert result.total == len(result.items) <= 7
    assert all(w.isalnum() for w in terms(words))


def test_a_code_with_digits_after_a_hyphen_is_found_on_both_engines(search: SqlCatalogueSearch) -> None:
    # PostgreSQL's parser reads "-5440" as a signed number unless punctuation is a space, as in FTS5
    assert codes(search.search(CatalogueQuery("DL-5440"))) == ["DL-5440"]
    assert codes(search.search(CatalogueQuery("dl 5440"))) == ["DL-5440"]
    assert codes(search.search(CatalogueQuery("dl_5440"))) == ["DL-5440"]  # split where the index splits


def _browsed_and_scanned(search: SqlCatalogueSearch, on: date | None) -> tuple[object, object]:
    """The facets of a search without words (counted from the catalogue's cells) and of the same
    search with a price range that excludes nothing (counted from the items themselves)."""
    browsed = search.search(CatalogueQuery("", on=on))
    scanned = search.search(CatalogueQuery("", on=on, price_min=Decimal("0")))
    return (browsed.total, dict(browsed.facets)), (scanned.total, dict(scanned.facets))


def test_browsing_counts_what_the_items_count_after_every_kind_of_write(
    search: SqlCatalogueSearch, engine: Engine
) -> None:
    browsed, scanned = _browsed_and_scanned(search, None)
    assert browsed == scanned and browsed[0] == 7
    uow = unit_of_work(engine, "tester")
    with uow:
        laptops = {i.code: i for i in uow.purchasing.items(LAPTOPS)}
        uow.purchasing.withdraw([laptops["LAP-16"].id], date(2024, 6, 1))
        # 289.50 moves from the 100-500 bucket to 5000-; the dock ends on 30 June
        uow.purchasing.reprice(
            [
                (replace(laptops["DL-MON27"], price=Decimal("5200.00")), None),
                (replace(laptops["DL-DOCK"], valid_until=date(2024, 6, 30)), None),
            ]
        )
        uow.commit()
    search.c.rollback()  # a new snapshot
    for on in (None, date(2024, 6, 30), date(2024, 7, 1)):
        browsed, scanned = _browsed_and_scanned(search, on)
        assert browsed == scanned, on
    after = search.search(CatalogueQuery("", on=date(2024, 7, 1)))
    assert after.total == 5  # 7 less the withdrawn laptop and the dock no longer valid
    assert ("5000-", 2) in [(v.key, v.count) for v in after.facets["price"]]


def test_a_page_of_matches_is_in_the_order_asked_from_its_offset(search: SqlCatalogueSearch) -> None:
    by_description = search.search(CatalogueQuery("laptop", limit=2, offset=1))
    assert by_description.total == 3
    assert [i.code for i in by_description.items] == ["DL-5440", "LAP-16"]  # "… met docking" comes first
    by_price = search.search(CatalogueQuery("laptop", sort="price", limit=3))
    assert [i.code for i in by_price.items] == ["LAP-14", "DL-5440", "LAP-16"]
    in_french = search.search(CatalogueQuery("14", language="fr"))
    assert [i.code for i in in_french.items] == ["LAP-14", "DL-5440"]  # Ordinateur … before Portable …


def test_the_search_words_migrate_down_and_up(engine: Engine) -> None:
    """0453 down: the descriptions' own indexes serve the search again; up: the words of the items
    already there are split and indexed (PostgreSQL), and the search finds what it found."""
    from alembic import command
    from sqlalchemy import inspect

    from mutua.bootstrap import MIGRATIONS
    from mutua.platform.db.engine import alembic_config

    _world(engine)

    def found(words: str) -> list[str]:
        with engine.connect() as connection:
            return codes(SqlCatalogueSearch(connection).search(CatalogueQuery(words)))

    def shape() -> tuple[set[str], set[str]]:
        seen = inspect(engine)
        columns = {c["name"] for c in seen.get_columns("purchasing_items")}
        return columns, {i["name"] for i in seen.get_indexes("purchasing_items") if i["name"]}

    before = found("laptop 14"), found("dl 5440"), found("écran")
    assert before == (["DL-5440", "LAP-14"], ["DL-5440"], ["DL-MON27"])
    with engine.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "0452_purchasing_commission_vat")
    columns, indexes = shape()
    assert "words_nl" not in columns
    if engine.dialect.name == "postgresql":
        assert {"purchasing_items_fts_nl", "purchasing_items_fts_fr"} <= indexes
    with engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    columns, indexes = shape()
    assert {"words_nl", "words_fr"} <= columns
    assert (found("laptop 14"), found("dl 5440"), found("écran")) == before
    if engine.dialect.name == "postgresql":
        assert "purchasing_items_words" in indexes and "purchasing_items_fts_nl" not in indexes
        with engine.connect() as connection:
            words = connection.execute(text("SELECT words_nl FROM purchasing_items WHERE code = 'DL-5440'"))
            assert words.scalar_one() == "Laptop 14 inch zakelijk DL 5440"
