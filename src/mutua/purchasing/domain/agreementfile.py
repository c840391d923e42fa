"""An agreement file: a framework agreement with its lots, suppliers and documents, as the
purchasing team writes it (YAML or JSON; the service parses the text, this module checks the
values). Every problem names the field by its path (``lots[2].suppliers[1].rank``).

Example (YAML)::

    reference: CSMART-2024-LAPTOPS
    title_nl: Laptops en toebehoren
    title_fr: Ordinateurs portables et accessoires
    procedure: open                      # open, restricted, competitive_negotiation, ...
    award_date: 2024-03-01
    starts_on: 2024-04-01
    ends_on: 2026-03-31                  # the initial term
    renewals: 2                          # renewals it allows ...
    renewal_months: 12                   # ... each this long
    ceiling: "12000000.00"               # EUR excl. VAT over the whole term
    cpv: ["30213100", "30237200"]        # CPV 2008; the first is the main code
    commission_rate: "0.015"             # 1.5 % of the value ordered, paid by the suppliers
    reference_markup: "0.12"             # a member's own tender costs 12 % more (savings)
    indexation: {index: Agoria ICT, base_value: "100.00", month: 1}
    clause:                              # who may buy on it (any one suffices)
      categories: [A, B]
      regions: [flemish]                 # flemish, walloon, brussels, german_speaking, federal
      bodies: ["0207.500.123"]
      text_nl: ...
    suppliers:
      - {code: ACME, name: Acme NV, enterprise_number: "0403.019.261", city: Brussel}
    lots:
      - number: 1
        title_nl: ...
        title_fr: ...
        ceiling: "8000000.00"
        cpv: ["30213100"]
        award_rule: cascade              # or mini_competition
        kind: goods                      # goods, services, consultancy (man-days)
        commission_rate: "0.01"          # optional: the agreement's otherwise
        suppliers: [{code: ACME, rank: 1}]
    documents:                           # paths relative to the file
      - {kind: specification, file: bestek.pdf, title: Bestek}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mutua.kernel.bounds import MAX_AMOUNT
from mutua.kernel.ids import enterprise_number
from mutua.kernel.money import ZERO, is_cents
from mutua.kernel.problems import Problem
from mutua.purchasing.domain import (
    Agreement,
    AwardRule,
    DocumentKind,
    IndexationRule,
    Lot,
    LotKind,
    LotSupplier,
    Procedure,
    PurchasingClause,
    Region,
    Supplier,
    add_months,
)
from mutua.purchasing.domain import cpv as cpv_codes

MAX_TERM_MONTHS = 48
"""A framework agreement lasts at most four years, renewals included (art. 33(1) of Directive
2014/24/EU; art. 43 of the Belgian law of 17 June 2016), save exceptional cases."""

MAX_RATE = Decimal(1)


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document an agreement file names (its ``file`` relative to the agreement file).

    Attributes:
        kind: its kind.
        file: its path as written.
        title: its title.
        field: where the file names it (``documents[1]``).
    """

    kind: DocumentKind
    file: str
    title: str
    field: str


@dataclass(frozen=True, slots=True)
class AgreementDefinition:
    """Everything an agreement file defines.

    Attributes:
        agreement: the agreement.
        lots: its lots, by number.
        suppliers: the suppliers it names.
        lot_suppliers: who was awarded which lot, with the cascade's ranks.
        documents: the documents to keep with it.
    """

    agreement: Agreement
    lots: tuple[Lot, ...]
    suppliers: tuple[Supplier, ...]
    lot_suppliers: tuple[LotSupplier, ...]
    documents: tuple[DocumentRef, ...]


