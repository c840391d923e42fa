"""Billing documents: which charges make an invoice, true-up invoices and credit notes, corrections,
document numbers and the Belgian structured communication (OGM/VCS).

Pure rules, no framework. Amounts are ``Decimal``, rounded to the cent. A document's lines carry
amounts in the document's own sense: on a credit note a positive amount is credited to the member.
Unit prices are never negative (EN 16931 BR-27): a line that goes the other way has a negative
quantity instead.

The association charges no VAT on its own added value: every line is VAT category E, exemption
reason VATEX-EU-132-1F (independent groups of persons, art. 132(1)(f) of Directive 2006/112/EC).
VAT it paid on purchases and could not deduct is part of the cost, so it is inside the amounts.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from stdnum.be import ogm_vcs

from mutua.charging.domain import Charge
from mutua.costing.domain.catalogue import Charging, Service
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict
from mutua.registry.domain import Engagement

VAT_CATEGORY = "E"
VAT_EXEMPTION_REASON_CODE = "VATEX-EU-132-1F"
VAT_EXEMPTION_REASON = (
    "Exempt: exact reimbursement of the share of joint expenses, art. 132(1)(f) Directive 2006/112/EC"
)
TRUE_UP_DETAIL = "true-up"
CHANNELS = ("peppol", "pdf")  # how a member receives its documents: through Peppol (the default), or as PDF
SETTLEMENT_UNIT_CODE = "C62"  # one (UN/ECE rec. 20)
PASSED_ON_NOTE = " (cost passed on; VAT the association could not deduct is included)"


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"  # UBL Invoice, type code 380
    CREDIT_NOTE = "credit_note"  # UBL CreditNote, type code 381

    @property
    def type_code(self) -> str:
        return "380" if self is DocumentKind.INVOICE else "381"

    @property
    def sign(self) -> int:
        """+1 when the member owes the total, -1 when it is credited."""
        return 1 if self is DocumentKind.INVOICE else -1


class Purpose(enum.StrEnum):
    PERIOD = "period"  # the provisional charges of a closed month
    TRUE_UP = "true_up"  # the year-end settlement of over- or under-recovery
    CORRECTION = "correction"  # a new document correcting an earlier one


class BillingError(ValueError):
    """A document that breaks a billing rule."""


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One line of an invoice or credit note.

    Attributes:
        engagement: engagement code.
        service: service code.
        detail: the grade for time, ``true-up`` for a settlement, or empty.
        name: the item's name (the service, with the detail).
        description: what it is for (the engagement).
        quantity: the quantity; negative when the line goes against the document.
        unit: the unit in words.
        unit_code: UN/ECE recommendation 20 code.
        unit_price: the tariff, never negative.
        amount: the line amount in the document's sense, to the cent.
        period_start, period_end: the days the line covers.
        buyer_reference: the member's order or budget reference of the engagement.
    """

    engagement: str
    service: str
    detail: str
    name: str
    description: str
    quantity: Decimal
    unit: str
    unit_code: str
    unit_price: Decimal
    amount: Decimal
    period_start: date
    period_end: date
    buyer_reference: str = ""

    def negated(self) -> DocumentLine:
        return replace(self, quantity=-self.quantity, amount=-self.amount)


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """An earlier document this one refers to (the invoice a credit note corrects)."""

    number: str
    issued_on: date


