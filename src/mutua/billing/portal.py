"""The billing context's portal pages: a member's documents and statements, and their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from mutua.billing import service
from mutua.billing.ports import InvoiceDocument
from mutua.billing.web import find_invoice, invoice_documents, invoice_file, statement_pdf_response
from mutua.kernel.access import User
from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import MEMBER, PERIOD, Ctx, YearQuery, page_permit, render

router = APIRouter(include_in_schema=False)


@router.get("/members/{enterprise_number}/documents", response_class=HTMLResponse)
def documents(
    request: Request,
    user: Annotated[User, page_permit(service.member_documents)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
) -> HTMLResponse:
    year = year or latest_year(ctx)
    periods = service.statement_periods(ctx.uow(user.username), year)
    issued = invoice_documents(ctx).for_member(enterprise_number)
    today = service.today().isoformat()
    return render(
        request,
        "billing/documents.html",
        user,
        member=enterprise_number,
        member_name=service.member_name(ctx.uow(user.username), enterprise_number),
        invoices=issued,
        statuses={i.number: status_of(i, today) for i in issued},
        periods=[str(p) for p in periods],
        year=year,
    )


@router.get("/members/{enterprise_number}/statements/{period}/pdf")
def statement_pdf(
    user: Annotated[User, page_permit(service.statement_pdf)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
) -> Response:
    return statement_pdf_response(ctx, enterprise_number, period)


@router.get("/invoices/{number}/{fmt}")
def invoice_download(
    user: Annotated[User, page_permit(service.find_document)],
    ctx: Ctx,
    number: Annotated[str, Path(max_length=60)],
    fmt: Annotated[str, Path(pattern="^(ubl|pdf)$")],
) -> Response:
    return invoice_file(ctx, user, number, fmt)


def status_of(doc: InvoiceDocument | service.DocumentSummary, today: str) -> str:
    """What a member reads of a document's state (payments are not recorded in Mutua): a credit
    note is to be refunded; an invoice is open until its due date, then its due date has passed."""
    kind = doc.kind if isinstance(doc.kind, str) else doc.kind.value
    due = doc.due_on if isinstance(doc.due_on, str) else doc.due_on.isoformat()
    if kind == "credit_note":
        return "To be refunded"
    if due and due < today:
        return "Due date passed"
    return "Open"


@router.get("/invoices/{number}", response_class=HTMLResponse)
def invoice(
    request: Request,
    user: Annotated[User, page_permit(service.show_document)],
    ctx: Ctx,
    number: Annotated[str, Path(max_length=60)],
) -> HTMLResponse:
    """One issued document: its lines, total, payment details and files (404 for another member's, as unknown)."""
    doc = find_invoice(user, ctx, number)
    uow = ctx.uow(user.username)
    return render(
        request,
        "billing/invoice.html",
        user,
        i=doc,
        member_name=service.member_name(uow, doc.member),
        payee=service.payee(ctx.uow(user.username)),
        status=status_of(doc, service.today().isoformat()),
    )


@router.get("/invoices", response_class=HTMLResponse)
def invoices(
    request: Request,
    user: Annotated[User, page_permit(service.list_documents)],
    ctx: Ctx,
    year: YearQuery = None,
) -> HTMLResponse:
    """The controller's view of every document issued in a year: to whom, by which channel."""
    year = year or latest_year(ctx)
    docs = service.list_documents(ctx.uow(user.username), year=year)
    pdf = service.pdf_members(ctx.uow(user.username))
    today = service.today().isoformat()
    return render(
        request,
        "billing/invoices.html",
        user,
        docs=docs,
        pdf=pdf,
        statuses={d.number: status_of(d, today) for d in docs},
        year=year,
    )
