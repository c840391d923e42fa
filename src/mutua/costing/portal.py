"""The costing context's portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mutua.costing import service
from mutua.kernel.access import User
from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import Ctx, YearQuery, page_permit, render

router = APIRouter(include_in_schema=False)


@router.get("/tariffs", response_class=HTMLResponse)
def tariffs(
    request: Request, user: Annotated[User, page_permit(service.tariffs)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    year = year or latest_year(ctx)
    return render(request, "costing/tariffs.html", user, rows=service.tariffs(ctx.uow(user.username), year), year=year)
