"""The charging context's REST API routes (/api/v1): each checks its use case's permission
(:func:`mutua.platform.web.deps.permit`) and answers the read model's ``as_json`` through a
response model."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from mutua.charging import schemas
from mutua.charging.domain import TrueUpMode
from mutua.charging.service import association, dashboard, review
from mutua.charging.service import close as service
from mutua.charging.service import reporting as reports
from mutua.kernel.access import User, permission_of
from mutua.kernel.periods import Period
from mutua.platform.web.context import Context
from mutua.platform.web.deps import ERRORS, MEMBER, PERIOD, YEAR, Ctx, YearQuery, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def _year(ctx: Context, user: User, year: int | None) -> int:
    return year or association.latest_year(ctx.uow(user.username))


@router.get(
    "/members/{enterprise_number}/dashboard",
    tags=["members"],
    summary="Spend by service and month, year to date against budget, projection to year end with its range",
    response_model=schemas.DashboardOut,
)
def member_dashboard(
    user: Annotated[User, permit(dashboard.member_dashboard)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
) -> dict[str, Any]:
    uow = ctx.uow(user.username)
    return dashboard.member_dashboard(uow, enterprise_number, _year(ctx, user, year)).as_json()


@router.get(
    "/members/{enterprise_number}/usage",
    tags=["usage"],
    summary="A member's usage per engagement and month (paged)",
    response_model=schemas.UsagePage,
)
def member_usage(
    user: Annotated[User, permit(dashboard.member_usage)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> schemas.UsagePage:
    usage = dashboard.member_usage(ctx.uow(user.username), enterprise_number, _year(ctx, user, year)).as_json()
    items, next_cursor = page_of(usage, limit, cursor, schemas.UsageOut.model_validate)
    return schemas.UsagePage(items=items, next_cursor=next_cursor)


@router.get(
    "/members/{enterprise_number}/statements/{period}",
    tags=["statements"],
    summary="A member's statement for a month (JSON; ?format=csv for CSV; the PDF: .../statements/{period}/pdf)",
    response_model=schemas.StatementOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def statement(
    user: Annotated[User, permit(reports.member_statement)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    data = reports.member_statement(ctx.uow(user.username), enterprise_number, Period.parse(period))
    if format == "json":
        return data.as_json()
    return Response(
        reports.statement_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{enterprise_number}-{period}.csv"'},
    )


@router.get(
    "/engagements/{code}",
    tags=["engagements"],
    summary="One engagement: charges, usage, projection",
    response_model=schemas.EngagementDetailOut,
)
def engagement(
    user: Annotated[User, permit(dashboard.engagement_detail)],
    ctx: Ctx,
    code: Annotated[str, Path(max_length=40)],
    year: YearQuery = None,
) -> dict[str, Any]:
    detail = dashboard.engagement_detail(ctx.uow(user.username), code, _year(ctx, user, year))
    permission_of(dashboard.engagement_detail).check(user, detail.member, f"no engagement {code!r}")  # as unknown
    return detail.as_json()


@router.get(
    "/years/{year}/close",
    tags=["close"],
    summary="Which months are closed; whether the true-up ran",
    response_model=schemas.CloseStatus,
)
def close_status(
    user: Annotated[User, permit(service.close_status)], ctx: Ctx, year: Annotated[int, YEAR]
) -> dict[str, Any]:
    return service.close_status(ctx.uow(user.username), year).as_json()


@router.get(
    "/periods/{period}/preview",
    tags=["close"],
    summary="Review: what closing the month would charge",
    response_model=schemas.CloseReviewOut,
)
def preview(
    user: Annotated[User, permit(review.preview_close)], ctx: Ctx, period: Annotated[str, PERIOD]
) -> dict[str, Any]:
    return review.preview_close(ctx.uow(user.username), Period.parse(period)).as_json()


@router.post(
    "/periods/{period}/close",
    tags=["close"],
    summary="Lock: charge the month and lock it",
    response_model=schemas.CloseResultOut,
)
def close(
    user: Annotated[User, permit(service.close_period)], ctx: Ctx, period: Annotated[str, PERIOD]
) -> dict[str, Any]:
    return service.close_period(ctx.uow(user.username), Period.parse(period)).as_json()


@router.post(
    "/years/{year}/true-up",
    tags=["close"],
    summary="The true-up of a year (settle or carry forward)",
    response_model=schemas.TrueUpOut,
)
def true_up(
    user: Annotated[User, permit(service.true_up)],
    ctx: Ctx,
    year: Annotated[int, YEAR],
    mode: Annotated[str, Query(pattern="^(settle|carry_forward)$")] = "settle",
) -> dict[str, Any]:
    return service.true_up(ctx.uow(user.username), year, TrueUpMode(mode)).as_json()


@router.get(
    "/years/{year}/report",
    tags=["close"],
    summary="The association's report and the zero-result check",
    response_model=schemas.ReportOut,
    response_model_exclude_unset=True,
)
def report(
    user: Annotated[User, permit(reports.association_report)], ctx: Ctx, year: Annotated[int, YEAR]
) -> dict[str, Any]:
    return reports.association_report(ctx.uow(user.username), year).as_json()


@router.get(
    "/years/{year}/true-up",
    tags=["close"],
    summary="The true-up of a year per member",
    response_model=schemas.TrueUpByMemberOut,
)
def true_up_result(
    user: Annotated[User, permit(association.true_up_by_member)], ctx: Ctx, year: Annotated[int, YEAR]
) -> dict[str, Any]:
    return association.true_up_by_member(ctx.uow(user.username), year).as_json()


@router.get(
    "/years/{year}/allocation",
    tags=["close"],
    summary="The allocation ledger -> centres -> services -> client groups (Sankey data)",
    response_model=schemas.AllocationOut,
    response_model_exclude_unset=True,
)
def allocation(
    user: Annotated[User, permit(association.allocation_flows)], ctx: Ctx, year: Annotated[int, YEAR]
) -> dict[str, Any]:
    return association.allocation_flows(ctx.uow(user.username), year).as_json()
