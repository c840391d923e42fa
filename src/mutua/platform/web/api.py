"""The platform's own API routes: the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mutua.kernel.access import Action, require
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web.deps import (
    ERRORS,
    Auth,
    Ctx,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.get("/audit", tags=["audit"], summary="The newest entries of the audit trail")
def audit(user: Auth, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    require(user, Action.READ_AUDIT)
    with UnitOfWork(ctx.engine) as uow:
        rows = Store(uow.connection).audit_entries(limit)
    return [{**r, "at": r["at"].isoformat() + "Z"} for r in rows]
