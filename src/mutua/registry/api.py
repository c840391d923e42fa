"""The registry context's REST API routes (/api/v1): members and their engagements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from mutua.kernel.access import User, member_scope
from mutua.platform.web.deps import ERRORS, MEMBER, Ctx, permit
from mutua.registry import service
from mutua.registry.schemas import EngagementOut, MemberOut

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/members", tags=["members"], summary="The members I may see", response_model=list[MemberOut])
def members(user: Annotated[User, permit(service.members)], ctx: Ctx) -> list[MemberOut]:
    return [MemberOut.of(m) for m in service.members(ctx.uow(user.username), member_scope(user))]


@router.get("/members/{enterprise_number}", tags=["members"], summary="One member", response_model=MemberOut)
def member(
    user: Annotated[User, permit(service.member)], ctx: Ctx, enterprise_number: Annotated[str, MEMBER]
) -> MemberOut:
    return MemberOut.of(service.member(ctx.uow(user.username), enterprise_number))


@router.get(
    "/members/{enterprise_number}/engagements",
    tags=["engagements"],
    summary="A member's engagements",
    response_model=list[EngagementOut],
)
def member_engagements(
    user: Annotated[User, permit(service.member_engagements)], ctx: Ctx, enterprise_number: Annotated[str, MEMBER]
) -> list[EngagementOut]:
    return [EngagementOut.of(e) for e in service.member_engagements(ctx.uow(user.username), enterprise_number)]
