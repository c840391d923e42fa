"""The access context's REST API routes (/api/v1): tokens, who I am, user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from mutua.access import service
from mutua.access.schemas import Me, Token, UserOut
from mutua.kernel.access import AccessError, Role, Unauthenticated, User, check_user
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.web.auth import TOKEN_SECONDS
from mutua.platform.web.deps import ERRORS, Ctx, permit

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.post("/token", tags=["auth"], summary="A bearer token for a username and password", response_model=Token)
def token(request: Request, ctx: Ctx, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> Token:
    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")
    ctx.throttle.check(*keys)
    user = service.authenticate(ctx.uow(), username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        raise Unauthenticated("wrong username or password")
    ctx.throttle.succeeded(f"user:{username.lower()}")
    return Token(access_token=ctx.tokens.issue(user.username), expires_in=TOKEN_SECONDS)


@router.get("/me", tags=["auth"], summary="Who I am and what I may do", response_model=Me)
def me(user: Annotated[User, permit(service.me)]) -> Me:
    return Me.of(service.me(user))


@router.get("/users", tags=["users"], summary="User accounts", response_model=list[UserOut])
def users(user: Annotated[User, permit(service.list_users)], ctx: Ctx) -> list[UserOut]:
    return [UserOut.of(u) for u in service.list_users(ctx.uow(user.username))]


@router.post("/users", tags=["users"], summary="Add a local user account", status_code=201, response_model=UserOut)
def add_user(
    user: Annotated[User, permit(service.add_user)],
    ctx: Ctx,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=8, max_length=200)],
    role: Annotated[Role, Form()],
    member: Annotated[str | None, Form(pattern=r"^\d{10}$")] = None,
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> UserOut:
    try:
        check_user(role, member or None)
    except AccessError as exc:
        raise Rejected([Problem("request", None, "member", str(exc))], "user") from None
    created = service.add_user(
        ctx.uow(user.username), username, role, password=password, member=member or None, display_name=display_name
    )
    return UserOut(username=created.username, role=created.role.value, member=created.member)
