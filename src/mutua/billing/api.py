"""The billing context's REST API routes (/api/v1): a member's invoices and their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from mutua.billing import service
from mutua.billing.schemas import InvoiceOut
from mutua.billing.web import find_invoice, invoice_documents, invoice_file
from mutua.kernel.access import User
from mutua.platform.web.deps import ERRORS, MEMBER, Ctx, permit

router = APIRouter(prefix="/api/v1", responses=ERRORS)

NUMBER = Path(max_length=60)


@router.get(
    "/members/{enterprise_number}/invoices",
    tags=["invoices"],
    summary="A member's invoices and credit notes",
    response_model=list[InvoiceOut],
)
def member_invoices(
    user: Annotated[User, permit(service.member_documents)], ctx: Ctx, enterprise_number: Annotated[str, MEMBER]
) -> list[InvoiceOut]:
    return [InvoiceOut.of(d) for d in invoice_documents(ctx).for_member(enterprise_number)]


@router.get("/invoices/{number}", tags=["invoices"], summary="One invoice", response_model=InvoiceOut)
def invoice(
    user: Annotated[User, permit(service.find_document)], ctx: Ctx, number: Annotated[str, NUMBER]
) -> InvoiceOut:
    return InvoiceOut.of(find_invoice(user, ctx, number))


@router.get(
    "/invoices/{number}/ubl",
    tags=["invoices"],
    summary="The invoice as UBL 2.1 (Peppol BIS Billing 3.0) XML",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/xml": {}}}},
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
    responses={200: {"content": {"application/pdf": {}}}},
)
def invoice_pdf(
    user: Annotated[User, permit(service.invoice_pdf)], ctx: Ctx, number: Annotated[str, NUMBER]
) -> Response:
    return invoice_file(ctx, user, number, "pdf")
