"""The platform's own API routes: the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from mutua.kernel.access import User
from mutua.platform.audit import audit_trail
from mutua.platform.web.deps import ERRORS, Ctx, permit

router = APIRouter(prefix="/api/v1", responses=ERRORS)


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_key: str
    detail: str


@router.get(
    "/audit", tags=["audit"], summary="The newest entries of the audit trail", response_model=list[AuditEntryOut]
)
def audit(
    user: Annotated[User, permit(audit_trail)], ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AuditEntryOut]:
    entries = audit_trail(ctx.uow(user.username), limit)
    return [
        AuditEntryOut(
            id=e.id, at=_utc(e.at), actor=e.actor, action=e.action, entity=e.entity, entity_key=e.key, detail=e.detail
        )
        for e in entries
    ]


def _utc(at: datetime) -> str:
    return at.isoformat() + "Z"