@dataclass(frozen=True, slots=True)
class Draft:
    """A document before it is numbered and issued.

    Attributes:
        kind: invoice or credit note.
        purpose: period, true-up or correction.
        member: the buyer's enterprise number.
        period_start, period_end: the invoicing period.
        period_key: the close period it belongs to (YYYYMM; YYYY12 for a true-up).
        lines: the lines, at least one.
        references: the documents it corrects.
        note: a free text note printed on the document.
    """

    kind: DocumentKind
    purpose: Purpose
    member: str
    period_start: date
    period_end: date
    period_key: int
    lines: tuple[DocumentLine, ...]
    references: tuple[DocumentRef, ...] = ()
    note: str = ""

    @property
    def total(self) -> Decimal:
        """The amount payable (invoice) or credited (credit note), in the document's sense."""
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def signed_total(self) -> Decimal:
        """What the document adds to the member's debt: the total, negative for a credit note."""
        return self.kind.sign * self.total

    @property
    def buyer_reference(self) -> str:
        """The buyer reference (BT-10), short as a receiving ERP routes on it: the one order
        reference of the lines when they quote only one, else the member's enterprise number (each
        line quotes its own order reference, BT-133)."""
        refs = {line.buyer_reference for line in self.lines if line.buyer_reference}
        return refs.pop() if len(refs) == 1 else self.member


@dataclass(frozen=True, slots=True)
class Document:
    """An issued document: a draft with its number, dates and payment reference. Never changed."""

    draft: Draft
    number: str
    year: int
    sequence: int
    issued_on: date
    due_on: date
    payment_reference: str

    @property
    def kind(self) -> DocumentKind:
        return self.draft.kind

    @property
    def total(self) -> Decimal:
        return self.draft.total

    @property
    def signed_total(self) -> Decimal:
        return self.draft.signed_total


# -- numbering and payment reference -------------------------------------------------------------


def document_number(year: int, sequence: int) -> str:
    """The document number: the year, then the sequence of that year (gapless), e.g. 2025-000042."""
    if sequence < 1 or sequence > 99_999_999:
        raise BillingError(f"document sequence out of range: {sequence}")
    return f"{year}-{sequence:06d}"


def structured_communication(year: int, sequence: int) -> str:
    """The Belgian structured communication (OGM/VCS) of a document: two digits of the year and
    eight of the sequence, then the mod-97 check digits, as ``+++025/0000/04297+++``."""
    base = f"{year % 100:02d}{sequence:08d}"
    digits = base + ogm_vcs.calc_check_digits(base)
    return f"+++{ogm_vcs.format(digits)}+++"


def due_date(issued_on: date, payment_days: int) -> date:
    return issued_on + timedelta(days=payment_days)


def issue(draft: Draft, year: int, sequence: int, issued_on: date, payment_days: int) -> Document:
    """Number a draft: the only way a :class:`Document` comes to be."""
    if not draft.lines:
        raise BillingError("a document needs at least one line")
    if issued_on.year != year:
        raise BillingError(f"a document issued on {issued_on} is numbered in {issued_on.year}, not {year}")
    for line in draft.lines:
        if line.unit_price < 0:
            raise BillingError(f"negative unit price on {line.engagement}/{line.service}: use a negative quantity")
    if draft.total < 0:
        raise BillingError(f"a {draft.kind.value} cannot have a negative total ({draft.total})")
    return Document(
        draft,
        document_number(year, sequence),
        year,
        sequence,
        issued_on,
        due_date(issued_on, payment_days),
        structured_communication(year, sequence),
    )


# -- which lines make a document -------------------------------------------------------------


def _line_from_charge(
    charge: Charge, services: Mapping[str, Service], engagements: Mapping[str, Engagement]
) -> DocumentLine:
    service = services.get(charge.service)
    engagement = engagements.get(charge.engagement)
    name = service.name if service else charge.service
    if charge.detail and charge.detail != TRUE_UP_DETAIL:
        name = f"{name} ({charge.detail})"
    description = f"{charge.engagement}: {engagement.title}" if engagement else charge.engagement
    if service is not None and service.charging is Charging.REAL_COST and charge.detail != TRUE_UP_DETAIL:
        description += PASSED_ON_NOTE
    if charge.detail == TRUE_UP_DETAIL:
        unit_code = SETTLEMENT_UNIT_CODE
    else:
        unit_code = service.unit_code if service else SETTLEMENT_UNIT_CODE
    quantity, price, amount = charge.quantity, charge.unit_price, charge.amount
    if price < 0:
        quantity, price = -quantity, -price
    start, end = charge.period.first_day, charge.period.last_day
    if charge.detail == TRUE_UP_DETAIL:  # the settlement covers the whole year, as its document's header
        start, end = date(charge.period.year, 1, 1), date(charge.period.year, 12, 31)
    return DocumentLine(
        engagement=charge.engagement,
        service=charge.service,
        detail=charge.detail,
        name=name,
        description=description,
        quantity=quantity,
        unit=charge.unit,
        unit_code=unit_code,
        unit_price=price,
        amount=amount,
        period_start=start,
        period_end=end,
        buyer_reference=engagement.buyer_reference if engagement else "",
    )


