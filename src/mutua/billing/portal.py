"""The billing context's portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from mutua.billing.api import find_invoice, invoice_documents, invoice_file, statement_pdf_response
from mutua.kernel.access import require_member
from mutua.kernel.periods import Period
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import (
    MEMBER,
    PERIOD,
    Ctx,
    Who,
    YearQuery,
    member_name,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/members/{enterprise_number}/documents", response_class=HTMLResponse)
def documents(
    request: Request, user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> HTMLResponse:
    require_member(user, enterprise_number)
    year = year or latest_year(ctx)
    with UnitOfWork(ctx.engine) as uow:
        closed = sorted(Store(uow.connection).closed_periods())
    periods = [str(Period.from_key(k)) for k in closed if k // 100 == year]
    return render(
        request,
        "documents.html",
        user,
        member=enterprise_number,
        member_name=member_name(ctx, enterprise_number),
        invoices=invoice_documents(ctx).for_member(enterprise_number),
        periods=periods,
        year=year,
    )


@router.get("/members/{enterprise_number}/statements/{period}/pdf")
def statement_pdf(
    user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], period: Annotated[str, PERIOD]
) -> Response:
    require_member(user, enterprise_number)
    return statement_pdf_response(ctx, enterprise_number, period)


@router.get("/invoices/{number}/{fmt}")
def invoice_download(
    user: Who, ctx: Ctx, number: Annotated[str, Path(max_length=60)], fmt: Annotated[str, Path(pattern="^(ubl|pdf)$")]
) -> Response:
    find_invoice(user, ctx, number)
    return invoice_file(ctx, user, number, fmt)
