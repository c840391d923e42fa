"""Every problem and refusal of joint purchasing reads in Dutch and French: the messages the code
really raises (a price list with every kind of bad line, bad agreement files, refused accessions and
orders, the portal's forms) go through ``translate_message`` and the ``messages`` catalogue, and
none keeps an English word; in English they stay as they are."""

from __future__ import annotations

import asyncio
import copy
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi import UploadFile

from mutua.kernel.ids import enterprise_number
from mutua.kernel.problems import MutuaError, Problem, Rejected
from mutua.platform.files import fields
from mutua.platform.files.csv_files import parse_csv
from mutua.platform.i18n import labeller, translate_message
from mutua.purchasing import portal
from mutua.purchasing.documents import ubl
from mutua.purchasing.domain import (
    TRANSITIONS,
    Accession,
    CatalogueItem,
    Channel,
    CommissionStatement,
    Indexation,
    LotKind,
    Order,
    OrderLine,
    OrderStatus,
    PurchasingClause,
    Quarter,
    Region,
    Supplier,
)
from mutua.purchasing.domain.accessions import accession_refusals
from mutua.purchasing.domain.agreementfile import AgreementDefinition, read_definition
from mutua.purchasing.domain.orders import EngagementBudget, OrderCheck, order_refusals, transition_problem
from mutua.purchasing.domain.pricelist import COLUMNS, check_lines, header_problems, merge
from mutua.purchasing.domain.prices import indexation_problems
from mutua.purchasing.domain.search import CatalogueQuery
from mutua.purchasing.domain.statements import StatementDocument
from mutua.purchasing.service import accessions, agreements, catalogue, commissions, funding, orders
from mutua.purchasing.service.catalogue import PRICE_LIST_COLUMNS
from mutua.purchasing.service.pricelists import read_price_list
from tests.i18n_check import assert_translated, english_words
from tests.small_model import A, B
from tests.unit.purchasing.world import AGREEMENT, REF, C, fake_uow, join, load, write, xlsx

D = Decimal
SOURCE = "list.csv"
FIRST_DAY = date(2025, 3, 1)

# English words that no Dutch or French problem holds (``is``, ``lot``, ``date``, ``code``, ``type``,
# ``clause``, ``positive``, ``cascade``, ``description``, ``page``, ``format``, ``division`` and ``byte``
# are Dutch or French words too, so they are not here)
ENGLISH = re.compile(
    r"\b(missing|unknown|duplicate|lines?|prices?|items?|not|the|after|before|must|has|have|and|with|from|"
    r"rejected|problems?|nothing|written|above|beyond|bound|decimals?|columns?|header|empty|numbers?|named|"
    r"twice|outside|scope|quantity|ordered|suppliers?|members?|agreements?|orders?|ceiling|regions?|"
    r"category|file|value|amount|zero|term|valid|until|already|cannot|least|allowed|bodies|public|nobody|"
    r"council|decision|award|renewals?|exceeds|years?|mapping|list|text|whole|known|larger|choose|sheet|"
    r"merged|cells?|encoding|save|workbook|readable|digits|vocabulary|characters|longer|negative|"
    r"unit|man-days|sells|consultancy one|engagement it|indexation clause|index value|"
    r"first day|month|active|budget of|would|bring|ask|rank|why|asked|cancelled|delivered|approved|placed|"
    r"invoiced|draft|become|flemish|walloon|brussels|federal|german-speaking|region|one of|Belgian|enterprise|"
    r"invalid|length|checksum|offset|chosen|within)\b"
)


def _english(text: str, *codes: str) -> list[str]:
    return english_words(text, ENGLISH, codes)


def _assert_translated(messages: Iterable[str], *codes: str) -> None:
    assert_translated(messages, ENGLISH, codes)


def _refused(call: Callable[[], object]) -> list[str]:
    """The refusal's message and every problem's message (a refusal of several problems), or the
    message of a NotFound or Conflict."""
    with pytest.raises(MutuaError) as refused:
        call()
    error = refused.value
    if isinstance(error, Rejected):
        return [error.message, *(p.message for p in error.problems)]
    return [error.message]


# -- a supplier's price list ------------------------------------------------------------------------

HEADER = ",".join(COLUMNS) + "\n"
GOOD_CELLS = "30213100,Dagprestatie,Prestation journalière,DAY,800.00,,"


