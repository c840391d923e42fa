"""The registry context's portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mutua.kernel.access import User
from mutua.platform.web.pages import Ctx, page_permit, render
from mutua.registry import service

router = APIRouter(include_in_schema=False)


@router.get("/members", response_class=HTMLResponse)
def members(
    request: Request, user: Annotated[User, page_permit(service.association_members)], ctx: Ctx
) -> HTMLResponse:
    found = service.association_members(ctx.uow(user.username))
    return render(request, "registry/members.html", user, members=found)
