"""The REST API, version 1: /api/v1. Amounts are strings; errors are problem details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from mutua.billing.ports import FORMATS
from mutua.charging import db as charging_db
from mutua.charging.reporting import statement_csv
from mutua.kernel.access import Action, Role, User, member_scope, require, require_member
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound, Problem, Rejected
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web import schemas
from mutua.platform.web.app import Context, context
from mutua.platform.web.auth import check_csrf, current_user

MEMBER = Path(pattern=r"^\d{10}$", description="The member's enterprise number (10 digits).")
PERIOD = Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month, YYYY-MM.")
YEAR = Path(ge=1900, le=9999)
YearQuery = Annotated[int | None, Query(ge=1900, le=9999, description="The year (default: the latest with a close).")]

PROBLEM: dict[str, Any] = {"model": schemas.ProblemDetail, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in", **PROBLEM},
    403: {"description": "Not allowed (or another member's data)", **PROBLEM},
    404: {"description": "Not found", **PROBLEM},
    409: {"description": "Conflicts with the state (a period already closed, ...)", **PROBLEM},
    422: {"description": "Invalid request", **PROBLEM},
    429: {"description": "Too many failed logins", **PROBLEM},
}


def api_user(request: Request, ctx: Annotated[Context, Depends(context)]) -> User:
    """The authenticated user; a session-authenticated write must carry X-CSRF-Token."""
    user, by_session = current_user(request, ctx.engine, ctx.tokens)
    if by_session and request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


Ctx = Annotated[Context, Depends(context)]
Auth = Annotated[User, Depends(api_user)]

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def latest_year(ctx: Context) -> int:
    """The year of the latest closed month (or of the latest commitment/engagement: this year)."""
    with UnitOfWork(ctx.engine) as uow:
        key = uow.connection.execute(select(func.max(charging_db.periods.c.period_key))).scalar_one()
    if key is not None:
        return int(key) // 100
    from datetime import UTC, datetime

    return datetime.now(UTC).year


def _engagement_member(ctx: Context, code: str) -> str:
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).registry.engagement_ids().get(code)
    if found is None:
        raise NotFound(f"no engagement {code!r}")
    return found[1]


# -- authentication -----------------------------------------------------------------------------


@router.post(
    "/token", tags=["auth"], summary="A bearer token for a username and password", response_model=schemas.Token
)
def token(
    request: Request, ctx: Ctx, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> dict[str, Any]:
    from mutua.access.service import authenticate
    from mutua.kernel.access import Unauthenticated

    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")
    ctx.throttle.check(*keys)
    user = authenticate(ctx.engine, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        raise Unauthenticated("wrong username or password")
    ctx.throttle.succeeded(f"user:{username.lower()}")
    return {"access_token": ctx.tokens.issue(user.username), "token_type": "bearer", "expires_in": 8 * 3600}


@router.get("/me", tags=["auth"], summary="Who I am and what I may do", response_model=schemas.Me)
def me(user: Auth) -> dict[str, Any]:
    from mutua.kernel.access import may

    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "member": user.member,
        "may": [a.value for a in Action if may(user, a)],
    }


# -- members and engagements --------------------------------------------------------------------


def _member_dict(m: Any) -> dict[str, Any]:
    return {
        "enterprise_number": m.enterprise_number,
        "name": m.name,
        "category": m.category.value,
        "client_group": m.client_group.value,
        "language": m.language.value,
        "joined_on": m.joined_on.isoformat(),
        "left_on": None if m.left_on is None else m.left_on.isoformat(),
        "vote_weight": str(m.vote_weight),
    }


def _engagement_dict(e: Any) -> dict[str, Any]:
    return {
        "code": e.code,
        "member": e.member,
        "kind": e.kind.value,
        "title": e.title,
        "service": e.service,
        "budget": str(e.budget),
        "starts_on": e.starts_on.isoformat(),
        "ends_on": None if e.ends_on is None else e.ends_on.isoformat(),
        "buyer_reference": e.buyer_reference,
        "weight": str(e.weight),
    }


@router.get("/members", tags=["members"], summary="The members I may see", response_model=list[schemas.MemberOut])
def members(user: Auth, ctx: Ctx) -> list[dict[str, Any]]:
    scope = member_scope(user)
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).members()
    return [_member_dict(m) for m in found if scope is None or m.enterprise_number == scope]


@router.get("/members/{enterprise_number}", tags=["members"], summary="One member", response_model=schemas.MemberOut)
def member(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> dict[str, Any]:
    require_member(user, enterprise_number)
    with UnitOfWork(ctx.engine) as uow:
        m = Store(uow.connection).member(enterprise_number)
    if m is None:
        raise NotFound(f"no member with enterprise number {enterprise_number}")
    return _member_dict(m)


@router.get(
    "/members/{enterprise_number}/engagements",
    tags=["engagements"],
    summary="A member's engagements",
    response_model=list[schemas.EngagementOut],
)
def member_engagements(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> list[dict[str, Any]]:
    require_member(user, enterprise_number)
    with UnitOfWork(ctx.engine) as uow:
        store = Store(uow.connection)
        if store.member(enterprise_number) is None:
            raise NotFound(f"no member with enterprise number {enterprise_number}")
        return [_engagement_dict(e) for e in store.engagements(enterprise_number)]


@router.get(
    "/members/{enterprise_number}/dashboard",
    tags=["members"],
    summary="Spend by service and month, year to date against budget, projection to year end with its range",
)
def member_dashboard(
    user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> dict[str, Any]:
    from mutua.charging.views import member_dashboard as dashboard

    require_member(user, enterprise_number)
    return dashboard(ctx.engine, enterprise_number, year or latest_year(ctx))


@router.get(
    "/members/{enterprise_number}/usage",
    tags=["usage"],
    summary="A member's usage per engagement and month",
    response_model=list[schemas.UsageOut],
)
def member_usage(
    user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> list[dict[str, str]]:
    from mutua.charging.views import member_usage as usage

    require_member(user, enterprise_number)
    return usage(ctx.engine, enterprise_number, year or latest_year(ctx))


@router.get(
    "/members/{enterprise_number}/statements/{period}",
    tags=["statements"],
    summary="A member's statement for a month (JSON; ?format=csv for CSV, ?format=pdf for the PDF)",
)
def statement(
    user: Auth,
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    from mutua.charging.reporting import member_statement

    require_member(user, enterprise_number)
    data = member_statement(ctx.engine, enterprise_number, Period.parse(period))
    if format == "json":
        return data
    return Response(
        statement_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{enterprise_number}-{period}.csv"'},
    )


def statement_pdf_response(ctx: Context, member: str, period: str) -> Response:
    content = ctx.invoices.statement_pdf(member, str(Period.parse(period)))
    if content is None:
        raise NotFound(f"no PDF statement of {member} for {period}")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="statement-{member}-{period}.pdf"'},
    )


@router.get("/engagements/{code}", tags=["engagements"], summary="One engagement: charges, usage, projection")
def engagement(
    user: Auth, ctx: Ctx, code: Annotated[str, Path(max_length=40)], year: YearQuery = None
) -> dict[str, Any]:
    from mutua.charging.views import engagement_detail

    require_member(user, _engagement_member(ctx, code))
    return engagement_detail(ctx.engine, code, year or latest_year(ctx))


# -- invoices -----------------------------------------------------------------------------------


@router.get(
    "/members/{enterprise_number}/invoices",
    tags=["invoices"],
    summary="A member's invoices and credit notes",
    response_model=list[schemas.InvoiceOut],
)
def member_invoices(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> list[dict[str, object]]:
    require_member(user, enterprise_number)
    return [d.as_dict() for d in ctx.invoices.for_member(enterprise_number)]


def find_invoice(user: User, ctx: Context, number: str) -> Any:
    doc = ctx.invoices.find(number)
    if doc is None:
        raise NotFound(f"no invoice {number!r}")
    require_member(user, doc.member)
    return doc


@router.get("/invoices/{number}", tags=["invoices"], summary="One invoice", response_model=schemas.InvoiceOut)
def invoice(user: Auth, ctx: Ctx, number: Annotated[str, Path(max_length=60)]) -> dict[str, object]:
    return dict(find_invoice(user, ctx, number).as_dict())


def invoice_file(ctx: Context, user: User, number: str, fmt: str) -> Response:
    doc = find_invoice(user, ctx, number)
    content = ctx.invoices.content(number, fmt) if fmt in doc.formats else None
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


# -- catalogue ----------------------------------------------------------------------------------


@router.get("/services", tags=["services"], summary="The service catalogue", response_model=list[schemas.ServiceOut])
def services(user: Auth, ctx: Ctx) -> list[dict[str, str]]:
    from mutua.charging.views import services as catalogue

    return catalogue(ctx.engine)


@router.get(
    "/tariffs", tags=["services"], summary="The tariffs per service and year", response_model=list[schemas.TariffOut]
)
def tariffs(user: Auth, ctx: Ctx, year: YearQuery = None) -> list[dict[str, Any]]:
    from mutua.charging.views import tariffs as all_tariffs

    return all_tariffs(ctx.engine, year)


# -- the close ----------------------------------------------------------------------------------


@router.get(
    "/years/{year}/close",
    tags=["close"],
    summary="Which months are closed; whether the true-up ran",
    response_model=schemas.CloseStatus,
)
def close_status(user: Auth, ctx: Ctx, year: Annotated[int, YEAR]) -> dict[str, Any]:
    from mutua.charging.service import close_status as status

    return status(ctx.engine, year)


@router.get("/periods/{period}/preview", tags=["close"], summary="Review: what closing the month would charge")
def preview(user: Auth, ctx: Ctx, period: Annotated[str, PERIOD]) -> dict[str, Any]:
    from mutua.charging.review import preview_close

    require(user, Action.CLOSE)
    return preview_close(ctx.engine, Period.parse(period))


@router.post("/periods/{period}/close", tags=["close"], summary="Lock: charge the month and lock it")
def close(user: Auth, ctx: Ctx, period: Annotated[str, PERIOD]) -> dict[str, Any]:
    from mutua.charging.service import close_period

    require(user, Action.CLOSE)
    return close_period(ctx.engine, Period.parse(period), user.username).as_dict()


@router.post("/years/{year}/true-up", tags=["close"], summary="The true-up of a year (settle or carry forward)")
def true_up(
    user: Auth,
    ctx: Ctx,
    year: Annotated[int, YEAR],
    mode: Annotated[str, Query(pattern="^(settle|carry_forward)$")] = "settle",
) -> dict[str, Any]:
    from mutua.charging.service import TrueUpMode
    from mutua.charging.service import true_up as run

    require(user, Action.CLOSE)
    return run(ctx.engine, year, TrueUpMode(mode), user.username).as_dict()


@router.get("/years/{year}/report", tags=["close"], summary="The association's report and the zero-result check")
def report(user: Auth, ctx: Ctx, year: Annotated[int, YEAR]) -> dict[str, Any]:
    from mutua.charging.reporting import association_report

    require(user, Action.READ_ASSOCIATION)
    return association_report(ctx.engine, year)


@router.get("/years/{year}/true-up", tags=["close"], summary="The true-up of a year per member")
def true_up_result(user: Auth, ctx: Ctx, year: Annotated[int, YEAR]) -> dict[str, Any]:
    from mutua.charging.views import true_up_by_member

    require(user, Action.READ_ASSOCIATION)
    return true_up_by_member(ctx.engine, year)


@router.get(
    "/years/{year}/allocation",
    tags=["close"],
    summary="The allocation ledger -> centres -> services -> client groups (Sankey data)",
)
def allocation(user: Auth, ctx: Ctx, year: Annotated[int, YEAR]) -> dict[str, Any]:
    from mutua.platform.web.portal import cached_allocation

    require(user, Action.READ_ASSOCIATION)
    return dict(cached_allocation(ctx, year)[0])


@router.get("/audit", tags=["audit"], summary="The newest entries of the audit trail")
def audit(user: Auth, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    require(user, Action.READ_AUDIT)
    with UnitOfWork(ctx.engine) as uow:
        rows = Store(uow.connection).audit_entries(limit)
    return [{**r, "at": r["at"].isoformat() + "Z"} for r in rows]


# -- users --------------------------------------------------------------------------------------


@router.get("/users", tags=["users"], summary="User accounts", response_model=list[schemas.UserOut])
def users(user: Auth, ctx: Ctx) -> list[dict[str, Any]]:
    from mutua.access.service import list_users

    require(user, Action.MANAGE_USERS)
    return [
        {"username": u.username, "role": u.role.value, "member": u.member, "display_name": u.display_name}
        for u in list_users(ctx.engine)
    ]


@router.post(
    "/users", tags=["users"], summary="Add a local user account", status_code=201, response_model=schemas.UserOut
)
def add_user(
    user: Auth,
    ctx: Ctx,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=8, max_length=200)],
    role: Annotated[Role, Form()],
    member: Annotated[str | None, Form(pattern=r"^\d{10}$")] = None,
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, Any]:
    from mutua.access.service import add_user as add
    from mutua.kernel.access import AccessError, check_user

    require(user, Action.MANAGE_USERS)
    try:
        check_user(role, member or None)
    except AccessError as exc:
        raise Rejected([Problem("request", None, "member", str(exc))], "user") from None
    created = add(
        ctx.engine,
        username,
        role,
        password=password,
        member=member or None,
        display_name=display_name,
        actor=user.username,
    )
    return {"username": created.username, "role": created.role.value, "member": created.member}
