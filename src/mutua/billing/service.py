"""Billing use cases: issue a closed period's invoices, the true-up's invoices and credit notes, and
corrections; list, show and export documents (UBL, PDF). One unit of work each.

Numbers are allocated in the transaction that stores the documents, so a failed run leaves no gap.
Documents are issued in chronological order within a year's sequence (Belgian invoicing rule): an
issue date earlier than the year's last one is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from mutua.billing.db import SqlBilling
from mutua.billing.documents import ubl
from mutua.billing.documents.focus import FocusExport, focus_rows
from mutua.billing.domain import (
    Document,
    DocumentRef,
    Draft,
    Purpose,
    issue,
    period_invoices,
    reversal,
    true_up_documents,
)
from mutua.costing.domain.catalogue import Service
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, NotFound
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.registry.domain import Engagement, Member


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class IssueResult:
    what: str
    issued_on: date
    documents: list[dict[str, Any]]

    @property
    def total(self) -> Decimal:
        return sum((Decimal(d["signed_total"]) for d in self.documents), ZERO)

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "issued_on": self.issued_on.isoformat(),
            "documents": len(self.documents),
            "invoices": sum(1 for d in self.documents if d["kind"] == "invoice"),
            "credit_notes": sum(1 for d in self.documents if d["kind"] == "credit_note"),
            "net_total": str(self.total),
            "first": self.documents[0]["number"] if self.documents else None,
            "last": self.documents[-1]["number"] if self.documents else None,
        }


def _summary(doc: Document) -> dict[str, Any]:
    return {
        "number": doc.number,
        "kind": doc.kind.value,
        "purpose": doc.draft.purpose.value,
        "member": doc.draft.member,
        "total": str(doc.total),
        "signed_total": str(doc.signed_total),
    }


def _issue_drafts(
    store: Store, model: CostModel, drafts: list[tuple[Draft, str]], issued_on: date
) -> list[dict[str, Any]]:
    """Number, render and store drafts in the store's transaction."""
    billing = SqlBilling(store.c, store.trail, store.registry)
    if not drafts:
        return []
    first = billing.allocate(issued_on.year, len(drafts))
    # read after the sequence row is locked: every document issued before is visible
    last = billing.last_issue_date(issued_on.year)
    if last is not None and issued_on < last:
        raise Conflict(f"documents of {issued_on.year} were already issued on {last}: issue on {last} or later")
    members = {m.enterprise_number: m for m in store.members()}
    member_ids = store.member_ids()
    items = []
    for offset, (draft, key) in enumerate(drafts):
        document = issue(draft, issued_on.year, first + offset, issued_on, model.association.payment_days)
        xml = ubl.render(document, model.association, members[draft.member])
        items.append((document, key, xml, member_ids[draft.member]))
    try:
        billing.add_many(items)
    except IntegrityError as exc:  # another run issued the same documents at the same time
        raise Conflict(f"documents for {drafts[0][1]} and the like were issued concurrently: {exc.orig}") from exc
    issued = [_summary(document) for document, _, _, _ in items]
    return issued


def _maps(store: Store, model: CostModel) -> tuple[dict[str, Service], dict[str, Engagement]]:
    services = {s.code: s for s in model.services}
    engagements = {e.code: e for e in store.engagements()}
    return services, engagements


def issue_period_invoices(
    engine: Engine, period: Period, issued_on: date | None = None, actor: str = "system"
) -> IssueResult:
    """Issue the invoice of every member charged in a closed month (those not issued yet)."""
    day = issued_on or today()
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        _, model = store.cost_model()
        if period.key not in store.closed_periods():
            raise Conflict(f"period {period} is not closed: close it before invoicing")
        if day <= period.last_day:
            raise Conflict(f"the invoices of {period} cannot be issued on {day}: issue them after the month")
        billing = SqlBilling(store.c, store.trail, store.registry)
        done = billing.issued_keys(f"period:{period.key}:")
        services, engagements = _maps(store, model)
        charges = store.charges([period.key], kind="provisional")
        drafts = [
            (d, f"period:{period.key}:{d.member}") for d in period_invoices(period, charges, services, engagements)
        ]
        todo = [(d, k) for d, k in drafts if k not in done]
        if drafts and not todo:
            raise Conflict(f"the invoices of {period} were already issued")
        issued = _issue_drafts(store, model, todo, day)
        store.audit("issue_period", "period", str(period), documents=len(issued), issued_on=day)
        uow.commit()
    return IssueResult(f"invoices {period}", day, issued)