def _sorted(lines: Iterable[DocumentLine]) -> tuple[DocumentLine, ...]:
    return tuple(sorted(lines, key=lambda x: (x.engagement, x.service, x.detail)))


def period_invoices(
    period: Period,
    charges: Sequence[Charge],
    services: Mapping[str, Service],
    engagements: Mapping[str, Engagement],
) -> list[Draft]:
    """One invoice per member for a closed month: a line per engagement, service (and grade).

    Only the month's provisional charges are invoiced; a member without any gets no invoice.
    """
    by_member: dict[str, list[DocumentLine]] = defaultdict(list)
    for c in charges:
        if c.period != period or c.detail == TRUE_UP_DETAIL:
            continue
        by_member[c.member].append(_line_from_charge(c, services, engagements))
    drafts: list[Draft] = []
    for member in sorted(by_member):
        lines = _sorted(by_member[member])
        draft = Draft(
            DocumentKind.INVOICE, Purpose.PERIOD, member, period.first_day, period.last_day, period.key, lines
        )
        if draft.total < 0:  # only late usage returned could do this: credit it instead
            draft = replace(draft, kind=DocumentKind.CREDIT_NOTE, lines=tuple(x.negated() for x in lines))
        drafts.append(draft)
    return drafts


def true_up_documents(
    year: int,
    charges: Sequence[Charge],
    services: Mapping[str, Service],
    engagements: Mapping[str, Engagement],
    invoiced: Mapping[str, Sequence[DocumentRef]],
) -> list[Draft]:
    """The year-end settlement: per member an invoice (under-recovery, the member owes) or a credit
    note (over-recovery, the member is refunded) with a line per engagement and service, referring
    to the member's invoices of the year it corrects."""
    by_member: dict[str, list[DocumentLine]] = defaultdict(list)
    for c in charges:
        if c.detail != TRUE_UP_DETAIL or c.amount == 0:
            continue
        by_member[c.member].append(_line_from_charge(c, services, engagements))
    drafts: list[Draft] = []
    for member in sorted(by_member):
        lines = _sorted(by_member[member])
        total = sum((x.amount for x in lines), ZERO)
        kind = DocumentKind.INVOICE if total >= 0 else DocumentKind.CREDIT_NOTE
        if kind is DocumentKind.CREDIT_NOTE:
            lines = tuple(x.negated() for x in lines)
        drafts.append(
            Draft(
                kind,
                Purpose.TRUE_UP,
                member,
                date(year, 1, 1),
                date(year, 12, 31),
                year * 100 + 12,
                lines,
                tuple(invoiced.get(member, ())),
                f"Year-end true-up {year}: actual cost share against provisional charges",
            )
        )
    return drafts


def reversal(original: Document, note: str = "") -> Draft:
    """The correction of an issued document: a new document of the opposite kind that reverses it
    whole and refers to it. (A corrected document, if needed, is issued as a new invoice.)"""
    draft = original.draft
    kind = DocumentKind.CREDIT_NOTE if draft.kind is DocumentKind.INVOICE else DocumentKind.INVOICE
    return Draft(
        kind,
        Purpose.CORRECTION,
        draft.member,
        draft.period_start,
        draft.period_end,
        draft.period_key,
        draft.lines,
        (DocumentRef(original.number, original.issued_on),),
        note or f"Cancels {original.number}",
    )


