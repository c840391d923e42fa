"""Joint purchasing's REST API routes (/api/v1): the catalogue's search with facets, the agreements
and who joined them (every user); a member's accessions and orders (its buyer; its budget holder
reads them); the commission statements and their documents (the association). Every list is paged
in the API's one envelope (``limit``, ``cursor``, ``{"items", "next_cursor"}``) but the catalogue's
search, which is paged by ``offset`` and ``limit`` with its ``total`` and facets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from mutua.kernel.access import User
from mutua.platform.web.deps import ERRORS, MEMBER, Ctx, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of
from mutua.purchasing.domain import Channel
from mutua.purchasing.domain.search import MAX_PAGE, CatalogueQuery
from mutua.purchasing.schemas import (
    AccessionIn,
    AccessionOut,
    AccessionPage,
    AgreementOut,
    AgreementSummaryOut,
    AgreementSummaryPage,
    CatalogueOut,
    FundingOut,
    OrderIn,
    OrderOut,
    OrderPage,
    StatementOut,
    StatementPage,
)
from mutua.purchasing.service import accessions, agreements, commissions, documents, orders, search
from mutua.purchasing.service import funding as funding_service

router = APIRouter(prefix="/api/v1", responses=ERRORS)

REFERENCE = Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ORDER = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$", description="The order's number.")
STATEMENT = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$", description="The statement's number.")
STEP = Path(pattern="^(approve|place|cancel)$")
PRICE = Query(ge=0, le=10_000_000, max_digits=12, decimal_places=2)
TAG = "purchasing"


@router.get(
    "/purchasing/catalogue",
    tags=[TAG],
    summary="Search the catalogues (paged by offset, with facets)",
    description="The one list of the API not paged by cursor: a search is ranked and faceted over its whole "
    f"result, so a page is `offset` and `limit` (at most {MAX_PAGE}), and the answer gives the `total` matches; "
    "the next page is at `offset + limit` while that is below `total`.",
    response_model=CatalogueOut,
)
def catalogue(
    user: Annotated[User, permit(search.search_catalogue)],
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200, description="Words in Dutch or French")] = "",
    agreement: Annotated[str | None, Query(max_length=60)] = None,
    lot: Annotated[int | None, Query(ge=1, le=999)] = None,
    cpv: Annotated[str | None, Query(pattern=r"^\d{2}$", description="A CPV division")] = None,
    supplier: Annotated[str | None, Query(max_length=40)] = None,
    price_min: Annotated[Decimal | None, PRICE] = None,
    price_max: Annotated[Decimal | None, PRICE] = None,
    on: Annotated[date | None, Query(description="Orderable that day")] = None,
    language: Annotated[str, Query(pattern="^(nl|fr|en)$")] = "nl",
    sort: Annotated[str, Query(pattern="^(description|price)$")] = "description",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most this many items in the page.")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=1_000_000, description="Where the page starts: how many matches to skip.")
    ] = 0,
) -> CatalogueOut:
    query = CatalogueQuery(
        q,
        agreement,
        lot if agreement else None,
        cpv,
        supplier,
        price_min,
        price_max,
        on,
        language,
        sort,
        limit,
        offset,
    )
    return CatalogueOut.of(search.search_catalogue(ctx.uow(user.username), query))


@router.get(
    "/purchasing/agreements",
    tags=[TAG],
    summary="The framework agreements (paged)",
    response_model=AgreementSummaryPage,
)
def agreement_list(
    user: Annotated[User, permit(agreements.agreements_overview)],
    ctx: Ctx,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AgreementSummaryPage:
    found = agreements.agreements_overview(ctx.uow(user.username))
    items, next_cursor = page_of(found, limit, cursor, lambda a: AgreementSummaryOut(**a.as_json()))
    return AgreementSummaryPage(items=items, next_cursor=next_cursor)


@router.get(
    "/purchasing/agreements/{reference}", tags=[TAG], summary="One framework agreement", response_model=AgreementOut
)
def agreement(
    user: Annotated[User, permit(agreements.agreement_detail)], ctx: Ctx, reference: Annotated[str, REFERENCE]
) -> AgreementOut:
    return AgreementOut.of(agreements.agreement_detail(ctx.uow(user.username), reference).as_json())


@router.get(
    "/purchasing/accessions", tags=[TAG], summary="Who joined which agreement (paged)", response_model=AccessionPage
)
def accession_list(
    user: Annotated[User, permit(accessions.accessions)],
    ctx: Ctx,
    agreement: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AccessionPage:
    found = accessions.accessions(ctx.uow(user.username), agreement)
    items, next_cursor = page_of(found, limit, cursor, lambda a: AccessionOut(**a.as_json()))
    return AccessionPage(items=items, next_cursor=next_cursor)


@router.post(
    "/members/{enterprise_number}/purchasing/accessions",
    tags=[TAG],
    summary="Join an agreement (by a decision of the member's council)",
    response_model=AccessionOut,
    status_code=201,
)
def join(
    user: Annotated[User, permit(accessions.join_agreement_content)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    body: AccessionIn,
) -> AccessionOut:
    view = accessions.join_agreement_content(
        ctx.uow(user.username), enterprise_number, body.agreement, body.decided_on, body.decision_reference
    )
    return AccessionOut(**view.as_json())


@router.get(
    "/members/{enterprise_number}/purchasing/orders",
    tags=[TAG],
    summary="A member's orders (paged)",
    response_model=OrderPage,
)
def member_orders(
    user: Annotated[User, permit(orders.member_orders)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> OrderPage:
    found = orders.member_orders(ctx.uow(user.username), enterprise_number)
    items, next_cursor = page_of(found, limit, cursor, lambda o: OrderOut.of(orders.OrderView(o, ()).as_json()))
    return OrderPage(items=items, next_cursor=next_cursor)


@router.get(
    "/members/{enterprise_number}/purchasing/orders/{order}",
    tags=[TAG],
    summary="One of a member's orders, with its history",
    response_model=OrderOut,
)
def order_detail(
    user: Annotated[User, permit(orders.order_detail)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    order: Annotated[str, ORDER],
) -> OrderOut:
    return OrderOut.of(orders.order_detail(ctx.uow(user.username), enterprise_number, order).as_json())


@router.post(
    "/members/{enterprise_number}/purchasing/orders",
    tags=[TAG],
    summary="Draft an order under an agreement the member joined",
    response_model=OrderOut,
    status_code=201,
)
def draft(
    user: Annotated[User, permit(orders.draft_order)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    body: OrderIn,
) -> OrderOut:
    view = orders.draft_order(
        ctx.uow(user.username),
        enterprise_number,
        body.agreement,
        body.lot,
        body.supplier,
        [(line.code, line.quantity) for line in body.lines],
        engagement=body.engagement,
        channel=Channel(body.channel),
        buyer_reference=body.buyer_reference,
        cascade_reason=body.cascade_reason,
    )
    return OrderOut.of(view.as_json())


@router.post(
    "/members/{enterprise_number}/purchasing/orders/{order}/{step}",
    tags=[TAG],
    summary="Approve, place or cancel an order",
    response_model=OrderOut,
)
def order_step(
    user: Annotated[User, permit(orders.approve_order)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    order: Annotated[str, ORDER],
    step: Annotated[str, STEP],
    reason: Annotated[str, Query(max_length=500, description="Why (a cancellation)")] = "",
) -> OrderOut:
    uow = ctx.uow(user.username)
    if step == "approve":
        view = orders.approve_order(uow, enterprise_number, order)
    elif step == "place":
        view = orders.place_order(uow, enterprise_number, order)
    else:
        view = orders.cancel_order(uow, enterprise_number, order, reason)
    return OrderOut.of(view.as_json())


@router.get(
    "/purchasing/statements", tags=[TAG], summary="The commission statements (paged)", response_model=StatementPage
)
def statements(
    user: Annotated[User, permit(commissions.commission_statements)],
    ctx: Ctx,
    supplier: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> StatementPage:
    found = commissions.commission_statements(ctx.uow(user.username), supplier=supplier)
    items, next_cursor = page_of(found, limit, cursor, lambda s: StatementOut(**s.as_json()))
    return StatementPage(items=items, next_cursor=next_cursor)


@router.get(
    "/purchasing/funding",
    tags=[TAG],
    summary="The year's commissions against the purchasing team's cost centre's cost",
    response_model=FundingOut,
)
def funding(
    user: Annotated[User, permit(funding_service.purchasing_funding)],
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> FundingOut:
    return FundingOut(**funding_service.purchasing_funding(ctx.uow(user.username), year).as_json())


@router.get(
    "/purchasing/statements/{statement}/ubl",
    tags=[TAG],
    summary="A commission statement as a Peppol BIS 3 UBL invoice",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/xml": {}}}},
)
def statement_ubl(
    user: Annotated[User, permit(documents.statement_ubl)], ctx: Ctx, statement: Annotated[str, STATEMENT]
) -> Response:
    return Response(documents.statement_ubl(ctx.uow(user.username), statement), media_type="application/xml")


@router.get(
    "/purchasing/statements/{statement}/pdf",
    tags=[TAG],
    summary="A commission statement as PDF",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/pdf": {}}}},
)
def statement_pdf(
    user: Annotated[User, permit(documents.statement_pdf)],
    ctx: Ctx,
    statement: Annotated[str, STATEMENT],
    language: Annotated[str | None, Query(pattern="^(nl|fr|en)$")] = None,
) -> Response:
    return Response(documents.statement_pdf(ctx.uow(user.username), statement, language), media_type="application/pdf")
