"""The access context's REST API routes (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from mutua.kernel.access import Action, Role, require
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.web import schemas
from mutua.platform.web.deps import (
    ERRORS,
    Auth,
    Ctx,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.post(
    "/token", tags=["auth"], summary="A bearer token for a username and password", response_model=schemas.Token
)
def token(
    request: Request, ctx: Ctx, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> dict[str, Any]:
    from mutua.access.service import authenticate
    from mutua.kernel.access import Unauthenticated

    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")
    ctx.throttle.check(*keys)
    user = authenticate(ctx.engine, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        raise Unauthenticated("wrong username or password")
    ctx.throttle.succeeded(f"user:{username.lower()}")
    return {"access_token": ctx.tokens.issue(user.username), "token_type": "bearer", "expires_in": 8 * 3600}


@router.get("/me", tags=["auth"], summary="Who I am and what I may do", response_model=schemas.Me)
def me(user: Auth) -> dict[str, Any]:
    from mutua.kernel.access import may

    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "member": user.member,
        "may": [a.value for a in Action if may(user, a)],
    }


@router.get("/users", tags=["users"], summary="User accounts", response_model=list[schemas.UserOut])
def users(user: Auth, ctx: Ctx) -> list[dict[str, Any]]:
    from mutua.access.service import list_users

    require(user, Action.MANAGE_USERS)
    return [
        {"username": u.username, "role": u.role.value, "member": u.member, "display_name": u.display_name}
        for u in list_users(ctx.engine)
    ]


@router.post(
    "/users", tags=["users"], summary="Add a local user account", status_code=201, response_model=schemas.UserOut
)
def add_user(
    user: Auth,
    ctx: Ctx,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=8, max_length=200)],
    role: Annotated[Role, Form()],
    member: Annotated[str | None, Form(pattern=r"^\d{10}$")] = None,
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, Any]:
    from mutua.access.service import add_user as add
    from mutua.kernel.access import AccessError, check_user

    require(user, Action.MANAGE_USERS)
    try:
        check_user(role, member or None)
    except AccessError as exc:
        raise Rejected([Problem("request", None, "member", str(exc))], "user") from None
    created = add(
        ctx.engine,
        username,
        role,
        password=password,
        member=member or None,
        display_name=display_name,
        actor=user.username,
    )
    return {"username": created.username, "role": created.role.value, "member": created.member}
