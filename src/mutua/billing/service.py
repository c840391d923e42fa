"""Billing use cases: issue a closed period's invoices, the true-up's invoices and credit notes, and
corrections; list, show and export documents (UBL, PDF, FOCUS). Each takes a unit of work
(:class:`mutua.billing.ports.UnitOfWork`) and runs in one transaction.

Numbers are allocated in the transaction that stores the documents, so a failed run leaves no gap.
Documents are issued in chronological order within a year's sequence (Belgian invoicing rule): an
issue date earlier than the year's last one is refused. The UBL is rendered once, when a document
is issued, and stored with its SHA-256; an issued document is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.billing import domain
from mutua.billing.domain import (
    Document,
    DocumentHeader,
    DocumentKind,
    DocumentLine,
    Draft,
    Purpose,
    issue,
    period_invoices,
    reversal,
    true_up_documents,
)
from mutua.billing.ports import FocusExport, UnitOfWork
from mutua.charging.domain import TrueUpMode, model_used
from mutua.costing.domain.association import Association
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, NotFound
from mutua.registry.domain import Engagement, Member


def today() -> date:
    return datetime.now(UTC).date()


# -- read models --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """A document just issued."""

    number: str
    kind: DocumentKind
    purpose: Purpose
    member: str
    total: Decimal
    signed_total: Decimal

    @classmethod
    def of(cls, document: Document) -> IssuedDocument:
        draft = document.draft
        return cls(document.number, draft.kind, draft.purpose, draft.member, document.total, document.signed_total)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind.value,
            "purpose": self.purpose.value,
            "member": self.member,
            "total": str(self.total),
            "signed_total": str(self.signed_total),
        }


@dataclass(frozen=True, slots=True)
class IssueResult:
    """What an issue run issued (in number order)."""

    what: str
    issued_on: date
    documents: tuple[IssuedDocument, ...]

    @property
    def total(self) -> Decimal:
        """Invoices minus credit notes."""
        return sum((d.signed_total for d in self.documents), ZERO)

    @property
    def invoices(self) -> int:
        return sum(1 for d in self.documents if d.kind is DocumentKind.INVOICE)

    @property
    def credit_notes(self) -> int:
        return sum(1 for d in self.documents if d.kind is DocumentKind.CREDIT_NOTE)

    def as_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "issued_on": self.issued_on.isoformat(),
            "documents": len(self.documents),
            "invoices": self.invoices,
            "credit_notes": self.credit_notes,
            "net_total": str(self.total),
            "first": self.documents[0].number if self.documents else None,
            "last": self.documents[-1].number if self.documents else None,
        }


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """An issued document as listed."""

    number: str
    kind: DocumentKind
    purpose: Purpose
    period: Period
    member: str
    member_name: str
    issued_on: date
    due_on: date
    total: Decimal
    signed_total: Decimal
    payment_reference: str
    sha256: str

    @classmethod
    def of(cls, h: DocumentHeader) -> DocumentSummary:
        return cls(
            h.number,
            h.kind,
            h.purpose,
            h.period,
            h.member,
            h.member_name,
            h.issued_on,
            h.due_on,
            h.total,
            h.signed_total,
            h.payment_reference,
            h.sha256,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind.value,
            "purpose": self.purpose.value,
            "period": str(self.period),
            "member": self.member,
            "member_name": self.member_name,
            "issued_on": self.issued_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "total": str(self.total),
            "signed_total": str(self.signed_total),
            "payment_reference": self.payment_reference,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class DocumentDetail:
    """One issued document with its lines and the documents it refers to."""

    summary: DocumentSummary
    buyer_reference: str
    note: str
    refers_to: tuple[str, ...]
    lines: tuple[DocumentLine, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.summary.as_json(),
            "buyer_reference": self.buyer_reference,
            "note": self.note,
            "refers_to": list(self.refers_to),
            "lines": [
                {
                    "engagement": x.engagement,
                    "service": x.service,
                    "name": x.name,
                    "quantity": str(x.quantity),
                    "unit": x.unit,
                    "unit_code": x.unit_code,
                    "unit_price": str(x.unit_price),
                    "amount": str(x.amount),
                    "buyer_reference": x.buyer_reference,
                }
                for x in self.lines
            ],
        }


@dataclass(frozen=True, slots=True)
class LoadedDocuments:
    """Issued documents with what rendering them needs: the seller and the buyers."""

    association: Association
    members: Mapping[str, Member]
    documents: tuple[Document, ...]
    model: CostModel | None = None

    def glossary(self, member: Member) -> dict[str, str]:
        """The model's names in the member's language (for its PDFs)."""
        return {} if self.model is None else self.model.glossary(member.language.value)


# -- issuing ----------------------------------------------------------------------------------


def _issue_drafts(
    uow: UnitOfWork, model: CostModel, drafts: Sequence[tuple[Draft, str]], issued_on: date
) -> tuple[IssuedDocument, ...]:
    """Number, render and store drafts (each with its issue key) in the unit of work's transaction."""
    if not drafts:
        return ()
    first = uow.billing.allocate(issued_on.year, len(drafts))
    # read after the sequence row is locked: every document issued before is visible
    domain.check_issue_order(issued_on, uow.billing.last_issue_date(issued_on.year))
    members = {m.enterprise_number: m for m in uow.registry.members()}
    items = []
    for offset, (draft, key) in enumerate(drafts):
        document = issue(draft, issued_on.year, first + offset, issued_on, model.association.payment_days)
        items.append((document, key, uow.renderer.ubl(document, model.association, members[draft.member])))
    uow.billing.add_many(items)
    return tuple(IssuedDocument.of(document) for document, _, _ in items)


