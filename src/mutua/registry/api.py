"""The registry context's REST API routes (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from mutua.kernel.access import member_scope, require_member
from mutua.kernel.problems import NotFound
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web import schemas
from mutua.platform.web.deps import (
    ERRORS,
    MEMBER,
    Auth,
    Ctx,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def _member_dict(m: Any) -> dict[str, Any]:
    return {
        "enterprise_number": m.enterprise_number,
        "name": m.name,
        "category": m.category.value,
        "client_group": m.client_group.value,
        "language": m.language.value,
        "joined_on": m.joined_on.isoformat(),
        "left_on": None if m.left_on is None else m.left_on.isoformat(),
        "vote_weight": str(m.vote_weight),
    }


def _engagement_dict(e: Any) -> dict[str, Any]:
    return {
        "code": e.code,
        "member": e.member,
        "kind": e.kind.value,
        "title": e.title,
        "service": e.service,
        "budget": str(e.budget),
        "starts_on": e.starts_on.isoformat(),
        "ends_on": None if e.ends_on is None else e.ends_on.isoformat(),
        "buyer_reference": e.buyer_reference,
        "weight": str(e.weight),
    }


@router.get("/members", tags=["members"], summary="The members I may see", response_model=list[schemas.MemberOut])
def members(user: Auth, ctx: Ctx) -> list[dict[str, Any]]:
    scope = member_scope(user)
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).members()
    return [_member_dict(m) for m in found if scope is None or m.enterprise_number == scope]


@router.get("/members/{enterprise_number}", tags=["members"], summary="One member", response_model=schemas.MemberOut)
def member(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> dict[str, Any]:
    require_member(user, enterprise_number)
    with UnitOfWork(ctx.engine) as uow:
        m = Store(uow.connection).member(enterprise_number)
    if m is None:
        raise NotFound(f"no member with enterprise number {enterprise_number}")
    return _member_dict(m)


@router.get(
    "/members/{enterprise_number}/engagements",
    tags=["engagements"],
    summary="A member's engagements",
    response_model=list[schemas.EngagementOut],
)
def member_engagements(user: Auth, ctx: Ctx, enterprise_number: Annotated[str, MEMBER]) -> list[dict[str, Any]]:
    require_member(user, enterprise_number)
    with UnitOfWork(ctx.engine) as uow:
        store = Store(uow.connection)
        if store.member(enterprise_number) is None:
            raise NotFound(f"no member with enterprise number {enterprise_number}")
        return [_engagement_dict(e) for e in store.engagements(enterprise_number)]
