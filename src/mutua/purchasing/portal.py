"""Joint purchasing's pages. Every user browses and searches the catalogues (full text, facets),
the agreements and who joined them; a member's buyer joins agreements and orders, its budget holder
follows its orders; the purchasing team loads agreements and price lists and issues the commission
statements. Their words are in the ``purchasing`` catalogue (``t`` in the templates; the page frame
keeps the portal's ``_``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mutua.kernel.access import User
from mutua.kernel.problems import Problem, Rejected
from mutua.platform import i18n
from mutua.platform.web.auth import check_csrf
from mutua.platform.web.pages import MEMBER, Ctx, language, page_permit, render, see_other
from mutua.purchasing.domain import Channel, Quarter, units
from mutua.purchasing.domain.search import MAX_PAGE, CatalogueQuery
from mutua.purchasing.service import (
    accessions,
    agreements,
    catalogue,
    commissions,
    documents,
    funding,
    orders,
    search,
)
from mutua.purchasing.service.common import FileContent

router = APIRouter(include_in_schema=False)
REFERENCE = Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
ORDER = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
STATEMENT = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
MAX_UPLOAD = 20_000_000
PAGE = 20


def _today() -> date:
    return datetime.now(UTC).date()


def _page(request: Request, name: str, user: User, **data: Any) -> HTMLResponse:
    t = i18n.translator(language(request, user), "purchasing")

    def unit(code: str) -> str:
        """A UN/ECE rec. 20 unit as the reader says it ("stuk", "jour"), its code when unknown."""
        name = units.REC20.get(code)
        return t(name) if name else code

    return render(request, name, user, t=t, unit=unit, **data)


async def _upload(upload: UploadFile | None, what: str, *, required: bool) -> FileContent | None:
    if upload is None or not upload.filename:
        if required:
            raise Rejected([Problem(what, None, "file", "choose a file")], what)
        return None
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Rejected([Problem(upload.filename, None, None, "the file is larger than 20 MB")], what)
    return FileContent.of(upload.filename, data)


def _price(text: str | None, field: str) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > 10_000_000:
        raise Rejected([Problem("search", None, field, f"not a price: {text}")], "search")
    return value


# -- the catalogue, the agreements, who joined what (every user) -------------------------------------


@router.get("/purchasing", response_class=HTMLResponse)
def catalogue_search(
    request: Request,
    user: Annotated[User, page_permit(search.search_catalogue)],
    ctx: Ctx,
    q: Annotated[str, Query(max_length=200)] = "",
    agreement: Annotated[str | None, Query(max_length=60)] = None,
    lot: Annotated[int | None, Query(ge=1, le=999)] = None,
    cpv: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    supplier: Annotated[str | None, Query(max_length=40)] = None,
    price_min: Annotated[str | None, Query(max_length=20)] = None,
    price_max: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str, Query(pattern="^(description|price)$")] = "description",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    lang = language(request, user)
    query = CatalogueQuery(
        q,
        agreement or None,
        lot if agreement else None,
        cpv or None,
        supplier or None,
        _price(price_min, "price_min"),
        _price(price_max, "price_max"),
        _today(),
        lang,
        sort,
        PAGE,
        (page - 1) * PAGE,
    )
    result = search.search_catalogue(ctx.uow(user.username), query)
    chosen = {
        "q": q,
        "agreement": agreement or "",
        "lot": lot or "",
        "cpv": cpv or "",
        "supplier": supplier or "",
        "price_min": price_min or "",
        "price_max": price_max or "",
        "sort": sort,
    }

    def link(**changed: object) -> str:
        params = {k: v for k, v in {**chosen, **changed}.items() if v not in ("", None)}
        return "/purchasing?" + urlencode(params)

    pages = max(1, -(-result.total // PAGE))
    return _page(
        request,
        "purchasing/catalogue.html",
        user,
        r=result,
        chosen=chosen,
        link=link,
        page=page,
        pages=pages,
        max_page=MAX_PAGE,
    )


@router.get("/purchasing/agreements", response_class=HTMLResponse)
def agreement_list(
    request: Request, user: Annotated[User, page_permit(agreements.agreements_overview)], ctx: Ctx
) -> HTMLResponse:
    found = agreements.agreements_overview(ctx.uow(user.username))
    return _page(request, "purchasing/agreements.html", user, agreements=found)


@router.get("/purchasing/agreements/{reference}", response_class=HTMLResponse)
def agreement_page(
    request: Request,
    user: Annotated[User, page_permit(agreements.agreement_detail)],
    ctx: Ctx,
    reference: Annotated[str, REFERENCE],
) -> HTMLResponse:
    view = agreements.agreement_detail(ctx.uow(user.username), reference)
    joined = accessions.accessions(ctx.uow(user.username), reference)
    return _page(request, "purchasing/agreement.html", user, v=view, joined=joined)


@router.get("/purchasing/accessions", response_class=HTMLResponse)
def accession_list(
    request: Request, user: Annotated[User, page_permit(accessions.accessions)], ctx: Ctx
) -> HTMLResponse:
    found = accessions.accessions(ctx.uow(user.username))
    return _page(request, "purchasing/accessions.html", user, joined=found)


# -- a member's accessions and orders -------------------------------------------------------------


@router.get("/members/{enterprise_number}/purchasing", response_class=HTMLResponse)
def member_purchasing(
    request: Request,
    user: Annotated[User, page_permit(orders.member_orders)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
) -> HTMLResponse:
    found = orders.member_orders(ctx.uow(user.username), enterprise_number)
    joined = accessions.accessions(ctx.uow(user.username), member=enterprise_number)
    everything = agreements.agreements_overview(ctx.uow(user.username))
    return _page(
        request,
        "purchasing/member.html",
        user,
        member=enterprise_number,
        orders=found,
        joined=joined,
        agreements=everything,
        today=_today(),
    )


@router.get("/members/{enterprise_number}/purchasing/orders/{order}", response_class=HTMLResponse)
def order_page(
    request: Request,
    user: Annotated[User, page_permit(orders.order_detail)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    order: Annotated[str, ORDER],
) -> HTMLResponse:
    view = orders.order_detail(ctx.uow(user.username), enterprise_number, order)
    return _page(request, "purchasing/order.html", user, member=enterprise_number, v=view)


@router.post("/members/{enterprise_number}/purchasing/accessions")
async def join(
    request: Request,
    user: Annotated[User, page_permit(accessions.join_agreement_content)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    agreement: Annotated[str, Form(min_length=1, max_length=60)],
    decided_on: Annotated[date, Form()],
    decision_reference: Annotated[str, Form(min_length=1, max_length=100)],
    document: UploadFile | None = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    content = await _upload(document, "accession", required=False)
    accessions.join_agreement_content(
        ctx.uow(user.username), enterprise_number, agreement, decided_on, decision_reference, content
    )
    return see_other(f"/members/{enterprise_number}/purchasing")


def _lines(text: str) -> list[tuple[str, Decimal]]:
    """``CODE QUANTITY`` per line (a comma or a point for the decimals)."""
    found: list[tuple[str, Decimal]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise InvalidOperation
            quantity = Decimal(parts[1].replace(",", "."))
            if not quantity.is_finite() or quantity <= 0:
                raise InvalidOperation
            found.append((parts[0], quantity))
        except InvalidOperation:
            problems.append(Problem("order", number, "lines", f"not 'code quantity': {raw.strip()[:80]}"))
    if problems or not found:
        raise Rejected(problems or [Problem("order", None, "lines", "no line")], "order")
    return found


@router.post("/members/{enterprise_number}/purchasing/orders")
def draft(
    request: Request,
    user: Annotated[User, page_permit(orders.draft_order)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    agreement: Annotated[str, Form(min_length=1, max_length=60)],
    lot: Annotated[int, Form(ge=1, le=999)],
    supplier: Annotated[str, Form(min_length=1, max_length=40)],
    lines: Annotated[str, Form(min_length=1, max_length=20_000)],
    engagement: Annotated[str, Form(max_length=60)] = "",
    channel: Annotated[str, Form(pattern="^(direct|association)$")] = "direct",
    buyer_reference: Annotated[str, Form(max_length=100)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    view = orders.draft_order(
        ctx.uow(user.username),
        enterprise_number,
        agreement,
        lot,
        supplier,
        _lines(lines),
        engagement=engagement or None,
        channel=Channel(channel),
        buyer_reference=buyer_reference,
    )
    return see_other(f"/members/{enterprise_number}/purchasing/orders/{view.order.number}")


@router.post("/members/{enterprise_number}/purchasing/orders/{order}/{step}")
def order_step(
    request: Request,
    user: Annotated[User, page_permit(orders.approve_order)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    order: Annotated[str, ORDER],
    step: Annotated[str, Path(pattern="^(approve|place|cancel)$")],
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    uow = ctx.uow(user.username)
    if step == "approve":
        orders.approve_order(uow, enterprise_number, order)
    elif step == "place":
        orders.place_order(uow, enterprise_number, order)
    else:
        orders.cancel_order(uow, enterprise_number, order, reason)
    return see_other(f"/members/{enterprise_number}/purchasing/orders/{order}")


# -- the purchasing team -------------------------------------------------------------------------


@router.post("/purchasing/agreements")
async def load_agreement(
    request: Request,
    user: Annotated[User, page_permit(agreements.load_agreement_text)],
    ctx: Ctx,
    agreement_file: UploadFile,
    attachments: list[UploadFile] | None = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    main = await _upload(agreement_file, "agreement", required=True)
    assert main is not None
    files: dict[str, bytes] = {}
    for upload in attachments or []:
        found = await _upload(upload, "agreement", required=False)
        if found is not None:
            files[found.name] = found.data
    try:
        text = main.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected([Problem(main.name, None, None, "not UTF-8 text")], "agreement") from None
    view = agreements.load_agreement_text(ctx.uow(user.username), text, main.name, files.get)
    return see_other(f"/purchasing/agreements/{view.agreement.reference}")


@router.post("/purchasing/agreements/{reference}/price-lists")
async def price_list(
    request: Request,
    user: Annotated[User, page_permit(catalogue.import_price_list_bytes)],
    ctx: Ctx,
    reference: Annotated[str, REFERENCE],
    lot: Annotated[int, Form(ge=1, le=999)],
    supplier: Annotated[str, Form(min_length=1, max_length=40)],
    valid_from: Annotated[date, Form()],
    price_list: UploadFile,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    found = await _upload(price_list, "price list", required=True)
    assert found is not None
    catalogue.import_price_list_bytes(
        ctx.uow(user.username), reference, lot, supplier, found.data, found.name, valid_from
    )
    return see_other(f"/purchasing/agreements/{reference}")


@router.get("/purchasing/statements", response_class=HTMLResponse)
def statement_list(
    request: Request,
    user: Annotated[User, page_permit(commissions.commission_statements)],
    ctx: Ctx,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    found = commissions.commission_statements(ctx.uow(user.username))
    last = Quarter.of(_today())
    previous = Quarter(last.year - 1, 4) if last.quarter == 1 else Quarter(last.year, last.quarter - 1)
    funded = funding.purchasing_funding(ctx.uow(user.username), year or _today().year)
    return _page(request, "purchasing/statements.html", user, statements=found, quarter=str(previous), funding=funded)


@router.post("/purchasing/statements")
def compute(
    request: Request,
    user: Annotated[User, page_permit(commissions.compute_commissions)],
    ctx: Ctx,
    quarter: Annotated[str, Form(pattern=r"^\d{4}-[Qq][1-4]$")],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    commissions.compute_commissions(ctx.uow(user.username), Quarter.parse(quarter))
    return see_other("/purchasing/statements")


@router.get("/purchasing/statements/{statement}/{fmt}")
def statement_file(
    user: Annotated[User, page_permit(documents.statement_pdf)],
    ctx: Ctx,
    statement: Annotated[str, STATEMENT],
    fmt: Annotated[str, Path(pattern="^(ubl|pdf)$")],
) -> Response:
    uow = ctx.uow(user.username)
    if fmt == "ubl":
        return Response(
            documents.statement_ubl(uow, statement),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="{statement}.xml"'},
        )
    return Response(
        documents.statement_pdf(uow, statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement}.pdf"'},
    )
