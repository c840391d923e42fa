"""The costing context's portal pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import (
    Ctx,
    Who,
    YearQuery,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/tariffs", response_class=HTMLResponse)
def tariffs(request: Request, user: Who, ctx: Ctx, year: YearQuery = None) -> HTMLResponse:
    from mutua.charging.views import tariffs as all_tariffs

    year = year or latest_year(ctx)
    return render(request, "tariffs.html", user, rows=all_tariffs(ctx.engine, year), year=year)