def _model_of(uow: UnitOfWork, year: int, period_keys: Sequence[int], true_up: bool = True) -> CostModel:
    """The version of the cost model the figures of these months of ``year`` were made with (the
    year's true-up's when ``true_up`` and it ran, else the latest closed month's; the model in force
    when none is closed), so that what a closed month publishes never changes with a later import."""
    run = uow.charging.true_up_run(year) if true_up else None
    used = model_used(uow.charging.closed_models(period_keys), run, period_keys)
    return uow.costing.cost_model()[1] if used is None else uow.costing.cost_model_version(used)


def _engagements(uow: UnitOfWork) -> dict[str, Engagement]:
    return {e.code: e for e in uow.registry.engagements()}


@requires(Permission(Action.CLOSE))
def issue_period_invoices(uow: UnitOfWork, period: Period, issued_on: date | None = None) -> IssueResult:
    """Issue the invoice of every member charged in a closed month (those not issued yet)."""
    day = issued_on or today()
    with uow:
        model = _model_of(uow, period.year, [period.key], true_up=False)
        if period.key not in uow.charging.closed_periods():
            raise Conflict(f"period {period} is not closed: close it before invoicing")
        domain.check_period_issue_date(period, day)
        done = uow.billing.issued_keys(f"period:{period.key}:")
        services = {s.code: s for s in model.services}
        charges = uow.charging.charges([period.key], kind="provisional")
        drafts = [
            (d, f"period:{period.key}:{d.member}")
            for d in period_invoices(period, charges, services, _engagements(uow))
        ]
        todo = [(d, k) for d, k in drafts if k not in done]
        if drafts and not todo:
            raise Conflict(f"the invoices of {period} were already issued")
        issued = _issue_drafts(uow, model, todo, day)
        uow.audit.record("issue_period", "period", str(period), documents=len(issued), issued_on=day)
        uow.commit()
    return IssueResult(f"invoices {period}", day, issued)