def issue_true_up_documents(
    engine: Engine, year: int, issued_on: date | None = None, actor: str = "system"
) -> IssueResult:
    """Issue the year-end true-up: per member an invoice or a credit note for its under- or
    over-recovery, referring to the member's invoices of the year."""
    day = issued_on or today()
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        _, model = store.cost_model()
        run = store.true_up_run(year)
        if run is None:
            raise Conflict(f"the true-up of {year} has not been run")
        if run["mode"] != "settle":
            raise Conflict(f"the true-up of {year} was carried forward into next year's tariffs: nothing to settle")
        billing = SqlBilling(store.c, store.trail, store.registry)
        if billing.issued_keys(f"true_up:{year}:"):
            raise Conflict(f"the true-up documents of {year} were already issued")
        keys = [p.key for p in months_of(year)]
        invoiced: dict[str, list[DocumentRef]] = defaultdict(list)
        for h in billing.headers(period_keys=keys):
            if h["purpose"] == Purpose.PERIOD.value:
                invoiced[h["member"]].append(DocumentRef(h["number"], h["issued_on"]))
        services, engagements = _maps(store, model)
        charges = store.charges([year * 100 + 12], kind="true_up")
        drafts = [
            (d, f"true_up:{year}:{d.member}") for d in true_up_documents(year, charges, services, engagements, invoiced)
        ]
        issued = _issue_drafts(store, model, drafts, day)
        store.audit("issue_true_up", "year", str(year), documents=len(issued), issued_on=day)
        uow.commit()
    return IssueResult(f"true-up {year}", day, issued)


def issue_correction(
    engine: Engine, number: str, note: str = "", issued_on: date | None = None, actor: str = "system"
) -> IssueResult:
    """Correct an issued document: a new document of the opposite kind that reverses it and refers
    to it. The original is never changed."""
    day = issued_on or today()
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        _, model = store.cost_model()
        billing = SqlBilling(store.c, store.trail, store.registry)
        headers = billing.headers(numbers=[number])
        if not headers:
            raise NotFound(f"no document numbered {number}")
        original = billing.documents(headers)[0]
        if day < original.issued_on:
            raise Conflict(f"a correction cannot be dated before the document it corrects ({original.issued_on})")
        issued = _issue_drafts(store, model, [(reversal(original, note), f"correction:{number}")], day)
        uow.commit()
    return IssueResult(f"correction of {number}", day, issued)


def issue_year(engine: Engine, year: int, actor: str = "system") -> list[IssueResult]:
    """Issue every document of a closed year not issued yet, each month's on the day after it ends
    and the true-up's with December's (the demo's calendar)."""
    results = []
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        closed = store.closed_periods()
        run = store.true_up_run(year)
        billing = SqlBilling(store.c, store.trail, store.registry)
        issued_periods = {int(k.split(":")[1]) for k in billing.issued_keys("period:")}
        true_up_issued = bool(billing.issued_keys(f"true_up:{year}:"))
    for period in months_of(year):
        if period.key in closed and period.key not in issued_periods:
            results.append(issue_period_invoices(engine, period, period.next().first_day, actor))
    if run is not None and run["mode"] == "settle" and not true_up_issued:
        results.append(issue_true_up_documents(engine, year, Period(year, 12).next().first_day, actor))
    return results


# -- reading ----------------------------------------------------------------------------------


def _header_dict(h: dict[str, Any]) -> dict[str, Any]:
    sign = 1 if h["kind"] == "invoice" else -1
    return {
        "number": h["number"],
        "kind": h["kind"],
        "purpose": h["purpose"],
        "period": str(Period.from_key(h["period_key"])),
        "member": h["member"],
        "member_name": h["member_name"],
        "issued_on": h["issued_on"].isoformat(),
        "due_on": h["due_on"].isoformat(),
        "total": str(h["total"]),
        "signed_total": str(sign * h["total"]),
        "payment_reference": h["payment_reference"],
        "sha256": h["sha256"],
    }


def list_documents(
    engine: Engine, period: Period | None = None, year: int | None = None, member: str | None = None
) -> list[dict[str, Any]]:
    """The documents of a period (or a year), optionally of one member, in number order."""
    with UnitOfWork(engine) as uow:
        billing = _billing(uow.connection)
        headers = billing.headers(period_keys=[period.key] if period is not None else None, year=year, member=member)
    return [_header_dict(h) for h in headers]


def show_document(engine: Engine, number: str) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        billing = _billing(uow.connection)
        headers = billing.headers(numbers=[number])
        if not headers:
            raise NotFound(f"no document numbered {number}")
        doc = billing.documents(headers)[0]
    result = _header_dict(headers[0])
    result["buyer_reference"] = doc.draft.buyer_reference
    result["note"] = doc.draft.note
    result["refers_to"] = [r.number for r in doc.draft.references]
    result["lines"] = [
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
        for x in doc.draft.lines
    ]
    return result


def document_ubl(engine: Engine, number: str) -> bytes:
    """The UBL exactly as issued."""
    with UnitOfWork(engine) as uow:
        text = _billing(uow.connection).ubl(number)
    if text is None:
        raise NotFound(f"no document numbered {number}")
    return text.encode("utf-8")


