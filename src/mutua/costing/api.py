"""The costing context's REST API routes (/api/v1): the service catalogue and the tariffs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from mutua.costing import service
from mutua.costing.schemas import ServiceOut, TariffOut
from mutua.kernel.access import User
from mutua.platform.web.deps import ERRORS, Ctx, YearQuery, permit

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/services", tags=["services"], summary="The service catalogue", response_model=list[ServiceOut])
def services(user: Annotated[User, permit(service.services)], ctx: Ctx) -> list[ServiceOut]:
    return [ServiceOut.of(s) for s in service.services(ctx.uow(user.username))]


@router.get("/tariffs", tags=["services"], summary="The tariffs per service and year", response_model=list[TariffOut])
def tariffs(user: Annotated[User, permit(service.tariffs)], ctx: Ctx, year: YearQuery = None) -> list[TariffOut]:
    return [TariffOut.of(t) for t in service.tariffs(ctx.uow(user.username), year)]