@requires(Permission(Action.CLOSE))
def issue_true_up_documents(uow: UnitOfWork, year: int, issued_on: date | None = None) -> IssueResult:
    """Issue the year-end true-up: per member an invoice or a credit note for its under- or
    over-recovery, referring to the member's invoices of the year."""
    day = issued_on or today()
    with uow:
        model = _model_of(uow, year, [p.key for p in months_of(year)])
        run = uow.charging.true_up_run(year)
        if run is None:
            raise Conflict(f"the true-up of {year} has not been run")
        if run.mode is not TrueUpMode.SETTLE:
            raise Conflict(f"the true-up of {year} was carried forward into next year's tariffs: nothing to settle")
        if uow.billing.issued_keys(f"true_up:{year}:"):
            raise Conflict(f"the true-up documents of {year} were already issued")
        invoiced = domain.period_invoices_by_member(uow.billing.headers(period_keys=[p.key for p in months_of(year)]))
        services = {s.code: s for s in model.services}
        charges = uow.charging.charges([year * 100 + 12], kind="true_up")
        drafts = [
            (d, f"true_up:{year}:{d.member}")
            for d in true_up_documents(year, charges, services, _engagements(uow), invoiced)
        ]
        issued = _issue_drafts(uow, model, drafts, day)
        uow.audit.record("issue_true_up", "year", str(year), documents=len(issued), issued_on=day)
        uow.commit()
    return IssueResult(f"true-up {year}", day, issued)


@requires(Permission(Action.CLOSE))
def issue_correction(uow: UnitOfWork, number: str, note: str = "", issued_on: date | None = None) -> IssueResult:
    """Correct an issued document: a new document of the opposite kind that reverses it and refers
    to it. The original is never changed."""
    day = issued_on or today()
    with uow:
        _, model = uow.costing.cost_model()
        headers = uow.billing.headers(numbers=[number])
        if not headers:
            raise NotFound(f"no document numbered {number}")
        original = uow.billing.documents(headers)[0]
        domain.check_correction_date(original, day)
        issued = _issue_drafts(uow, model, [(reversal(original, note), f"correction:{number}")], day)
        uow.commit()
    return IssueResult(f"correction of {number}", day, issued)


@requires(Permission(Action.CLOSE))
def issue_year(uow: UnitOfWork, year: int) -> list[IssueResult]:
    """Issue every document of a closed year not issued yet, each month's on the day after it ends
    and the true-up's with December's (the demo's calendar). Each month is one transaction."""
    with uow:
        closed = uow.charging.closed_periods()
        run = uow.charging.true_up_run(year)
        issued = [domain.period_key_of_issue_key(k) for k in uow.billing.issued_keys("period:")]
        true_up_issued = bool(uow.billing.issued_keys(f"true_up:{year}:"))
    results = [
        issue_period_invoices(uow, period, period.next().first_day)
        for period in domain.periods_to_issue(year, closed, issued)
    ]
    if run is not None and run.mode is TrueUpMode.SETTLE and not true_up_issued:
        results.append(issue_true_up_documents(uow, year, Period(year, 12).next().first_day))
    return results


# -- reading ----------------------------------------------------------------------------------


@requires(Permission(Action.READ_ASSOCIATION))
def list_documents(
    uow: UnitOfWork, period: Period | None = None, year: int | None = None, member: str | None = None
) -> list[DocumentSummary]:
    """The documents of a period (or a year), optionally of one member, in number order."""
    with uow:
        headers = uow.billing.headers(
            period_keys=[period.key] if period is not None else None, year=year, member=member
        )
    return [DocumentSummary.of(h) for h in headers]


@requires(Permission(member_scoped=True))
def member_documents(uow: UnitOfWork, member: str) -> list[DocumentSummary]:
    """Every document of one member, in number order."""
    with uow:
        headers = uow.billing.headers(member=member)
    return [DocumentSummary.of(h) for h in headers]