def _line(
    code: str = "K-1", cpv: str = "72000000", nl: str = "Dag", fr: str = "Jour", unit: str = "DAY", **more: str
) -> str:
    cells = {"price": "800.00", "valid_until": "", "reference_price": "", **more}
    return f"{code},{cpv},{nl},{fr},{unit},{cells['price']},{cells['valid_until']},{cells['reference_price']}\n"


BAD_LINES = [
    _line(code=""),  # missing item code
    _line(code="X" * 61),  # item code too long
    _line(code="DUP"),
    _line(code="DUP"),  # duplicate item
    _line(code="NOCPV", cpv=""),  # missing CPV code
    _line(code="CPV-FORM", cpv="7200-ab"),  # not a CPV code
    _line(code="CPV-VOC", cpv="30213199"),  # not in the vocabulary
    _line(code="NO-NL", nl=""),
    _line(code="NO-FR", fr=""),
    _line(code="LONG-NL", nl="x" * 501),
    _line(code="NO-UNIT", unit=""),
    _line(code="PCS", unit="PCS"),  # unknown unit
    _line(code="HOURS", unit="HUR"),  # a known unit, but not a man-day on a consultancy lot
    _line(code="NO-PRICE", price=""),
    _line(code="NEG", price="-5.00"),
    _line(code="ZERO", price="0"),
    _line(code="TEXT", price="x9"),
    _line(code="CENTS", price="10.005"),
    _line(code="HUGE", price="1e12"),
    _line(code="REF-NEG", reference_price="-1"),
    _line(code="REF-ZERO", reference_price="0.00"),
    _line(code="REF-TEXT", reference_price="abc"),
    _line(code="REF-CENTS", reference_price="1.001"),
    _line(code="REF-HUGE", reference_price="1e15"),
    _line(code="UNTIL-BAD", valid_until="2025-13-01"),
    _line(code="UNTIL-EARLY", valid_until="2025-01-31"),
]


def _price_list_problems(data: bytes, kind: LotKind = LotKind.CONSULTANCY) -> list[Problem]:
    """A price list read (CSV: bad encoding named), parsed and checked as the import does."""
    read = read_price_list(data, SOURCE)
    parsed, problems = parse_csv(read.text, SOURCE, PRICE_LIST_COLUMNS)
    lines, found = check_lines([(row.line, row.values) for row in parsed.rows], SOURCE, kind, FIRST_DAY)
    assert [line.code for line in lines] == ["GOOD", "DUP", "CAFE"]  # the encoding is named apart
    return [*read.problems, *problems, *found]


def test_every_bad_line_of_a_price_list_reads_in_dutch_and_french() -> None:
    data = (HEADER + "GOOD," + GOOD_CELLS + "\n" + "".join(BAD_LINES)).encode() + _line(
        code="CAFE", fr="Caf\xe9"
    ).encode("latin-1")
    problems = _price_list_problems(data)
    by_field = {(p.field or "") for p in problems}
    assert by_field == {
        "",
        "code",
        "cpv",
        "description_nl",
        "description_fr",
        "unit",
        "price",
        "reference_price",
        "valid_until",
    }
    assert len(problems) == len(BAD_LINES)  # one per bad line (the first DUP is good), and the bad encoding
    assert any(p.message.startswith("bad encoding") for p in problems)
    assert "missing Dutch description" in [p.message for p in problems]
    assert (
        translate_message("duplicate item 'DUP': also on line 5", "nl")
        == "artikel 'DUP' komt dubbel voor: ook op regel 5"
    )
    assert (
        translate_message("duplicate item 'DUP': also on line 5", "fr")
        == "article 'DUP' en double : aussi à la ligne 5"
    )
    _assert_translated(p.message for p in problems)


def test_a_price_lists_header_and_its_emptiness_read_in_dutch_and_french() -> None:
    messages = [p.message for p in header_problems(["code", "cpv", "beschrijving", "", "unit", "unit"], SOURCE)]
    _, parsed = parse_csv("code,cpv,prijs\nA,30213100,1\n", SOURCE, PRICE_LIST_COLUMNS)  # an unknown column
    messages += [p.message for p in parsed]
    _, parsed = parse_csv(HEADER, SOURCE, PRICE_LIST_COLUMNS)  # a header and nothing else
    messages += [p.message for p in parsed]
    _, parsed = parse_csv(HEADER + "A,B\n", SOURCE, PRICE_LIST_COLUMNS)  # too few fields
    messages += [p.message for p in parsed]
    messages += [p.message for p in check_lines([], SOURCE, LotKind.GOODS, FIRST_DAY)[1]]
    item = CatalogueItem(REF, 1, "ACME", "A", "30213100", "a", "b", "C62", D("1.00"), date(2025, 6, 1))
    messages += [p.message for p in merge({"A": item}, [], FIRST_DAY, SOURCE)[1]]
    assert {m.split(" (")[0] for m in messages} >= {
        "unknown column",
        "required column is missing from the header",
        "a column is named twice in the header",
        "the file has a header but no rows",
        "the price list has a header but no items",
    }
    _assert_translated(messages, ", ".join(COLUMNS))


