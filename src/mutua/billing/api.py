"""The billing context's REST API routes (/api/v1): a member's invoices and their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from mutua.billing import service
from mutua.billing.schemas import InvoiceDetailOut, InvoiceOut, InvoicePage
from mutua.billing.web import find_invoice, invoice_documents, invoice_file, statement_pdf_response
from mutua.kernel.access import User
from mutua.platform.web.deps import ERRORS, MEMBER, PERIOD, Ctx, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of

router = APIRouter(prefix="/api/v1", responses=ERRORS)

NUMBER = Path(max_length=60)
BINARY = {"schema": {"type": "string", "format": "binary"}}
YEAR_FILTER = Query(ge=1900, le=9999, description="Only the documents of this year's months.")


@router.get(
    "/members/{enterprise_number}/invoices",
    tags=["invoices"],
    summary="A member's invoices and credit notes, in number order (paged; ?year= for one year's)",
    response_model=InvoicePage,
)
def member_invoices(
    user: Annotated[User, permit(service.member_documents)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: Annotated[int | None, YEAR_FILTER] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> InvoicePage:
    found = invoice_documents(ctx).for_member(enterprise_number)
    if year is not None:
        found = [d for d in found if d.period.startswith(f"{year:04d}-")]
    items, next_cursor = page_of(found, limit, cursor, InvoiceOut.of)
    return InvoicePage(items=items, next_cursor=next_cursor)


@router.get(
    "/invoices/{number}",
    tags=["invoices"],
    summary="One invoice or credit note, with its due date, payment reference and lines",
    response_model=InvoiceDetailOut,
)
def invoice(
    user: Annotated[User, permit(service.find_document)], ctx: Ctx, number: Annotated[str, NUMBER]
) -> InvoiceDetailOut:
    return InvoiceDetailOut.of(find_invoice(user, ctx, number))


@router.get(
    "/invoices/{number}/ubl",
    tags=["invoices"],
    summary="The invoice as UBL 2.1 (Peppol BIS Billing 3.0) XML",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/xml": BINARY}}},
)
def invoice_ubl(
    user: Annotated[User, permit(service.document_ubl)], ctx: Ctx, number: Annotated[str, NUMBER]
) -> Response:
    return invoice_file(ctx, user, number, "ubl")


@router.get(
    "/invoices/{number}/pdf",
    tags=["invoices"],
    summary="The invoice as PDF",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/pdf": BINARY}}},
)
def invoice_pdf(
    user: Annotated[User, permit(service.invoice_pdf)], ctx: Ctx, number: Annotated[str, NUMBER]
) -> Response:
    return invoice_file(ctx, user, number, "pdf")


@router.get(
    "/members/{enterprise_number}/statements/{period}/pdf",
    tags=["statements"],
    summary="A member's statement for a month as PDF (PDF/A-3, the month's documents' UBL embedded)",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/pdf": BINARY}}},
)
def statement_pdf(
    user: Annotated[User, permit(service.statement_pdf)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
) -> Response:
    return statement_pdf_response(ctx, enterprise_number, period)