@requires(Permission(member_scoped=True))
def member_name(uow: UnitOfWork, member: str) -> str:
    """The name of the member whose documents are shown (NotFound for an unknown number)."""
    with uow:
        found = uow.registry.member(member)
    if found is None:
        raise NotFound(f"no member with enterprise number {member}")
    return found.name


@requires(Permission(member_scoped=True))
def statement_periods(uow: UnitOfWork, year: int) -> list[Period]:
    """The closed months of a year: those a member's statement is drawn up for."""
    with uow:
        closed = uow.charging.closed_periods()
    return [p for p in months_of(year) if p.key in closed]


@requires(Permission(member_scoped=True))
def find_document(uow: UnitOfWork, number: str) -> DocumentSummary:
    """One document as listed (the caller checks that its member is the user's)."""
    with uow:
        headers = uow.billing.headers(numbers=[number])
    if not headers:
        raise NotFound(f"no document numbered {number}")
    return DocumentSummary.of(headers[0])


@requires(Permission(member_scoped=True))
def show_document(uow: UnitOfWork, number: str) -> DocumentDetail:
    """One document with its lines and references."""
    with uow:
        headers = uow.billing.headers(numbers=[number])
        if not headers:
            raise NotFound(f"no document numbered {number}")
        doc = uow.billing.documents(headers)[0]
    return DocumentDetail(
        DocumentSummary.of(headers[0]),
        doc.draft.buyer_reference,
        doc.draft.note,
        tuple(r.number for r in doc.draft.references),
        doc.draft.lines,
    )


@requires(Permission(member_scoped=True))
def document_ubl(uow: UnitOfWork, number: str) -> bytes:
    """The UBL exactly as issued."""
    with uow:
        text = uow.billing.ubl(number)
    if text is None:
        raise NotFound(f"no document numbered {number}")
    return text.encode("utf-8")


def _load(uow: UnitOfWork, headers: Sequence[DocumentHeader]) -> LoadedDocuments:
    latest = max((h.period_key for h in headers), default=None)
    if latest is None:
        _, model = uow.costing.cost_model()
    else:
        period = Period.from_key(latest)
        model = _model_of(uow, period.year, [latest], true_up=period.month == 12)
    members = {m.enterprise_number: m for m in uow.registry.members()}
    return LoadedDocuments(model.association, members, tuple(uow.billing.documents(headers)), model)


@requires(Permission(Action.READ_ASSOCIATION))
def load_documents(
    uow: UnitOfWork, numbers: list[str] | None = None, period: Period | None = None, year: int | None = None
) -> LoadedDocuments:
    """Issued documents with what rendering them needs (the seller, the members)."""
    with uow:
        headers = uow.billing.headers(
            numbers=numbers, period_keys=[period.key] if period is not None else None, year=year
        )
        return _load(uow, headers)


@requires(Permission(member_scoped=True))
def invoice_pdf(uow: UnitOfWork, number: str) -> bytes:
    """The PDF rendering of an issued document, in the buyer's language."""
    with uow:
        loaded = _load(uow, uow.billing.headers(numbers=[number]))
        ubl = uow.billing.ubl(number)
    if not loaded.documents or ubl is None:
        raise NotFound(f"no document numbered {number}")
    doc = loaded.documents[0]
    buyer = loaded.members[doc.draft.member]
    return uow.renderer.invoice_pdf(doc, loaded.association, buyer, loaded.glossary(buyer), ubl=ubl.encode("utf-8"))


@requires(Permission(member_scoped=True))
def statement_pdf(uow: UnitOfWork, member: str, period: Period, statement: object) -> bytes:
    """The member's PDF statement of a period, in its language: ``statement`` (the charging
    context's member statement of that period: each engagement's charges, budget, spend to date and
    projection) with the period's documents (its invoice, and true-up document for December)."""
    with uow:
        model = _model_of(uow, period.year, [period.key], true_up=period.month == 12)
        documents = uow.billing.documents(uow.billing.headers(period_keys=[period.key], member=member))
        buyer = uow.registry.member(member)
        ubl = {d.number: (uow.billing.ubl(d.number) or "").encode("utf-8") for d in documents}
    glossary = model.glossary(buyer.language.value) if buyer is not None else {}
    return uow.renderer.statement_pdf(statement, model.association, documents, glossary, ubl=ubl)


