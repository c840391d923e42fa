"""The access context's portal pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from mutua.access import service
from mutua.platform.web.auth import check_csrf, login_session
from mutua.platform.web.context import context
from mutua.platform.web.pages import (
    Ctx,
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
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")
    ctx.throttle.check(*keys)
    user = service.authenticate(ctx.uow(), username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        return render(
            request, "access/login.html", None, http_status=401, next=safe_next(next), failed=True, oidc=ctx.oidc
        )
    ctx.throttle.succeeded(f"user:{username.lower()}")
    login_session(request, user)
    return see_other(safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return see_other("/login")


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
