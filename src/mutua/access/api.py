"""The access context's REST API routes (/api/v1): tokens, who I am, user accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from mutua.access import service
from mutua.access.domain import MAX_PASSWORD, MAX_USERNAME, normal_username
from mutua.access.schemas import Me, Token, UserOut, UserPage
from mutua.kernel.access import AccessError, Role, Unauthenticated, User, check_user
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.web.auth import TOKEN_SECONDS, client_address, end_session
from mutua.platform.web.deps import ERRORS, Ctx, permit
from mutua.platform.web.paging import DEFAULT_LIMIT, Cursor, Limit, page_of

router = APIRouter(prefix="/api/v1", responses=ERRORS)


@router.post("/token", tags=["auth"], summary="A bearer token for a username and password", response_model=Token)
def token(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=MAX_USERNAME)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
) -> Token:
    name, address = normal_username(username), client_address(request, ctx.trusted_proxies)
    ctx.throttle.attempt(name, address)  # before the password check, under the throttle's lock
    found = service.sign_in(ctx.uow(), name, password)
    if found is None:
        raise Unauthenticated("wrong username or password")
    ctx.throttle.succeeded(name, address)
    user, version = found
    return Token(access_token=ctx.tokens.issue(user.username, version), expires_in=TOKEN_SECONDS)


@router.post("/logout", tags=["auth"], summary="End every session and token of the user", status_code=204)
def logout(request: Request, user: Annotated[User, permit(service.end_sessions)], ctx: Ctx) -> Response:
    service.end_sessions(ctx.uow(user.username), user.username)
    end_session(request)
    return Response(status_code=204)


@router.post(
    "/me/password",
    tags=["auth"],
    summary="Change my password (every other session and token of mine ends); a new token",
    response_model=Token,
)
def change_password(
    user: Annotated[User, permit(service.change_own_password)],
    ctx: Ctx,
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
) -> Token:
    version = service.change_own_password(ctx.uow(user.username), user, current_password, new_password)
    return Token(access_token=ctx.tokens.issue(user.username, version), expires_in=TOKEN_SECONDS)


@router.get("/me", tags=["auth"], summary="Who I am and what I may do", response_model=Me)
def me(user: Annotated[User, permit(service.me)]) -> Me:
    return Me.of(service.me(user))


@router.get("/users", tags=["users"], summary="User accounts (paged)", response_model=UserPage)
def users(
    user: Annotated[User, permit(service.list_accounts)], ctx: Ctx, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> UserPage:
    accounts = service.list_accounts(ctx.uow(user.username))
    items, next_cursor = page_of(accounts, limit, cursor, lambda a: UserOut.of(a.user, a.active))
    return UserPage(items=items, next_cursor=next_cursor)


@router.post(
    "/users/{username}/password",
    tags=["users"],
    summary="Reset a user's password (its sessions and tokens end)",
    status_code=204,
)
def reset_password(
    username: str,
    user: Annotated[User, permit(service.set_password)],
    ctx: Ctx,
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
) -> Response:
    service.set_password(ctx.uow(user.username), username, password)
    return Response(status_code=204)


@router.post(
    "/users/{username}/role",
    tags=["users"],
    summary="Change a user's role (its sessions and tokens end)",
    status_code=204,
)
def change_role(
    username: str,
    user: Annotated[User, permit(service.change_role)],
    ctx: Ctx,
    role: Annotated[Role, Form()],
    member: Annotated[str | None, Form(pattern=r"^\d{10}$")] = None,
) -> Response:
    service.change_role(ctx.uow(user.username), username, role, member or None)
    return Response(status_code=204)


@router.post(
    "/users/{username}/active",
    tags=["users"],
    summary="Enable or disable a user (disabling ends its sessions and tokens)",
    status_code=204,
)
def set_active(
    username: str,
    user: Annotated[User, permit(service.set_active)],
    ctx: Ctx,
    active: Annotated[bool, Form()],
) -> Response:
    service.set_active(ctx.uow(user.username), username, active)
    return Response(status_code=204)


@router.post("/users", tags=["users"], summary="Add a local user account", status_code=201, response_model=UserOut)
def add_user(
    user: Annotated[User, permit(service.add_user)],
    ctx: Ctx,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
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
    return UserOut.of(created)
