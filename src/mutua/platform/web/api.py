"""The platform's own API routes: the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel

from mutua.kernel.access import User
from mutua.platform.audit import audit_trail
from mutua.platform.web.deps import ERRORS, Ctx, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, Page, decode, encode

router = APIRouter(prefix="/api/v1", responses=ERRORS)


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_key: str
    detail: str


class AuditPage(Page[AuditEntryOut]):
    """A page of the audit trail, newest first."""


@router.get(
    "/audit",
    tags=["audit"],
    summary="The audit trail, newest first (paged: the next page goes on below the last entry read)",
    response_model=AuditPage,
)
def audit(
    user: Annotated[User, permit(audit_trail)], ctx: Ctx, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AuditPage:
    # one more than asked: whether a next page exists
    entries = audit_trail(ctx.uow(user.username), limit + 1, decode(cursor, "before"))
    items = [
        AuditEntryOut(
            id=e.id, at=_utc(e.at), actor=e.actor, action=e.action, entity=e.entity, entity_key=e.key, detail=e.detail
        )
        for e in entries[:limit]
    ]
    return AuditPage(items=items, next_cursor=encode(before=items[-1].id) if len(entries) > limit else None)


def _utc(at: datetime) -> str:
    return at.isoformat() + "Z"
