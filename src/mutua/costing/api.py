"""The costing context's REST API routes (/api/v1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mutua.platform.web import schemas
from mutua.platform.web.deps import (
    ERRORS,
    Auth,
    Ctx,
    YearQuery,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


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
