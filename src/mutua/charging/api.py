"""The charging context's REST API routes (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from mutua.charging.reporting import statement_csv
from mutua.kernel.access import Action, require, require_member
from mutua.kernel.periods import Period
from mutua.platform.web import schemas
from mutua.platform.web.deps import (
    ERRORS,
    MEMBER,
    PERIOD,
    YEAR,
    Auth,
    Ctx,
    YearQuery,
    engagement_member,
    latest_year,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


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


@router.get("/engagements/{code}", tags=["engagements"], summary="One engagement: charges, usage, projection")
def engagement(
    user: Auth, ctx: Ctx, code: Annotated[str, Path(max_length=40)], year: YearQuery = None
) -> dict[str, Any]:
    from mutua.charging.views import engagement_detail

    require_member(user, engagement_member(ctx, code))
    return engagement_detail(ctx.engine, code, year or latest_year(ctx))


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
    from mutua.charging.portal import cached_allocation

    require(user, Action.READ_ASSOCIATION)
    return dict(cached_allocation(ctx, year)[0])
