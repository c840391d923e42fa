"""What every context's API routes share: path and query types, documented errors, the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from sqlalchemy import func, select

from mutua.charging import db as charging_db
from mutua.kernel.access import User, permission_of
from mutua.kernel.problems import NotFound
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web import schemas
from mutua.platform.web.auth import check_csrf, current_user
from mutua.platform.web.context import Context, context

MEMBER = Path(pattern=r"^\d{10}$", description="The member's enterprise number (10 digits).")


PERIOD = Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month, YYYY-MM.")


YEAR = Path(ge=1900, le=9999)


YearQuery = Annotated[int | None, Query(ge=1900, le=9999, description="The year (default: the latest with a close).")]


PROBLEM: dict[str, Any] = {"model": schemas.ProblemDetail, "content": {"application/problem+json": {}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in", **PROBLEM},
    403: {"description": "Not allowed (or another member's data)", **PROBLEM},
    404: {"description": "Not found", **PROBLEM},
    409: {"description": "Conflicts with the state (a period already closed, ...)", **PROBLEM},
    422: {"description": "Invalid request", **PROBLEM},
    429: {"description": "Too many failed logins", **PROBLEM},
}


def api_user(request: Request, ctx: Annotated[Context, Depends(context)]) -> User:
    """The authenticated user; a session-authenticated write must carry X-CSRF-Token."""
    user, by_session = current_user(request, ctx.engine, ctx.tokens)
    if by_session and request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


Ctx = Annotated[Context, Depends(context)]


Auth = Annotated[User, Depends(api_user)]


def latest_year(ctx: Context) -> int:
    """The year of the latest closed month (or of the latest commitment/engagement: this year)."""
    with UnitOfWork(ctx.engine) as uow:
        key = uow.connection.execute(select(func.max(charging_db.periods.c.period_key))).scalar_one()
    if key is not None:
        return int(key) // 100
    from datetime import UTC, datetime

    return datetime.now(UTC).year


def engagement_member(ctx: Context, code: str) -> str:
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).registry.engagement_ids().get(code)
    if found is None:
        raise NotFound(f"no engagement {code!r}")
    return found[1]


def permit(use_case: Callable[..., Any]) -> Any:
    """The API user, allowed to run ``use_case`` (its declared :class:`Permission`; a member-scoped
    use case is checked against the path's ``enterprise_number`` when the path has one)."""
    permission = permission_of(use_case)

    def allowed(request: Request, user: Auth) -> User:
        permission.check(user, request.path_params.get("enterprise_number"))
        return user

    allowed.permission = permission  # type: ignore[attr-defined]  # read by the isolation walk
    return Depends(allowed)
