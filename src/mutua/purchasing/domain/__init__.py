"""Joint purchasing: framework agreements with a central purchasing body clause (opdrachtencentrale /
centrale d'achat), their lots, suppliers, catalogues, the members' accessions, orders (call-offs)
and the suppliers' commissions.

These names are the context's stable vocabulary (the OCDS export, the documents, the search, the
pages and the API build on them):

=========================  ======================================================================
record                     what it is
=========================  ======================================================================
:class:`Agreement`         a framework agreement: reference, titles NL/FR, procedure, award date,
                           term and renewals, ceiling, CPV codes, clause, commission rate,
                           indexation rule, reference markup for savings
:class:`Lot`               a lot (perceel) of an agreement: number, titles, ceiling, CPV codes,
                           award rule (cascade or mini-competition), kind (goods, services,
                           consultancy in man-days), commission rate and reference markup overrides
:class:`Supplier`          a company awarded lots: code, name, enterprise/VAT number, address
:class:`LotSupplier`       a supplier of a lot with its cascade rank (1 first; None under a
                           mini-competition)
:class:`PurchasingClause`  who may buy on the agreement: members of categories, the public bodies
                           of regions, named bodies (enterprise numbers); any one suffices
:class:`AgreementDocument` a document (tender specification, award decision, council decision of an
                           accession) kept with its SHA-256
:class:`CatalogueItem`     an item of a lot's catalogue from one supplier, with its price in force
:class:`PricePoint`        one price of an item from a day on, and where it came from (a price
                           list import or an indexation): the price history
:class:`IndexationRule`    which published index revises an agreement's prices, and when
:class:`Indexation`        one revision applied: the index values and the factor
:class:`Accession`         a member's joining an agreement by a decision of its council
:class:`Order`             a call-off: member, agreement, lot, supplier, status, dates, lines
:class:`OrderLine`         a line of an order: item, quantity, unit, unit price, amount, delivered
:class:`OrderEvent`        one step of an order's life (the state machine's transitions)
:class:`CommissionLine`    the commission on the value ordered of one agreement (or lot) in a quarter
:class:`CommissionStatement`  a supplier's quarterly statement (numbered ``COM-YYYY-NNNNNN``)
=========================  ======================================================================

Amounts are ``Decimal`` in EUR, excluding VAT, cent-exact (prices and amounts); quantities have at
most six decimals, rates (commission, markup) at most nine. Enterprise numbers are 10 digits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutua.kernel.money import ZERO

__all__ = [
    "TRANSITIONS",
    "Accession",
    "Agreement",
    "AgreementDocument",
    "AwardRule",
    "CatalogueItem",
    "Channel",
    "CommissionLine",
    "CommissionStatement",
    "DocumentKind",
    "Indexation",
    "IndexationRule",
    "Lot",
    "LotKind",
    "LotSupplier",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "PricePoint",
    "PriceSource",
    "Procedure",
    "PurchasingClause",
    "Quarter",
    "Region",
    "Supplier",
    "add_months",
]


class Procedure(enum.StrEnum):
    """The award procedure (Belgian law of 17 June 2016; Directive 2014/24/EU)."""

    OPEN = "open"  # openbare procedure / procédure ouverte
    RESTRICTED = "restricted"  # niet-openbare procedure / procédure restreinte
    COMPETITIVE_NEGOTIATION = "competitive_negotiation"  # mededingingsprocedure met onderhandeling
    COMPETITIVE_DIALOGUE = "competitive_dialogue"
    INNOVATION_PARTNERSHIP = "innovation_partnership"
    NEGOTIATED_WITH_PUBLICATION = "negotiated_with_publication"
    NEGOTIATED_WITHOUT_PUBLICATION = "negotiated_without_publication"

    @property
    def ocds_method(self) -> str:
        """OCDS ``tender.procurementMethod``: open, selective or limited."""
        if self is Procedure.OPEN:
            return "open"
        if self is Procedure.NEGOTIATED_WITHOUT_PUBLICATION:
            return "limited"
        return "selective"


class AwardRule(enum.StrEnum):
    """How an order picks its supplier within a lot."""

    CASCADE = "cascade"  # the first-ranked supplier able to deliver (watervalsysteem)
    MINI_COMPETITION = "mini_competition"  # the awarded suppliers compete again per order

    @property
    def ocds_method(self) -> str:
        """OCDS ``techniques.frameworkAgreement.method``."""
        if self is AwardRule.CASCADE:
            return "withoutReopeningCompetition"
        return "withReopeningCompetition"


class LotKind(enum.StrEnum):
    """What a lot sells; a consultancy lot sells man-days (unit ``DAY``) and its orders name the
    member's engagement they feed."""

    GOODS = "goods"
    SERVICES = "services"
    CONSULTANCY = "consultancy"


