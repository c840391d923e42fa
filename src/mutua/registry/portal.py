"""The registry context's portal pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mutua.kernel.access import Action, require
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web.pages import (
    Ctx,
    Who,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/members", response_class=HTMLResponse)
def members(request: Request, user: Who, ctx: Ctx) -> HTMLResponse:
    require(user, Action.READ_ASSOCIATION)
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).members()
    return render(request, "members.html", user, members=found)
