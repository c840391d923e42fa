"""The access context's portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from mutua.access import service
from mutua.access.domain import MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD, normal_username
from mutua.kernel.access import Role, Unauthenticated, User
from mutua.kernel.problems import Rejected
from mutua.platform.web.auth import check_csrf, client_address, current_user, end_session, login_session
from mutua.platform.web.context import context
from mutua.platform.web.oidc import provider_logout
from mutua.platform.web.pages import (
    Ctx,
    page_permit,
    render,
    safe_next,
    see_other,
)

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "access/login.html", None, next=safe_next(next), failed=False, oidc=context(request).oidc)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=MAX_USERNAME)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    name, address = normal_username(username), client_address(request, ctx.trusted_proxies)
    ctx.throttle.attempt(name, address)  # before the password check, under the throttle's lock
    found = service.sign_in(ctx.uow(), name, password)
    if found is None:
        return render(
            request, "access/login.html", None, http_status=401, next=safe_next(next), failed=True, oidc=ctx.oidc
        )
    ctx.throttle.succeeded(name, address)
    login_session(request, *found)
    return see_other(safe_next(next))


@router.post("/logout")
def logout(request: Request, ctx: Ctx, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session, and every other session and token of the user (a copied cookie too)."""
    check_csrf(request, csrf_token)
    try:
        user, _ = current_user(request, ctx.accounts, ctx.tokens)
    except Unauthenticated:
        user = None
    if user is not None:
        service.end_sessions(ctx.uow(user.username), user.username)
    provider = provider_logout(request)  # an OpenID Connect login ends at the provider too
    end_session(request)
    return see_other(provider or "/login")


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, user: Annotated[User, page_permit(service.change_own_password)]) -> HTMLResponse:
    return render(request, "access/password.html", user, minimum=MIN_PASSWORD, problems=(), changed=False)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    ctx: Ctx,
    user: Annotated[User, page_permit(service.change_own_password)],
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        version = service.change_own_password(ctx.uow(user.username), user, current_password, new_password)
    except Rejected as exc:
        return render(
            request,
            "access/password.html",
            user,
            http_status=422,
            minimum=MIN_PASSWORD,
            problems=exc.problems,
            changed=False,
        )
    login_session(request, user, version)  # this browser stays logged in; every other session ends
    return render(request, "access/password.html", user, minimum=MIN_PASSWORD, problems=(), changed=True)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, ctx: Ctx, user: Annotated[User, page_permit(service.list_accounts)]) -> HTMLResponse:
    accounts = service.list_accounts(ctx.uow(user.username))
    return render(request, "access/users.html", user, accounts=accounts, roles=list(Role), minimum=MIN_PASSWORD)


@router.post("/users/{username}/password")
def reset_password(
    request: Request,
    ctx: Ctx,
    username: str,
    user: Annotated[User, page_permit(service.set_password)],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    service.set_password(ctx.uow(user.username), username, password)
    return see_other("/users")


@router.post("/users/{username}/role")
def change_role(
    request: Request,
    ctx: Ctx,
    username: str,
    user: Annotated[User, page_permit(service.change_role)],
    role: Annotated[Role, Form()],
    member: Annotated[str, Form(pattern=r"^(\d{10})?$")] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    service.change_role(ctx.uow(user.username), username, role, member or None)
    return see_other("/users")


@router.post("/users/{username}/active")
def set_active(
    request: Request,
    ctx: Ctx,
    username: str,
    user: Annotated[User, page_permit(service.set_active)],
    active: Annotated[bool, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    service.set_active(ctx.uow(user.username), username, active)
    return see_other("/users")


@router.post("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Form(pattern="^(nl|fr|en)$")],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    request.session["lang"] = lang
    return see_other(safe_next(next))