def _xlsx(merge: str | None = None) -> bytes:
    return xlsx([list(COLUMNS), ["A", "30213100", "a", "b", "C62", "1.00", None, None]], merge)


def test_a_workbooks_merged_cells_missing_sheet_or_unreadable_file_read_in_dutch_and_french() -> None:
    messages = [p.message for p in read_price_list(_xlsx("C2:D2"), "list.xlsx").problems]
    assert messages == ["merged cells C2:D2: unmerge them, one value per cell"]
    messages += _refused(lambda: read_price_list(_xlsx(), "list.xlsx", sheet="Prijzen"))
    messages += _refused(lambda: read_price_list(b"PK\x03\x04 kapot", "list.xlsx"))
    assert translate_message(messages[0], "nl") == "samengevoegde cellen C2:D2: splits ze, één waarde per cel"
    _assert_translated(messages, "Sheet", "Prijzen", "BadZipFile")


# -- an agreement file ------------------------------------------------------------------------------


def _definition(
    change: Callable[[dict[str, Any]], object] | None = None,
) -> tuple[AgreementDefinition | None, list[str]]:
    data = agreements.parse_agreement_text(AGREEMENT, "agreement.yaml")
    if change is not None:
        data = copy.deepcopy(data)
        change(data)
    definition, problems = read_definition(data, "agreement.yaml")
    return definition, [p.message for p in problems]


_DELETE = object()


def _set(**values: object) -> Callable[[dict[str, Any]], None]:
    """A change of the agreement file's data: ``lots__0__ceiling="1"`` sets the first lot's ceiling."""

    def change(data: dict[str, Any]) -> None:
        for path, value in values.items():
            target: Any = data
            *parents, key = path.split("__")
            for part in parents:
                target = target[int(part)] if part.isdigit() else target[part]
            if value is _DELETE:
                del target[key]
            else:
                target[key] = value

    return change


BAD_AGREEMENTS = [
    _set(reference=_DELETE, award_date="2024-13-01"),
    _set(reference=["a"], suppliers__0__name="x" * 301),
    _set(reference="X" * 61),
    _set(starts_on="2024-11-01", ends_on="2024-10-01", renewals=11, renewal_months=0),
    _set(ends_on="2028-12-31"),  # the term with its renewal is more than four years
    _set(ceiling="12abc", procedure="gesloten", indexation={"index": "Agoria", "base_value": "0"}),
    _set(ceiling="-1", indexation="Agoria"),
    _set(ceiling="1e12"),
    _set(ceiling="10.001"),
    _set(ceiling="0"),
    _set(ceiling=True),
    _set(cpv=_DELETE, clause=_DELETE),
    _set(cpv=["3021", "72000000", "72000000-5", "99999999"]),
    _set(clause={"categories": ["D"], "regions": ["martian"], "bodies": ["0403.019.262"]}),
    _set(clause={"text_nl": "Niemand"}),
    _set(suppliers={"code": "ACME"}),
    _set(
        suppliers=[
            "ACME",
            {"code": "ACME", "name": "Acme NV", "enterprise_number": "123", "language": "de"},
            {"code": "ACME", "name": "Acme BV"},
        ]
    ),
    _set(lots__0__ceiling="200000.00", lots__0__suppliers=[{"code": "ZED", "rank": 1}, {"code": "ZED", "rank": 3}]),
    _set(lots__0__suppliers=[{"code": "ACME"}], lots__1__number=1, lots__1__award_rule="mini_competition"),
    _set(lots__1__award_rule="mini_competition", lots__1__suppliers=[{"code": "CONS1", "rank": 1}]),
    _set(lots__0__suppliers=[], lots__0__kind="hardware", lots__0__number=1000),
    _set(lots__0__commission_rate="0.0000000001", lots__0__cpv=["72000000", "72000000"]),
    _set(lots="one"),
    _set(lots=[]),
    _set(documents=[{"kind": "council_decision", "file": "raad.pdf"}, {"kind": "minutes", "file": "x.pdf"}, 7]),
]