@requires(Permission(Action.CLOSE))
def set_channel(uow: UnitOfWork, member: str, channel: str) -> None:
    """Record whether a member receives its documents through Peppol (the default) or as PDF."""
    domain.check_channel(channel)
    with uow:
        if uow.registry.member(member) is None:
            raise NotFound(f"no member with enterprise number {member}")
        uow.billing.set_channel(member, channel)
        uow.commit()


@requires(Permission(Action.READ_ASSOCIATION))
def pdf_members(uow: UnitOfWork) -> set[str]:
    """Members not (yet) on Peppol: they receive the PDF rendering of their documents."""
    with uow:
        return uow.billing.pdf_members()


@requires(Permission(Action.READ_ASSOCIATION))
def export_documents(
    uow: UnitOfWork,
    folder: Path,
    period: Period | None = None,
    numbers: list[str] | None = None,
    pdf: bool | None = None,
) -> list[Path]:
    """Write each document's UBL as issued (``NUMBER.xml``) into ``folder``, and its PDF rendering
    (``NUMBER.pdf``) for members not on Peppol (``pdf=None``), for every document (``True``) or
    for none (``False``)."""
    with uow:
        headers = uow.billing.headers(numbers=numbers, period_keys=[period.key] if period is not None else None)
        loaded = _load(uow, headers)
        ubl = {h.number: uow.billing.ubl(h.number) or "" for h in headers}
        on_paper = uow.billing.pdf_members()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc in loaded.documents:
        path = folder / f"{doc.number}.xml"
        path.write_bytes(ubl[doc.number].encode("utf-8"))
        written.append(path)
    for doc in loaded.documents:
        if pdf or (pdf is None and doc.draft.member in on_paper):
            path = folder / f"{doc.number}.pdf"
            member = loaded.members[doc.draft.member]
            issued = ubl[doc.number].encode("utf-8")
            path.write_bytes(
                uow.renderer.invoice_pdf(doc, loaded.association, member, loaded.glossary(member), ubl=issued)
            )
            written.append(path)
    return written


@requires(Permission(Action.READ_ASSOCIATION))
def net_billed_by_member(uow: UnitOfWork, year: int) -> dict[str, Decimal]:
    """Per member: the year's invoices minus credit notes."""
    with uow:
        return domain.net_billed_by_member(uow.billing.headers(year=year))


@requires(Permission(Action.READ_ASSOCIATION))
def focus_export(uow: UnitOfWork, year: int, period: Period | None = None) -> FocusExport:
    """The FOCUS 1.2 rows of a closed month's charges, or of a whole year's (true-up included),
    each with the number of the document that billed it when issued."""
    with uow:
        closed = uow.charging.closed_periods()
        periods = [period] if period is not None else list(months_of(year))
        keys = [p.key for p in periods if p.key in closed]
        if not keys:
            raise Conflict(f"no closed period in {period or year}")
        model = _model_of(uow, year, keys, true_up=period is None or period.month == 12)
        charges = uow.charging.charges(keys)
        members = {m.enterprise_number: m for m in uow.registry.members()}
        engagements = _engagements(uow)
        invoice_ids = domain.billing_document_numbers(uow.billing.headers(period_keys=keys))
    return uow.renderer.focus(model, charges, members, engagements, invoice_ids)


@requires(Permission(member_scoped=True))
def payee(uow: UnitOfWork) -> tuple[str, str, str]:
    """The association members pay to, as an invoice's page shows it: its name, IBAN and BIC."""
    with uow:
        _, model = uow.costing.cost_model()
    return model.association.name, model.association.iban, model.association.bic
