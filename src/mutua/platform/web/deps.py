"""What every context's API routes share: path and query types, documented errors, the user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from mutua.kernel.access import User
from mutua.platform.web import schemas
from mutua.platform.web.auth import check_csrf, current_user, permitting
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


BEARER = HTTPBearer(
    scheme_name="bearerToken",
    description="A token from POST /api/v1/token (username and password), sent as `Authorization: Bearer ...`.",
    auto_error=False,
)
SESSION = APIKeyCookie(
    name="mutua_session",
    scheme_name="sessionCookie",
    description="The portal's session cookie (after logging in at /login); writes also need the X-CSRF-Token header.",
    auto_error=False,
)


def api_user(
    request: Request,
    ctx: Annotated[Context, Depends(context)],
    _token: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
    _session: Annotated[str | None, Depends(SESSION)] = None,
) -> User:
    """The authenticated user; a session-authenticated write must carry X-CSRF-Token. (The bearer
    token and the session cookie are declared as the OpenAPI security schemes of every route that
    takes a user, so that generated clients send the token; either one is read here.)"""
    user, by_session = current_user(request, ctx.accounts, ctx.tokens)
    if by_session and request.method not in ("GET", "HEAD", "OPTIONS"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


Ctx = Annotated[Context, Depends(context)]


Auth = Annotated[User, Depends(api_user)]


def latest_year(ctx: Context) -> int:
    """The year of the latest closed month (this year when none is closed), as the close's
    repository in the composition root's unit of work knows it."""
    with ctx.uow() as uow:
        latest = uow.charging.latest_closed_period()
    if latest is not None:
        return int(latest.year)
    return datetime.now(UTC).year


def permit(use_case: Callable[..., Any]) -> Any:
    """The API user, allowed to run ``use_case`` (see :func:`mutua.platform.web.auth.permitting`)."""
    return permitting(use_case, api_user)