def test_every_problem_of_a_bad_agreement_file_reads_in_dutch_and_french() -> None:
    good, none = _definition()
    assert good is not None and none == []
    messages: list[str] = []
    for change in BAD_AGREEMENTS:
        definition, found = _definition(change)
        assert definition is None and found, change
        messages += found
    messages += [p.message for p in read_definition(["not", "a", "mapping"], "agreement.yaml")[1]]
    for text in ("{bad json", "a: [b\n"):  # the parser's own words follow the translated head
        refusal, problem = _refused(partial(agreements.parse_agreement_text, text, "x"))
        _assert_translated([refusal, problem.split(": ")[0]])
    assert len(set(messages)) > 45
    codes = (
        "open, restricted, competitive_negotiation, competitive_dialogue, innovation_partnership, "
        "negotiated_with_publication, negotiated_without_publication",
        "goods, services, consultancy",
        "flemish, walloon, brussels, german_speaking, federal",
        "index, base_value, month",
        "starts_on",
    )
    _assert_translated(set(messages), *codes)


# -- accessions: the clause's scope ----------------------------------------------------------------


def _agreement() -> AgreementDefinition:
    definition, _ = _definition()
    assert definition is not None
    return definition


@pytest.mark.parametrize(
    "clause",
    [
        PurchasingClause(("A",)),
        PurchasingClause(regions=(Region.FLEMISH,)),
        PurchasingClause(bodies=("0207500123",)),
        PurchasingClause(("A", "B"), (Region.WALLOON, Region.BRUSSELS)),
        PurchasingClause(("A",), bodies=("0207500123",)),
        PurchasingClause(regions=(Region.GERMAN_SPEAKING, Region.FEDERAL, Region.FLEMISH), bodies=("0207500123",)),
        PurchasingClause(("A",), tuple(Region), ("0207500123", "0403019261")),
        PurchasingClause(regions=(Region.FEDERAL, Region.WALLOON, Region.FEDERAL, Region.BRUSSELS, Region.FLEMISH)),
    ],
)
def test_an_accession_outside_the_clauses_scope_is_refused_in_dutch_and_french_whatever_the_clause(
    clause: PurchasingClause,
) -> None:
    agreement = replace(_agreement().agreement, clause=clause)
    reasons = accession_refusals(
        agreement,
        C,
        "C",
        Region.WALLOON if Region.WALLOON not in clause.regions else None,
        date(2027, 5, 1),
        date(2025, 1, 15),
    )
    reasons += accession_refusals(agreement, C, "C", None, date(2024, 1, 10), date(2025, 1, 15))
    assert len(reasons) == 5  # the scope, twice; in the future; after the term; before the award
    _assert_translated(reasons)


def test_the_scope_of_a_refused_accession_is_translated_part_by_part() -> None:
    reason = accession_refusals(_agreement().agreement, C, "C", None, date(2025, 1, 10), date(2025, 1, 15))[0]
    assert translate_message(reason, "nl") == (
        f"lid {C} (categorie C, gewest onbekend) valt buiten het toepassingsgebied van raamovereenkomst {REF}: "
        "haar clausule stelt ze open voor de leden van categorie A; de openbare besturen van het Waals Gewest"
    )
    assert translate_message(reason, "fr") == (
        f"le membre {C} (catégorie C, région inconnue) est en dehors du champ de l'accord-cadre {REF} : sa clause "
        "vise les membres de la catégorie A ; les organismes publics de la Région wallonne"
    )
    two = PurchasingClause(regions=(Region.FLEMISH, Region.BRUSSELS)).describe()
    assert two == "public bodies of the flemish and brussels regions"
    assert translate_message(two, "nl") == (
        "de openbare besturen van het Vlaams Gewest en het Brussels Hoofdstedelijk Gewest"
    )


# -- orders: every reason to refuse one --------------------------------------------------------------


def _item(item_id: int, lot: int, supplier: str, code: str, until: date | None = None) -> CatalogueItem:
    return CatalogueItem(
        REF, lot, supplier, code, "30213100", code, code, "C62", D("10.00"), date(2025, 1, 1), until, id=item_id
    )


