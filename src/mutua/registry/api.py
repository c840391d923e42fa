"""The registry context's REST API routes (/api/v1): members and their engagements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from mutua.kernel.access import User, member_scope
from mutua.platform.web.deps import ERRORS, MEMBER, Ctx, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of
from mutua.registry import service
from mutua.registry.schemas import EngagementOut, EngagementPage, MemberOut, MemberPage

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/members", tags=["members"], summary="The members I may see (paged)", response_model=MemberPage)
def members(
    user: Annotated[User, permit(service.members)], ctx: Ctx, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> MemberPage:
    found = service.members(ctx.uow(user.username), member_scope(user))
    items, next_cursor = page_of(found, limit, cursor, MemberOut.of)
    return MemberPage(items=items, next_cursor=next_cursor)


@router.get("/members/{enterprise_number}", tags=["members"], summary="One member", response_model=MemberOut)
def member(
    user: Annotated[User, permit(service.member)], ctx: Ctx, enterprise_number: Annotated[str, MEMBER]
) -> MemberOut:
    return MemberOut.of(service.member(ctx.uow(user.username), enterprise_number))


@router.get(
    "/members/{enterprise_number}/engagements",
    tags=["engagements"],
    summary="A member's engagements (paged)",
    response_model=EngagementPage,
)
def member_engagements(
    user: Annotated[User, permit(service.member_engagements)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> EngagementPage:
    found = service.member_engagements(ctx.uow(user.username), enterprise_number)
    items, next_cursor = page_of(found, limit, cursor, EngagementOut.of)
    return EngagementPage(items=items, next_cursor=next_cursor)
