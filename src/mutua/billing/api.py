"""The billing context's REST API routes (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from mutua.billing.ports import FORMATS, InvoiceDocuments
from mutua.kernel.access import User, require_member
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound
from mutua.platform.web import schemas
from mutua.platform.web.app import Context
from mutua.platform.web.deps import (
    ERRORS,
    MEMBER,
    Auth,
    Ctx,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def invoice_documents(ctx: Context) -> InvoiceDocuments:
    """The billing documents the composition root gave the routes."""
    docs: InvoiceDocuments = ctx.extensions["invoices"]
    return docs


def statement_pdf_response(ctx: Context, member: str, period: str) -> Response:
    content = invoice_documents(ctx).statement_pdf(member, str(Period.parse(period)))
    if content is None:
        raise NotFound(f"no PDF statement of {member} for {period}")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="statement-{member}-{period}.pdf"'},
    )


@router.get(
    "/members/{enterprise_number}/invoices",
    tags=["invoices"],
    summary="A member's invoices and credit notes",
    response_model=list[schemas.InvoiceOut],
)
def member_invoices(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> list[dict[str, object]]:
    require_member(user, enterprise_number)
    return [d.as_dict() for d in invoice_documents(ctx).for_member(enterprise_number)]


def find_invoice(user: User, ctx: Context, number: str) -> Any:
    doc = invoice_documents(ctx).find(number)
    if doc is None:
        raise NotFound(f"no invoice {number!r}")
    require_member(user, doc.member)
    return doc


@router.get("/invoices/{number}", tags=["invoices"], summary="One invoice", response_model=schemas.InvoiceOut)
def invoice(user: Auth, ctx: Ctx, number: Annotated[str, Path(max_length=60)]) -> dict[str, object]:
    return dict(find_invoice(user, ctx, number).as_dict())


def invoice_file(ctx: Context, user: User, number: str, fmt: str) -> Response:
    doc = find_invoice(user, ctx, number)
    content = invoice_documents(ctx).content(number, fmt) if fmt in doc.formats else None
    if content is None:
        raise NotFound(f"no {fmt.upper()} document for invoice {number!r}")
    ext = "xml" if fmt == "ubl" else fmt
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{number}.{ext}"'},
    )


@router.get(
    "/invoices/{number}/ubl",
    tags=["invoices"],
    summary="The invoice as UBL 2.1 (Peppol BIS Billing 3.0) XML",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def invoice_ubl(user: Auth, ctx: Ctx, number: Annotated[str, Path(max_length=60)]) -> Response:
    return invoice_file(ctx, user, number, "ubl")


@router.get(
    "/invoices/{number}/pdf",
    tags=["invoices"],
    summary="The invoice as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def invoice_pdf(user: Auth, ctx: Ctx, number: Annotated[str, Path(max_length=60)]) -> Response:
    return invoice_file(ctx, user, number, "pdf")