def _order(lot: int, supplier: str, *lines: tuple[int, str, Decimal], engagement: str | None = None) -> Order:
    return Order(
        "PO-2025-000001",
        A,
        REF,
        lot,
        supplier,
        OrderStatus.DRAFT,
        Channel.DIRECT,
        date(2025, 1, 20),
        tuple(
            OrderLine(n, i, c, c, "C62", q, D("10.00"), (q * 10).quantize(D("0.01")))
            for n, (i, c, q) in enumerate(lines, 1)
        ),
        engagement,
    )


def test_every_reason_to_refuse_an_order_reads_in_dutch_and_french() -> None:
    world = _agreement()
    agreement, (goods, days) = world.agreement, world.lots
    awarded = [w for w in world.lot_suppliers if w.lot == 1]
    joined = Accession(REF, A, date(2025, 1, 10), "CR-1")
    items = {
        1: _item(1, 1, "BETA", "B-14", date(2025, 2, 1)),
        2: _item(2, 2, "CONS1", "SENIOR"),
        3: _item(3, 1, "BETA", "B-16"),
    }
    big = _order(
        1,
        "BETA",
        (2, "SENIOR", D(1)),
        (1, "B-14", D(1)),
        (3, "B-16", D(0)),
        (3, "B-16", D("1.0000001")),
        (3, "B-16", D("2e12")),
        engagement="ZZ",
    )
    reasons = order_refusals(
        big,
        OrderCheck(agreement, goods, awarded, None, D("99999"), D("59999"), engagement_named="ZZ"),
        items,
        date(2026, 6, 1),
    )
    reasons += order_refusals(
        _order(1, "BETA"), OrderCheck(agreement, goods, awarded, joined, D(0), D(0)), items, date(2024, 12, 1)
    )
    reasons += order_refusals(
        _order(9, "ZED"), OrderCheck(agreement, None, [], joined, D(0), D(0)), items, date(2025, 1, 20)
    )
    reasons += order_refusals(
        _order(1, "ZED", (3, "B-16", D(1))),
        OrderCheck(agreement, goods, awarded, joined, D(0), D(0)),
        items,
        date(2025, 1, 20),
    )
    consultancy = [w for w in world.lot_suppliers if w.lot == 2]
    days_order = _order(2, "CONS1", (2, "SENIOR", D(5)))
    reasons += order_refusals(
        days_order, OrderCheck(agreement, days, consultancy, joined, D(0), D(0)), items, date(2025, 1, 20)
    )
    for kind in ("project", "service", "secondment"):
        budget = EngagementBudget("P1", A, kind, D("20.00"), date(2025, 6, 1), None, D("10.00"))
        check = OrderCheck(agreement, days, consultancy, joined, D(0), D(0), budget, "P1")
        reasons += order_refusals(days_order, check, items, date(2025, 1, 20))
    other = EngagementBudget("KB", B, "consultancy", D("5000.00"), date(2025, 1, 1), None, D(0))
    reasons += order_refusals(
        days_order, OrderCheck(agreement, days, consultancy, joined, D(0), D(0), other, "KB"), items, date(2025, 1, 20)
    )
    assert any(r.startswith("above the ceiling of lot 1") for r in reasons)
    assert any(r.startswith("above the ceiling of agreement") for r in reasons)
    assert any(r.startswith("beyond the budget of engagement P1") for r in reasons)
    assert any("is a cascade" in r for r in reasons)
    assert sum(r.startswith("line ") for r in reasons) == 6
    assert translate_message("line 1: quantity 0 is not positive", "fr") == "ligne 1 : la quantité 0 n'est pas positive"
    _assert_translated(set(reasons))


def test_a_step_the_order_may_not_take_reads_in_dutch_and_french() -> None:
    order = _order(1, "ACME")
    messages = [
        why
        for status in OrderStatus
        for to in OrderStatus
        if (why := transition_problem(replace(order, status=status), to)) is not None
    ]
    assert len(messages) == sum(len(OrderStatus) - len(TRANSITIONS[s]) for s in OrderStatus)
    assert translate_message("order PO-1 is draft: it may become approved, cancelled, not placed", "nl") == (
        "bestelling PO-1 heeft de status ontwerp en kan niet geplaatst worden (mogelijk: goedgekeurd, geannuleerd)"
    )
    _assert_translated(messages)