def net_billed(documents: Iterable[Document | Draft]) -> dict[str, Decimal]:
    """Per member: invoices minus credit notes."""
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for d in documents:
        draft = d.draft if isinstance(d, Document) else d
        result[draft.member] += draft.signed_total
    return dict(result)


# -- issued documents as stored ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """An issued document's header as stored, with its buyer's name and language.

    Attributes:
        number: the document number (``2025-000042``).
        year, sequence: the numbering year and the gapless sequence within it.
        kind: invoice or credit note.
        purpose: period, true-up or correction.
        period_key: the close period it belongs to (YYYYMM).
        period_start, period_end: the invoicing period.
        issued_on, due_on: the issue and due dates.
        total: the amount payable or credited, in the document's sense.
        payment_reference: the structured communication.
        note: the note printed on the document.
        sha256: the SHA-256 of the UBL as issued.
        member, member_name, language: the buyer.
    """

    number: str
    year: int
    sequence: int
    kind: DocumentKind
    purpose: Purpose
    period_key: int
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    total: Decimal
    payment_reference: str
    note: str
    sha256: str
    member: str
    member_name: str
    language: str

    @property
    def signed_total(self) -> Decimal:
        """What the document adds to the member's debt: the total, negative for a credit note."""
        return self.kind.sign * self.total

    @property
    def period(self) -> Period:
        return Period.from_key(self.period_key)


# -- when documents may be issued ------------------------------------------------------------


def period_key_of_issue_key(key: str) -> int:
    """The period of a period invoice's issue key (``period:YYYYMM:member``)."""
    return int(key.split(":")[1])


def check_period_issue_date(period: Period, issued_on: date) -> None:
    """A month's invoices are issued after the month."""
    if issued_on <= period.last_day:
        raise Conflict(f"the invoices of {period} cannot be issued on {issued_on}: issue them after the month")


def check_issue_order(issued_on: date, last_issued_on: date | None) -> None:
    """Documents are issued in chronological order within a year's sequence (Belgian invoicing
    rule): an issue date earlier than the year's last one is refused."""
    if last_issued_on is not None and issued_on < last_issued_on:
        raise Conflict(
            f"documents of {issued_on.year} were already issued on {last_issued_on}: issue on {last_issued_on} or later"
        )


def check_correction_date(original: Document, issued_on: date) -> None:
    if issued_on < original.issued_on:
        raise Conflict(f"a correction cannot be dated before the document it corrects ({original.issued_on})")


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise Conflict(f"unknown channel {channel!r}: peppol or pdf")


def periods_to_issue(year: int, closed: Iterable[int], issued: Iterable[int]) -> list[Period]:
    """The closed months of a year whose invoices are not issued yet, in order."""
    closed_keys, issued_keys = set(closed), set(issued)
    return [p for p in months_of(year) if p.key in closed_keys and p.key not in issued_keys]


def period_invoices_by_member(headers: Iterable[DocumentHeader]) -> dict[str, list[DocumentRef]]:
    """Per member: its period invoices among ``headers``, as references (what a true-up corrects)."""
    result: dict[str, list[DocumentRef]] = defaultdict(list)
    for h in headers:
        if h.purpose is Purpose.PERIOD:
            result[h.member].append(DocumentRef(h.number, h.issued_on))
    return dict(result)


def billing_document_numbers(headers: Iterable[DocumentHeader]) -> dict[tuple[str, int, bool], str]:
    """(member, period key, is true-up) -> the number of the period or true-up document that billed
    the member's charges of that period (corrections left out)."""
    return {
        (h.member, h.period_key, h.purpose is Purpose.TRUE_UP): h.number
        for h in headers
        if h.purpose in (Purpose.PERIOD, Purpose.TRUE_UP)
    }


def net_billed_by_member(headers: Iterable[DocumentHeader]) -> dict[str, Decimal]:
    """Per member: invoices minus credit notes, from the stored headers."""
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for h in headers:
        result[h.member] += h.signed_total
    return dict(result)