class _Reader:
    """Reads fields of a mapping, collecting a problem per bad field."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, field, message))

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True, limit: int = 300) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(path + key, "is missing")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.bad(path + key, "must be text")
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self.bad(path + key, f"is longer than {limit} characters")
        return text

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date | None:
        value = data.get(key)
        if value is None:
            self.bad(path + key, "is missing")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.bad(path + key, f"{str(value)[:20]!r} is not a date (YYYY-MM-DD)")
            return None

    def number(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True, bound: Decimal = MAX_AMOUNT
    ) -> Decimal | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.bad(path + key, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.bad(path + key, "must be a number written as text or an integer")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.bad(path + key, f"{str(value)[:20]!r} is not a number")
            return None
        if not number.is_finite() or number < 0:
            self.bad(path + key, f"{value} is not a positive number")
            return None
        if number > bound:
            self.bad(path + key, f"{number} is beyond the bound of {bound:,}")
            return None
        return number

    def money(self, data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        amount = self.number(data, key, path)
        if amount is not None and not is_cents(amount):
            self.bad(path + key, f"{amount} has more than two decimals")
            return None
        if amount is not None and amount == 0:
            self.bad(path + key, "a ceiling is positive")
            return None
        return None if amount is None else amount.quantize(Decimal("0.01"))

    def rate(self, data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
        rate = self.number(data, key, path, required=False, bound=MAX_RATE)
        if rate is not None and rate != rate.quantize(Decimal("1e-9")):
            self.bad(path + key, f"{rate} has more than nine decimals")
            return None
        return rate

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.bad(path + key, f"must be a whole number from {low} to {high}")
            return default
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: str, kind: Any, default: Any = None) -> Any:
        value = data.get(key, default)
        if value is None:
            self.bad(path + key, "is missing")
            return None
        try:
            return kind(str(value).strip().lower())
        except ValueError:
            self.bad(path + key, f"{str(value)[:40]!r} is not one of: {', '.join(k.value for k in kind)}")
            return None

    def cpv_list(self, data: Mapping[str, Any], key: str, path: str, *, required: bool) -> tuple[str, ...]:
        value = data.get(key)
        if value is None or value == []:
            if required:
                self.bad(path + key, "is missing (at least the main CPV code)")
            return ()
        if not isinstance(value, list):
            value = [value]
        codes: list[str] = []
        for i, item in enumerate(value, start=1):
            why = cpv_codes.problem(str(item))
            if why is not None:
                self.bad(f"{path}{key}[{i}]", why)
                continue
            code = cpv_codes.normalise(str(item)) or ""
            if code in codes:
                self.bad(f"{path}{key}[{i}]", f"{code} is named twice")
            codes.append(code)
        return tuple(codes)

    def items(self, data: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.bad(path + key, "must be a list")
            return []
        found = []
        for i, item in enumerate(value, start=1):
            where = f"{path}{key}[{i}]"
            if not isinstance(item, Mapping):
                self.bad(where, "must be a mapping of fields")
                continue
            found.append((where + ".", item))
        return found


def _clause(r: _Reader, data: Any) -> PurchasingClause:
    if not isinstance(data, Mapping):
        r.bad("clause", "is missing: who may buy on the agreement (categories, regions, bodies)")
        return PurchasingClause()
    categories: list[str] = []
    for i, c in enumerate(data.get("categories") or [], start=1):
        if str(c).strip().upper() not in ("A", "B", "C"):
            r.bad(f"clause.categories[{i}]", f"{str(c)[:10]!r} is not a member category (A, B, C)")
        else:
            categories.append(str(c).strip().upper())
    regions: list[Region] = []
    for i, c in enumerate(data.get("regions") or [], start=1):
        try:
            regions.append(Region(str(c).strip().lower()))
        except ValueError:
            r.bad(f"clause.regions[{i}]", f"{str(c)[:30]!r} is not one of: {', '.join(x.value for x in Region)}")
    bodies: list[str] = []
    for i, c in enumerate(data.get("bodies") or [], start=1):
        try:
            bodies.append(enterprise_number(str(c)))
        except ValueError as exc:
            r.bad(f"clause.bodies[{i}]", str(exc))
    if not (data.get("categories") or data.get("regions") or data.get("bodies")):
        r.bad("clause", "opens the agreement to nobody: name categories, regions or bodies")
    return PurchasingClause(
        tuple(categories),
        tuple(regions),
        tuple(bodies),
        r.text(data, "text_nl", "clause.", required=False, limit=5000),
        r.text(data, "text_fr", "clause.", required=False, limit=5000),
    )


def _supplier(r: _Reader, path: str, data: Mapping[str, Any]) -> Supplier:
    number = None
    raw = data.get("enterprise_number")
    if raw:
        try:
            number = enterprise_number(str(raw))
        except ValueError as exc:
            r.bad(path + "enterprise_number", str(exc))
    country = r.text(data, "country", path, required=False, limit=2).upper() or "BE"
    if country == "BE" and not raw:
        r.bad(path + "enterprise_number", "a Belgian supplier is named by its enterprise number")
    vat = r.text(data, "vat_number", path, required=False, limit=20) or (f"BE{number}" if number else "")
    language = r.text(data, "language", path, required=False, limit=2).lower() or "nl"
    if language not in ("nl", "fr", "en"):
        r.bad(path + "language", "must be nl, fr or en")
    return Supplier(
        r.text(data, "code", path, limit=40).upper(),
        r.text(data, "name", path),
        number,
        vat,
        country,
        r.text(data, "street", path, required=False, limit=200),
        r.text(data, "postcode", path, required=False, limit=20),
        r.text(data, "city", path, required=False, limit=100),
        r.text(data, "email", path, required=False, limit=200),
        language,
    )


def _lot(
    r: _Reader, path: str, data: Mapping[str, Any], reference: str, ceiling: Decimal | None, known: set[str]
) -> tuple[Lot | None, list[LotSupplier]]:
    number = r.integer(data, "number", path, 0, 1, 999)
    lot_ceiling = r.money(data, "ceiling", path)
    if lot_ceiling is not None and ceiling is not None and lot_ceiling > ceiling:
        r.bad(path + "ceiling", f"{lot_ceiling} is above the agreement's ceiling {ceiling}")
    rule = r.choice(data, "award_rule", path, AwardRule, "cascade")
    kind = r.choice(data, "kind", path, LotKind, "goods")
    awarded: list[LotSupplier] = []
    for where, item in r.items(data, "suppliers", path):
        code = r.text(item, "code", where, limit=40).upper()
        if code and code not in known:
            r.bad(where + "code", f"supplier {code} is not among the agreement's suppliers")
        rank = item.get("rank")
        if rule is AwardRule.CASCADE:
            if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
                r.bad(where + "rank", "a cascade ranks each supplier: 1, 2, 3, ...")
                rank = None
        elif rank is not None:
            r.bad(where + "rank", "a mini-competition ranks no supplier")
            rank = None
        awarded.append(LotSupplier(reference, number, code, rank))
    if not awarded:
        r.bad(path + "suppliers", "no supplier was awarded the lot")
    codes = [a.supplier for a in awarded]
    if len(set(codes)) != len(codes):
        r.bad(path + "suppliers", "a supplier is named twice")
    if rule is AwardRule.CASCADE:
        ranks = sorted(a.rank for a in awarded if a.rank is not None)
        if len(ranks) == len(awarded) and ranks != list(range(1, len(ranks) + 1)):
            r.bad(path + "suppliers", f"the cascade's ranks must be 1 to {len(ranks)}, each once")
    elif rule is AwardRule.MINI_COMPETITION and len(awarded) < 2:
        r.bad(path + "suppliers", "a mini-competition needs at least two suppliers")
    if lot_ceiling is None or rule is None or kind is None:
        return None, awarded
    lot = Lot(
        reference,
        number,
        r.text(data, "title_nl", path),
        r.text(data, "title_fr", path),
        lot_ceiling,
        r.cpv_list(data, "cpv", path, required=False),
        rule,
        kind,
        r.rate(data, "commission_rate", path),
        r.rate(data, "reference_markup", path),
    )
    return lot, awarded


def read_definition(data: Any, source: str) -> tuple[AgreementDefinition | None, list[Problem]]:
    """The agreement an agreement file defines, or None with every problem found."""
    problems: list[Problem] = []
    r = _Reader(source, problems)
    if not isinstance(data, Mapping):
        r.bad("(file)", "an agreement file is a mapping of fields (see the example in the documentation)")
        return None, problems
    reference = r.text(data, "reference", "", limit=60)
    award = r.day(data, "award_date", "")
    starts = r.day(data, "starts_on", "")
    ends = r.day(data, "ends_on", "")
    renewals = r.integer(data, "renewals", "", 0, 0, 10)
    renewal_months = r.integer(data, "renewal_months", "", 12, 1, 48)
    if award and starts and starts < award:
        r.bad("starts_on", f"{starts} is before the award date {award}")
    if starts and ends:
        if ends < starts:
            r.bad("ends_on", f"{ends} is before starts_on {starts}")
        elif add_months(starts, MAX_TERM_MONTHS) <= add_months(ends, renewals * renewal_months):
            r.bad(
                "renewals",
                "the term with every renewal exceeds four years (art. 33 of Directive 2014/24/EU)",
            )
    ceiling = r.money(data, "ceiling", "")
    procedure = r.choice(data, "procedure", "", Procedure)
    indexation = None
    if isinstance(data.get("indexation"), Mapping):
        ix = data["indexation"]
        base = r.number(ix, "base_value", "indexation.", bound=Decimal(1_000_000))
        index = r.text(ix, "index", "indexation.", limit=200)
        if base is not None and base == 0:
            r.bad("indexation.base_value", "an index's base value is positive")
        elif base is not None:
            indexation = IndexationRule(index, base, r.integer(ix, "month", "indexation.", 1, 1, 12))
    elif data.get("indexation") is not None:
        r.bad("indexation", "must be a mapping: index, base_value, month")
    suppliers = [_supplier(r, where, item) for where, item in r.items(data, "suppliers", "")]
    known = {s.code for s in suppliers}
    if len(known) != len(suppliers):
        r.bad("suppliers", "a supplier code is used twice")
    lots: list[Lot] = []
    awarded: list[LotSupplier] = []
    for where, item in r.items(data, "lots", ""):
        lot, lot_suppliers = _lot(r, where, item, reference, ceiling, known)
        if lot is not None:
            lots.append(lot)
        awarded.extend(lot_suppliers)
    if not lots and not problems:
        r.bad("lots", "an agreement has at least one lot")
    numbers = [lot.number for lot in lots]
    if len(set(numbers)) != len(numbers):
        r.bad("lots", "a lot number is used twice")
    documents = []
    for where, item in r.items(data, "documents", ""):
        kind = r.choice(item, "kind", where, DocumentKind)
        file = r.text(item, "file", where, limit=300)
        if kind is DocumentKind.COUNCIL_DECISION:
            r.bad(where + "kind", "a council decision belongs to a member's accession, not to the agreement")
        documents.append(DocumentRef(kind, file, r.text(item, "title", where, required=False), where.rstrip(".")))
    clause = _clause(r, data.get("clause"))
    cpv = r.cpv_list(data, "cpv", "", required=True)
    if problems or award is None or starts is None or ends is None or ceiling is None or procedure is None:
        return None, problems
    agreement = Agreement(
        reference,
        r.text(data, "title_nl", ""),
        r.text(data, "title_fr", ""),
        procedure,
        award,
        starts,
        ends,
        ceiling,
        cpv,
        clause,
        renewals,
        renewal_months,
        0,
        r.rate(data, "commission_rate", "") or ZERO,
        r.rate(data, "reference_markup", "") or ZERO,
        indexation,
        r.text(data, "description", "", required=False, limit=5000),
    )
    if problems:
        return None, problems
    return (
        AgreementDefinition(
            agreement,
            tuple(sorted(lots, key=lambda lot: lot.number)),
            tuple(suppliers),
            tuple(awarded),
            tuple(documents),
        ),
        problems,
    )


def supplier_differences(given: Supplier, kept: Supplier) -> list[str]:
    """The fields in which a supplier named again differs from the one kept (the file may not
    change a known supplier silently)."""
    return [f for f in ("name", "enterprise_number", "vat_number", "country") if getattr(given, f) != getattr(kept, f)]