class Region(enum.StrEnum):
    """The regions a clause may open an agreement to (federal: the federal public bodies)."""

    FLEMISH = "flemish"
    WALLOON = "walloon"
    BRUSSELS = "brussels"
    GERMAN_SPEAKING = "german_speaking"
    FEDERAL = "federal"


class DocumentKind(enum.StrEnum):
    SPECIFICATION = "specification"  # bestek / cahier spécial des charges
    AWARD_DECISION = "award_decision"  # gunningsbeslissing / décision d'attribution
    COUNCIL_DECISION = "council_decision"  # a member's decision to join (accession)
    PRICE_LIST = "price_list"
    OTHER = "other"


class PriceSource(enum.StrEnum):
    """Where a price of the history came from."""

    PRICE_LIST = "price_list"  # a supplier's price list imported (the batch is named)
    INDEXATION = "indexation"  # an indexation applied (its number is named)


class Channel(enum.StrEnum):
    """How an order reaches the supplier."""

    DIRECT = "direct"  # the member orders from the supplier itself
    ASSOCIATION = "association"  # through the association's purchasing team


class OrderStatus(enum.StrEnum):
    """An order's state. :data:`TRANSITIONS` is the state machine."""

    DRAFT = "draft"
    APPROVED = "approved"
    PLACED = "placed"
    PARTLY_DELIVERED = "partly_delivered"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"

    @property
    def commits(self) -> bool:
        """True when the order counts against the ceilings and the engagement's budget (approved
        and after, not cancelled)."""
        return self not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)

    @property
    def ordered(self) -> bool:
        """True when the order was placed with the supplier (the commission's base)."""
        return self in (OrderStatus.PLACED, OrderStatus.PARTLY_DELIVERED, OrderStatus.DELIVERED, OrderStatus.INVOICED)


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.APPROVED, OrderStatus.CANCELLED}),
    OrderStatus.APPROVED: frozenset({OrderStatus.PLACED, OrderStatus.CANCELLED}),
    OrderStatus.PLACED: frozenset({OrderStatus.PARTLY_DELIVERED, OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.PARTLY_DELIVERED: frozenset({OrderStatus.PARTLY_DELIVERED, OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.INVOICED}),
    OrderStatus.INVOICED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
"""Which status may follow which: draft -> approved -> placed -> (partly) delivered -> invoiced;
draft, approved and placed orders may be cancelled; nothing follows invoiced or cancelled."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day.

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter (commission statements), written ``YYYY-Qn``.

    Attributes:
        year: the calendar year.
        quarter: 1 to 4.
    """

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1-4, not {self.quarter}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        value = text.strip().upper()
        if len(value) != 7 or value[4:6] != "-Q" or not value[:4].isdigit() or value[6] not in "1234":
            raise ValueError(f"not a quarter (YYYY-Qn): {text!r}")
        return cls(int(value[:4]), int(value[6]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(add_months(self.first_day, 3).toordinal() - 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"


@dataclass(frozen=True, slots=True)
class PurchasingClause:
    """The central purchasing body clause: who may buy on the agreement. A body is in scope when
    any one of the three lists names it (its category, its region, or itself).

    Attributes:
        categories: the member categories (A, B, C) open to it.
        regions: the regions whose public bodies may use it (:class:`Region` values).
        bodies: the enterprise numbers of bodies named in the clause.
        text_nl: the clause as written in the specification (Dutch), if given.
        text_fr: the same in French.
    """

    categories: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    bodies: tuple[str, ...] = ()
    text_nl: str = ""
    text_fr: str = ""

    def covers(self, enterprise_number: str, category: str, region: Region | None) -> bool:
        return (
            category in self.categories
            or (region is not None and region in self.regions)
            or enterprise_number in self.bodies
        )

    def describe(self) -> str:
        """The scope in plain words (English; the reason of a refused accession quotes it). Each
        part, and the regions named one by one (``the flemish and walloon regions``), is a template
        of the ``messages`` catalogue, so that the scope reads in Dutch and French too."""
        parts = []
        if self.categories:
            parts.append("members of category " + ", ".join(self.categories))
        if self.regions:
            names = list(dict.fromkeys(r.value.replace("_", "-") for r in self.regions))
            regions = (
                f"the {names[0]} region" if len(names) == 1 else f"the {', '.join(names[:-1])} and {names[-1]} regions"
            )
            parts.append(f"public bodies of {regions}")
        if self.bodies:
            parts.append("the bodies named (" + ", ".join(self.bodies) + ")")
        return "; ".join(parts) if parts else "nobody"


@dataclass(frozen=True, slots=True)
class IndexationRule:
    """How an agreement's prices follow a published index.

    Attributes:
        index: the index's name (e.g. ``Agoria ICT labour cost``, ``health index``).
        base_value: its value at the award (the prices of the price lists are at that value).
        month: the month of the year (1-12) from whose first day a revision may apply.
    """

    index: str
    base_value: Decimal
    month: int = 1


@dataclass(frozen=True, slots=True)
class Agreement:
    """A framework agreement awarded by the association as central purchasing body.

    Attributes:
        reference: its unique reference (e.g. ``CSMART-2024-LAPTOPS``).
        title_nl: its title in Dutch.
        title_fr: its title in French.
        procedure: the award procedure.
        award_date: the day it was awarded.
        starts_on: the first day of its term.
        ends_on: the last day of its initial term.
        renewals: how many renewals it allows.
        renewal_months: how long each renewal is, in months.
        renewed: how many renewals were exercised (the term ends at :attr:`term_end`).
        ceiling: the maximum value ordered under it over its whole term (EUR, excl. VAT).
        cpv: its CPV 2008 main vocabulary codes (8 digits), the first the main one.
        clause: who may buy on it.
        commission_rate: the suppliers' commission on the value ordered (0.015 = 1.5 %).
        reference_markup: what a member's own tender would cost more than the agreement's price
            (0.12 = 12 %): the savings' reference where an item has no reference price.
        indexation: how its prices follow an index, if they do.
        description: a short description (English or both languages, free text).
    """

    reference: str
    title_nl: str
    title_fr: str
    procedure: Procedure
    award_date: date
    starts_on: date
    ends_on: date
    ceiling: Decimal
    cpv: tuple[str, ...]
    clause: PurchasingClause
    renewals: int = 0
    renewal_months: int = 12
    renewed: int = 0
    commission_rate: Decimal = ZERO
    reference_markup: Decimal = ZERO
    indexation: IndexationRule | None = None
    description: str = ""

    @property
    def term_end(self) -> date:
        """The last day of the term as renewed so far."""
        return add_months(self.ends_on, self.renewed * self.renewal_months)

    @property
    def last_possible_end(self) -> date:
        """The last day of the term if every renewal is exercised."""
        return add_months(self.ends_on, self.renewals * self.renewal_months)

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" and self.title_fr else self.title_nl

    def in_term(self, day: date) -> bool:
        return self.starts_on <= day <= self.term_end


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot (perceel / lot) of an agreement.

    Attributes:
        agreement: the agreement's reference.
        number: its number within the agreement (1, 2, ...).
        title_nl: its title in Dutch.
        title_fr: its title in French.
        ceiling: the maximum value ordered under the lot (EUR, excl. VAT).
        cpv: its CPV codes.
        award_rule: cascade or mini-competition.
        kind: goods, services or consultancy (man-days feeding an engagement).
        commission_rate: the lot's own commission rate, or None for the agreement's.
        reference_markup: the lot's own savings reference markup, or None for the agreement's.
    """

    agreement: str
    number: int
    title_nl: str
    title_fr: str
    ceiling: Decimal
    cpv: tuple[str, ...] = ()
    award_rule: AwardRule = AwardRule.CASCADE
    kind: LotKind = LotKind.GOODS
    commission_rate: Decimal | None = None
    reference_markup: Decimal | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.agreement, self.number)

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" and self.title_fr else self.title_nl


@dataclass(frozen=True, slots=True)
class Supplier:
    """A company awarded one or more lots.

    Attributes:
        code: its short unique code in Mutua (e.g. ``ECONOCOM``).
        name: its legal name.
        enterprise_number: its Belgian enterprise number (10 digits), or None for a foreign one.
        vat_number: its VAT identifier (``BE0123456749``), or empty.
        country: ISO 3166-1 alpha-2 country code.
        street: street and number.
        postcode: postal code.
        city: city.
        email: where statements are sent.
        language: the language of its documents (nl, fr, en).
    """

    code: str
    name: str
    enterprise_number: str | None = None
    vat_number: str = ""
    country: str = "BE"
    street: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    language: str = "nl"


@dataclass(frozen=True, slots=True)
class LotSupplier:
    """A supplier awarded a lot.

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number.
        supplier: the supplier's code.
        rank: its place in the cascade (1 is asked first), or None under a mini-competition.
    """

    agreement: str
    lot: int
    supplier: str
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """A document kept with an agreement (or a member's accession), identified by its SHA-256.

    Attributes:
        agreement: the agreement's reference.
        kind: specification, award decision, council decision, ...
        filename: the file's name as given.
        media_type: its MIME type.
        sha256: the hex SHA-256 of its bytes.
        size: its size in bytes.
        member: the member whose document it is (a council decision), or None.
        title: a title, if given.
    """

    agreement: str
    kind: DocumentKind
    filename: str
    media_type: str
    sha256: str
    size: int
    member: str | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """An item of a lot's catalogue as one supplier offers it.

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number.
        supplier: the supplier's code.
        code: the supplier's item code (unique per lot and supplier).
        cpv: its CPV code.
        description_nl: its description in Dutch.
        description_fr: its description in French.
        unit: its UN/ECE recommendation 20 unit code (``C62`` one, ``DAY`` day, ``MON`` month).
        price: its latest unit price (EUR, excl. VAT); the price of a given day is in the price
            history (:class:`PricePoint`).
        valid_from: the first day it may be ordered (its first price list's).
        valid_until: the last day it may be ordered, or None.
        reference_price: what a member would pay at its own tender, if the list says.
        id: its storage id (0 before it is stored).
        price_from: the first day of :attr:`price` (None: ``valid_from``).
    """

    agreement: str
    lot: int
    supplier: str
    code: str
    cpv: str
    description_nl: str
    description_fr: str
    unit: str
    price: Decimal
    valid_from: date
    valid_until: date | None = None
    reference_price: Decimal | None = None
    id: int = 0
    price_from: date | None = None

    @property
    def price_since(self) -> date:
        return self.price_from or self.valid_from

    def orderable_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def description(self, language: str) -> str:
        return self.description_fr if language == "fr" and self.description_fr else self.description_nl


@dataclass(frozen=True, slots=True)
class PricePoint:
    """One price of an item from a day on: the history that explains what a member paid.

    Attributes:
        item: the item's storage id.
        price: the unit price.
        valid_from: the first day it applies.
        source: a price list or an indexation.
        reference: which one (``batch 12``, ``indexation 3``).
        computation: how it was computed (an indexation: ``250.00 x 104.20 / 100.00 = 260.50``).
        id: its storage id.
    """

    item: int
    price: Decimal
    valid_from: date
    source: PriceSource
    reference: str = ""
    computation: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class Indexation:
    """A revision of an agreement's prices by its index.

    Attributes:
        agreement: the agreement's reference.
        number: its number within the agreement (1, 2, ...).
        applies_from: the first day of the revised prices.
        index: the index's name.
        from_value: the index at the previous revision (the base value the first time).
        to_value: the index published for this revision.
        items: how many items were revised.
    """

    agreement: str
    number: int
    applies_from: date
    index: str
    from_value: Decimal
    to_value: Decimal
    items: int = 0

    @property
    def computation(self) -> str:
        return f"new price = price x {self.to_value} / {self.from_value}, rounded to the cent"


@dataclass(frozen=True, slots=True)
class Accession:
    """A member's joining an agreement (toetreding / adhésion): no purchase obligation.

    Attributes:
        agreement: the agreement's reference.
        member: the member's enterprise number.
        decided_on: the day of its council's decision.
        decision_reference: the decision's reference (number in the council's minutes).
        document_sha256: the SHA-256 of the decision's document (kept as an
            :class:`AgreementDocument` of kind council decision), or empty.
    """

    agreement: str
    member: str
    decided_on: date
    decision_reference: str
    document_sha256: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A line of an order.

    Attributes:
        line: its 1-based number in the order.
        item: the catalogue item's storage id.
        code: the supplier's item code.
        description: the item's description when ordered.
        unit: the UN/ECE rec. 20 unit.
        quantity: how many units.
        unit_price: the price in force when the order was made (its :class:`PricePoint`).
        amount: quantity x unit price, rounded to the cent.
        delivered: how many units were delivered so far.
        price_point: the storage id of the price point it was ordered at.
        reference_price: the savings' reference price per unit (the item's, or the price with the
            lot's or agreement's markup).
    """

    line: int
    item: int
    code: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    delivered: Decimal = ZERO
    price_point: int = 0
    reference_price: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Order:
    """A call-off: a member's order under an agreement it joined, from one lot and supplier.

    Attributes:
        number: its unique number (``PO-YYYY-NNNNNN``).
        member: the ordering member's enterprise number.
        agreement: the agreement's reference.
        lot: the lot's number.
        supplier: the supplier's code.
        status: where it is in its life (:data:`TRANSITIONS`).
        channel: directly with the supplier or through the association.
        created_on: the day it was drafted.
        lines: its lines.
        engagement: the member's engagement it is charged to (required for consultancy lots).
        buyer_reference: the member's own order reference.
        approved_on: the day it was approved (the day its ceiling and term are checked).
        placed_on: the day it was placed with the supplier (its commission's quarter).
        delivered_on: the day it was fully delivered.
        invoiced_on: the day the supplier's invoice was recorded.
        cancelled_on: the day it was cancelled.
    """

    number: str
    member: str
    agreement: str
    lot: int
    supplier: str
    status: OrderStatus
    channel: Channel
    created_on: date
    lines: tuple[OrderLine, ...] = ()
    engagement: str | None = None
    buyer_reference: str = ""
    approved_on: date | None = None
    placed_on: date | None = None
    delivered_on: date | None = None
    invoiced_on: date | None = None
    cancelled_on: date | None = None

    @property
    def value(self) -> Decimal:
        """The order's value: the sum of its lines' amounts."""
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def reference_value(self) -> Decimal:
        """What the same would have cost at the reference prices (for the savings)."""
        return sum((line.reference_price * line.quantity for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One step in an order's life.

    Attributes:
        order: the order's number.
        status: the status it moved to.
        on: the day.
        actor: who did it.
        note: why (a cancellation's reason, a delivery's quantities).
    """

    order: str
    status: OrderStatus
    on: date
    actor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class CommissionLine:
    """The commission of a supplier on one agreement's lot in a quarter.

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number.
        orders: how many orders were placed.
        base: their value (EUR, excl. VAT): the sum of the orders placed in the quarter.
        rate: the commission rate (the lot's, else the agreement's).
        commission: base x rate, rounded to the cent.
    """

    agreement: str
    lot: int
    orders: int
    base: Decimal
    rate: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class CommissionStatement:
    """A supplier's quarterly commission statement: an invoice from the association to the supplier
    (not cost-sharing: VAT at the standard rate, category S, unless the cost model's ``commissions``
    rule says otherwise; the rule in force when it was issued is kept with it).

    Attributes:
        number: its number (``COM-YYYY-NNNNNN``, gapless per year of issue), empty before it is stored.
        supplier: the supplier's code.
        quarter: the quarter it covers.
        lines: one per agreement and lot with orders placed in the quarter.
        issued_on: the day it was computed and numbered.
        vat_rate: the VAT rate applied (0.21 unless the model says otherwise).
        vat_category: the EN 16931 VAT category (``S``; ``E``, ``AE`` ... when the model says so).
        exemption_reason_code: the VATEX code of an exempt category, else empty.
        exemption_reason: the exemption reason as text (the UBL's), else empty.
        exemption_reasons: the reason in the languages a supplier reads (``(("fr", ...), ...)``).
    """

    number: str
    supplier: str
    quarter: Quarter
    lines: tuple[CommissionLine, ...]
    issued_on: date
    vat_rate: Decimal = Decimal("0.21")
    vat_category: str = "S"
    exemption_reason_code: str = ""
    exemption_reason: str = ""
    exemption_reasons: tuple[tuple[str, str], ...] = ()

    def exemption_reason_in(self, language: str) -> str:
        """The exemption reason in ``language``, else as the model gave it in plain text."""
        return dict(self.exemption_reasons).get(language, self.exemption_reason)

    @property
    def base(self) -> Decimal:
        return sum((line.base for line in self.lines), ZERO)

    @property
    def commission(self) -> Decimal:
        """The statement's total before VAT."""
        return sum((line.commission for line in self.lines), ZERO)