def load_documents(
    engine: Engine, numbers: list[str] | None = None, period: Period | None = None, year: int | None = None
) -> tuple[CostModel, dict[str, Member], list[Document]]:
    """Issued documents with what rendering them needs (the model, the members)."""
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        billing = SqlBilling(store.c, store.trail, store.registry)
        headers = billing.headers(numbers=numbers, period_keys=[period.key] if period is not None else None, year=year)
        documents = billing.documents(headers)
        members = {m.enterprise_number: m for m in store.members()}
    return model, members, documents


CHANNELS = ("peppol", "pdf")


def set_channel(engine: Engine, member: str, channel: str, actor: str = "system") -> None:
    """Record whether a member receives its documents through Peppol (the default) or as PDF."""
    if channel not in CHANNELS:
        raise Conflict(f"unknown channel {channel!r}: peppol or pdf")
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        if member not in store.member_ids():
            raise NotFound(f"no member with enterprise number {member}")
        SqlBilling(store.c, store.trail, store.registry).set_channel(member, channel)
        uow.commit()


def pdf_members(engine: Engine) -> set[str]:
    with UnitOfWork(engine) as uow:
        return _billing(uow.connection).pdf_members()


def export_documents(
    engine: Engine,
    folder: Path,
    period: Period | None = None,
    numbers: list[str] | None = None,
    pdf: bool | None = None,
) -> list[Path]:
    """Write each document's UBL (``NUMBER.xml``) into ``folder``, and its PDF rendering
    (``NUMBER.pdf``) for members not on Peppol (``pdf=None``), for every document (``True``) or
    for none (``False``)."""
    folder.mkdir(parents=True, exist_ok=True)
    model, members, documents = load_documents(engine, numbers=numbers, period=period)
    on_paper = pdf_members(engine)
    written: list[Path] = []
    for doc in documents:
        path = folder / f"{doc.number}.xml"
        path.write_bytes(document_ubl(engine, doc.number))
        written.append(path)
    wanted = [d for d in documents if pdf or (pdf is None and d.draft.member in on_paper)]
    if wanted:
        from mutua.billing.documents import pdf as pdf_documents

        for doc in wanted:
            path = folder / f"{doc.number}.pdf"
            path.write_bytes(pdf_documents.invoice_pdf(doc, model.association, members[doc.draft.member]))
            written.append(path)
    return written


def net_billed_by_member(engine: Engine, year: int) -> dict[str, Decimal]:
    """Per member: the year's invoices minus credit notes."""
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for h in list_documents(engine, year=year):
        result[h["member"]] += Decimal(h["signed_total"])
    return dict(result)


def statement_pdf(engine: Engine, member: str, period: Period) -> bytes:
    """The member's PDF statement of a period, in its language: the same figures as the period's
    invoice (and true-up document, for December) with each engagement's budget, spend to date and
    projection (from :func:`mutua.charging.reporting.member_statement`)."""
    from mutua.billing.documents import pdf as pdf_documents
    from mutua.charging.reporting import member_statement

    statement = member_statement(engine, member, period)
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        billing = SqlBilling(store.c, store.trail, store.registry)
        documents = billing.documents(billing.headers(period_keys=[period.key], member=member))
    return pdf_documents.statement_pdf(statement, model.association, documents)


def invoice_pdf(engine: Engine, number: str) -> bytes:
    """The PDF rendering of an issued document, in the buyer's language."""
    from mutua.billing.documents import pdf as pdf_documents

    model, members, documents = load_documents(engine, numbers=[number])
    if not documents:
        raise NotFound(f"no document numbered {number}")
    doc = documents[0]
    return pdf_documents.invoice_pdf(doc, model.association, members[doc.draft.member])


def focus_export(engine: Engine, year: int, period: Period | None = None) -> FocusExport:
    """The FOCUS 1.2 rows of a closed month's charges, or of a whole year's (true-up included),
    each with the number of the document that billed it when issued."""
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        closed = store.closed_periods()
        periods = [period] if period is not None else list(months_of(year))
        keys = [p.key for p in periods if p.key in closed]
        if not keys:
            raise Conflict(f"no closed period in {period or year}")
        charges = store.charges(keys)
        members = {m.enterprise_number: m for m in store.members()}
        engagements = {e.code: e for e in store.engagements()}
        invoice_ids: dict[tuple[str, int, bool], str] = {}
        for h in SqlBilling(store.c, store.trail, store.registry).headers(period_keys=keys):
            if h["purpose"] in (Purpose.PERIOD.value, Purpose.TRUE_UP.value):
                invoice_ids[(h["member"], h["period_key"], h["purpose"] == Purpose.TRUE_UP.value)] = h["number"]
    return focus_rows(model, charges, members, engagements, invoice_ids)


def _billing(connection: Any) -> SqlBilling:
    store = Store(connection)
    return SqlBilling(store.c, store.trail, store.registry)
