"""The costing context's REST API routes (/api/v1): the service catalogue and the tariffs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from mutua.costing import service
from mutua.costing.schemas import ServiceOut, ServicePage, TariffOut, TariffPage
from mutua.kernel.access import User
from mutua.platform.web.deps import ERRORS, Ctx, YearQuery, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/services", tags=["services"], summary="The service catalogue (paged)", response_model=ServicePage)
def services(
    user: Annotated[User, permit(service.services)], ctx: Ctx, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> ServicePage:
    items, next_cursor = page_of(service.services(ctx.uow(user.username)), limit, cursor, ServiceOut.of)
    return ServicePage(items=items, next_cursor=next_cursor)


@router.get(
    "/tariffs", tags=["services"], summary="The tariffs per service and year (paged)", response_model=TariffPage
)
def tariffs(
    user: Annotated[User, permit(service.tariffs)],
    ctx: Ctx,
    year: YearQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> TariffPage:
    items, next_cursor = page_of(service.tariffs(ctx.uow(user.username), year), limit, cursor, TariffOut.of)
    return TariffPage(items=items, next_cursor=next_cursor)
