"""The billing context's portal pages: a member's documents and statements, and their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from mutua.billing import service
from mutua.billing.web import invoice_documents, invoice_file, statement_pdf_response
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
    return render(
        request,
        "billing/documents.html",
        user,
        member=enterprise_number,
        member_name=service.member_name(ctx.uow(user.username), enterprise_number),
        invoices=invoice_documents(ctx).for_member(enterprise_number),
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