def test_an_indexation_that_may_not_be_applied_reads_in_dutch_and_french() -> None:
    agreement = _agreement().agreement
    earlier = [Indexation(REF, 1, date(2026, 1, 1), "Agoria ICT", D(100), D(104))]
    messages = indexation_problems(agreement, earlier, date(2026, 3, 15), D(0))
    messages += indexation_problems(agreement, earlier, date(2025, 1, 1), D(-1))
    messages += indexation_problems(replace(agreement, indexation=None), [], date(2025, 1, 1), D(101))
    assert len(messages) == 7
    _assert_translated(messages, "Agoria ICT")


# -- the services over the fakes: refusals with what they refuse ---------------------------------------


@pytest.fixture
def uow(tmp_path: Path) -> Any:
    uow = fake_uow()
    load(uow, tmp_path)
    return uow


def test_the_services_refusals_read_in_dutch_and_french(uow: Any, tmp_path: Path) -> None:
    jan = date(2025, 1, 20)
    messages = _refused(lambda: join(uow, C))  # outside the clause's scope
    messages += _refused(lambda: accessions.join_agreement_content(uow, A, REF, date(2025, 1, 10), " ", on=jan))
    messages += _refused(
        lambda: accessions.join_agreement_content(uow, "0123456749", REF, date(2025, 1, 10), "CR", on=jan)
    )
    join(uow, A)
    messages += _refused(lambda: join(uow, A))
    messages += _refused(lambda: orders.draft_order(uow, A, REF, 2, "CONS1", [("SENIOR", D(1))], on=jan))
    messages += _refused(
        lambda: orders.draft_order(uow, A, REF, 1, "ACME", [("SENIOR", D(1)), ("LT-14", D(0))], on=jan)
    )
    messages += _refused(lambda: orders.draft_order(uow, A, "NOPE", 1, "ACME", [("LT-14", D(1))], on=jan))
    number = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=jan).order.number
    messages += _refused(lambda: orders.place_order(uow, A, number, on=jan))
    messages += _refused(lambda: orders.cancel_order(uow, A, number, " ", on=jan))
    messages += _refused(lambda: orders.order_detail(uow, A, "PO-2025-999999"))
    orders.approve_order(uow, A, number, on=jan)
    orders.place_order(uow, A, number, on=jan)
    messages += _refused(lambda: orders.record_delivery(uow, A, number, {1: D(5), 7: D(1)}, on=jan))
    messages += _refused(lambda: orders.record_delivery(uow, A, number, {1: D(-1)}, on=jan))
    messages += _refused(lambda: agreements.renew_agreement(uow, REF, on=date(2026, 6, 1)))
    agreements.renew_agreement(uow, REF, on=jan)
    messages += _refused(lambda: agreements.renew_agreement(uow, REF, on=jan))
    messages += _refused(lambda: agreements.agreement_detail(uow, "NOPE"))
    messages += _refused(lambda: agreements.load_agreement(uow, write(tmp_path, "agreement.yaml", AGREEMENT)))
    laptops = write(tmp_path, "laptops.csv", HEADER + "Z-1," + GOOD_CELLS + "\n")
    messages += _refused(lambda: catalogue.import_price_list(uow, REF, 1, "CONS1", laptops, FIRST_DAY))
    messages += _refused(lambda: catalogue.import_price_list(uow, REF, 1, "ACME", laptops, date(2028, 1, 1)))
    messages += _refused(lambda: catalogue.import_price_list(uow, REF, 7, "ACME", laptops, FIRST_DAY))
    messages += _refused(
        lambda: catalogue.import_price_list(uow, REF, 1, "ACME", write(tmp_path, "acme.csv", ""), FIRST_DAY)
    )
    messages += _refused(lambda: catalogue.index_prices(uow, REF, D("104.2"), date(2025, 3, 1)))
    messages += _refused(lambda: commissions.compute_commissions(uow, Quarter(2025, 1), on=jan))
    messages += _refused(lambda: commissions.commission_statement(uow, "COM-2025-000009"))
    messages += _refused(lambda: funding.commission_ledger(uow, 2025, account="12"))
    messages += _refused(lambda: funding.commission_ledger(uow, 2025, account="610000"))  # and no centre PUR
    assert any(m.startswith("price_list import of") for m in messages)
    assert any(m.startswith(f"accession of {C} to {REF} rejected") for m in messages)
    _assert_translated(messages, str(tmp_path))


def test_the_portals_forms_and_the_searchs_refusals_read_in_dutch_and_french() -> None:
    messages = _refused(lambda: portal._lines("LT-14 2\nLT-16\nDOCK -1\n"))
    messages += _refused(lambda: portal._lines("\n"))
    messages += _refused(lambda: portal._price("veel", "price_min"))
    messages += _refused(lambda: asyncio.run(portal._upload(None, "price list", required=True)))
    big = UploadFile(io.BytesIO(b"0" * (portal.MAX_UPLOAD + 1)), filename="big.csv")
    messages += _refused(lambda: asyncio.run(portal._upload(big, "price list", required=True)))
    for query in ({"sort": "name"}, {"limit": 0}, {"cpv_division": "3"}, {"lot": 1}):
        with pytest.raises(ValueError) as wrong:
            CatalogueQuery(**query)
        messages.append(str(wrong.value))
    assert translate_message("not 'code quantity': LT-16", "fr") == "pas de la forme « code quantité » : LT-16"
    _assert_translated(messages, "description of price", "description ou price", "LT-16", "DOCK", "veel")


def test_a_commission_invoice_that_cannot_be_addressed_reads_in_dutch_and_french() -> None:
    statement = CommissionStatement("COM-2025-000001", "ZED", Quarter(2025, 1), (), date(2025, 4, 5), vat_category="K")
    document = StatementDocument(statement, Supplier("ZED", "Zed Inc", None, "", "US"))
    messages = _refused(lambda: ubl._buyer_id(document))
    messages += _refused(lambda: ubl._check_vat_numbers(document))
    assert messages[1].startswith("supplier ZED has neither a Belgian enterprise number")
    _assert_translated(messages)


def test_the_values_a_purchasing_problem_quotes_read_in_dutch_and_french() -> None:
    messages = []
    for parse, text in (
        (enterprise_number, "123"),
        (enterprise_number, "0403.019.262"),
        (enterprise_number, "abcdefghij"),
        (fields.account, "12"),
        (fields.account, "512000"),
        (Quarter.parse, "2025-Q5"),
        (lambda t: Quarter(2025, int(t)), "5"),
    ):
        with pytest.raises(ValueError) as wrong:
            parse(text)
        messages.append(str(wrong.value))
    _assert_translated(messages)


def test_the_sources_and_fields_a_person_reads_are_labelled_and_english_stays_english() -> None:
    label = labeller("nl")
    shown = {
        name: translate_message(name, "nl", label=label)
        for name in ("order", "search", "lines", "file", "sheet", "valid_from", "price list", "accession")
    }
    assert shown == {
        "order": "bestelling",
        "search": "zoekopdracht",
        "lines": "lijnen",
        "file": "bestand",
        "sheet": "werkblad",
        "valid_from": "geldig vanaf",
        "price list": "prijslijst",
        "accession": "toetreding",
    }
    assert translate_message("error", "nl") == "fout" and translate_message("error", "fr") == "erreur"
    assert translate_message("price_list import of list.csv", "fr") == "import de list.csv (liste de prix)"
    english = "duplicate item 'A': also on line 3"
    assert translate_message(english, "en") == english


def _catalogue(lang: str) -> dict[str, tuple[str, ...]]:
    """Each message's forms by its (singular) id: one, or one per plural form of the language."""
    path = resources.files("mutua").joinpath(f"locale/{lang}/LC_MESSAGES/messages.po")
    with path.open("rb") as fh:
        return {
            (str(m.id[0]) if m.pluralizable else str(m.id)): (
                tuple(str(f) for f in m.string) if m.pluralizable else (str(m.string),)
            )
            for m in read_po(fh)
            if m.id
        }


def test_the_messages_catalogue_has_every_message_in_the_three_languages_with_the_same_placeholders() -> None:
    nl, fr, en = _catalogue("nl"), _catalogue("fr"), _catalogue("en")
    assert set(nl) == set(fr) == set(en)
    assert all(en[m][0] == m for m in en)
    plural = {m for m in en if len(en[m]) > 1}
    assert len(plural) > 5 and all(len(nl[m]) == 2 and len(fr[m]) == 3 for m in plural)  # the Plural-Forms
    names = re.compile(r"\{(\w+)\}")
    for catalogue_ in (nl, fr):
        wrong = {
            m: forms
            for m, forms in catalogue_.items()
            if not all(forms) or any(sorted(names.findall(m)) != sorted(names.findall(t)) for t in forms)
        }
        assert wrong == {}
