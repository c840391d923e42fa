"""The web application: ``create_app`` wires the API, the portal and one error handler.

Nothing heavy happens at import; the app factory takes everything it needs as keyword arguments.
Every refusal (:class:`MutuaError` and its HTTP status, a validation error, an unknown route)
goes through ONE handler: an RFC 9457 problem detail (``application/problem+json``) for the API,
an HTML page (or the login page) for the portal.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from mutua.kernel.access import Unauthenticated
from mutua.kernel.periods import PeriodError
from mutua.kernel.problems import MutuaError, Problem, Rejected
from mutua.kernel.throttle import TooManyAttempts
from mutua.platform import i18n
from mutua.platform.settings import Settings
from mutua.platform.web.auth import (
    Accounts,
    LoginThrottle,
    NoAccounts,
    Throttle,
    Tokens,
    trusted_networks,
)
from mutua.platform.web.context import HERE, Context
from mutua.platform.web.oidc import OidcSettings
from mutua.platform.web.problems import InvalidRequest, document_problems, kind_of


def _secret(settings: Settings) -> str:
    """The session secret: ``MUTUA_SECRET_KEY`` or a random one kept in the data directory."""
    if key := os.environ.get("MUTUA_SECRET_KEY"):
        return key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def problem(
    status: int,
    detail: str,
    instance: str | None = None,
    problems: tuple[Problem, ...] = (),
    kind: str = "about:blank",
    language: str = "en",
    *,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem detail; ``kind``: its ``type`` (:mod:`mutua.platform.web.problems`).
    ``detail`` and each problem's ``message`` are in ``language`` (``Content-Language``); the
    ``type``, ``title`` (the status's phrase unless given), sources and fields stay as they are,
    for programs. ``extra``: more members, after the standard ones; ``headers``: more headers."""
    body: dict[str, Any] = {
        "type": kind,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": i18n.translate_message(detail, language),
    }
    if instance is not None:
        body["instance"] = instance
    if problems:
        body["problems"] = [{**p.as_dict(), "message": i18n.translate_message(p.message, language)} for p in problems]
    body.update(extra or {})
    return JSONResponse(
        body,
        status_code=status,
        media_type="application/problem+json",
        headers={"Content-Language": i18n.normalise(language), **(headers or {})},
    )


def api_language(request: Request) -> str:
    """The language of the API's answers: the ``Accept-Language`` asked for, English without one
    (a program that asks nothing gets the messages as the code writes them)."""
    asked = request.headers.get("accept-language")
    return i18n.preferred_language(asked) if asked else "en"


def _origin(url: str) -> str:
    """The scheme, host and port of ``url`` (a CSP source)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    *,
    engine: Engine,
    settings: Settings,
    secret_key: str | None = None,
    routers: Sequence[APIRouter] = (),
    extensions: Mapping[str, Any] | None = None,
    unit_of_work: Callable[[Engine, str], Any] | None = None,
    template_folders: Sequence[Path] = (),
    accounts: Accounts | None = None,
    charts: bool = True,
    secure_cookies: bool = False,
    login_limit: int = 5,
    throttle: Throttle | None = None,
    oidc: OidcSettings | None = None,
    trusted_proxies: str | Sequence[str] | None = None,
) -> FastAPI:
    """The portal and API over ``engine``.

    Args:
        engine: the database (migrated).
        settings: the composition root's settings.
        secret_key: signs sessions and tokens (default: ``MUTUA_SECRET_KEY`` or a file in data_dir).
        routers: every context's API routes and pages, in order (from the composition root).
        extensions: what contexts give their routes (e.g. billing's documents), by name.
        unit_of_work: the composition root's unit of work factory ``(engine, actor)``.
        template_folders: the contexts' template folders (their pages' templates).
        accounts: the user accounts (the access context's, from the composition root; none: nobody logs in).
        charts: render Vega-Lite charts to SVG (off: the data tables only).
        secure_cookies: behind TLS: the session cookie over HTTPS only (``Secure``) and HSTS on
            every response (``mutua serve`` sets it when not serving on localhost).
        login_limit: failed logins of a (username, address) pair before each attempt waits
            (1 s, then doubling), for the default throttle (in this process's memory).
        throttle: where failed logins are counted (the composition root's counts them in the database,
            shared by every worker process).
        trusted_proxies: proxies whose ``X-Forwarded-For`` names the client (addresses or networks;
            default ``MUTUA_TRUSTED_PROXIES``, else none).
        oidc: the OpenID Connect provider (default: ``MUTUA_OIDC_*`` variables; none when unset).
    """
    from mutua.platform.web import charts as chart_renderer
    from mutua.platform.web import pages

    pages.add_template_folders(template_folders)
    if charts:  # the worker processes of `mutua serve --workers` render each chart once between them
        chart_renderer.share_renderings(settings.data_dir / "cache" / "charts")

    app = FastAPI(
        title="Mutua API",
        version="1",
        description=(
            "The REST API of a cost-sharing association: members, engagements, services and tariffs, usage, "
            "statements, invoices and the close. Amounts are strings (exact decimals, EUR). Errors are RFC 9457 "
            "problem details. Authenticate with a bearer token from POST /api/v1/token, or the portal's session "
            "(writes then need the X-CSRF-Token header)."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI would load JavaScript from a CDN; /api/v1/docs is a plain page instead
        redoc_url=None,
    )
    secret = secret_key or _secret(settings)
    app.state.ctx = Context(
        engine=engine,
        settings=settings,
        tokens=Tokens(secret),
        throttle=throttle if throttle is not None else LoginThrottle(limit=login_limit),
        trusted_proxies=trusted_networks(
            trusted_proxies if trusted_proxies is not None else os.environ.get("MUTUA_TRUSTED_PROXIES", "")
        ),
        extensions=dict(extensions or {}),
        unit_of_work=unit_of_work,
        accounts=accounts if accounts is not None else NoAccounts(),
        charts=charts,
    )
    oidc = oidc or OidcSettings.from_env()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="mutua_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )

    # frame-ancestors, base-uri and form-action do not fall back to default-src; forms post to the
    # portal, and the logout of an OpenID Connect session is redirected to the provider's origin
    form_action = "'self'" + (f" {_origin(oidc.issuer)}" if oidc is not None else "")
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
        f"frame-ancestors 'none'; base-uri 'self'; form-action {form_action}"
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        for isolation in ("Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy"):
            response.headers.setdefault(isolation, "same-origin")
        response.headers.setdefault("Cross-Origin-Embedder-Policy", "require-corp")
        response.headers.setdefault("Content-Security-Policy", policy)
        if not request.url.path.startswith("/static/"):
            # pages, JSON, PDFs, CSVs and UBL carry a member's data: never kept by a browser or a proxy
            response.headers["Cache-Control"] = "no-store"
        if secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.exception_handler(MutuaError)
    async def mutua_error(request: Request, exc: MutuaError) -> Response:
        if isinstance(exc, Unauthenticated) and not _is_api(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        problems = exc.problems if isinstance(exc, Rejected) else ()
        if _is_api(request):
            answer: Response = problem(
                exc.status, exc.message, request.url.path, problems, kind_of(exc), api_language(request)
            )
        else:
            answer = pages.error_page(request, exc.status, exc.message, problems)
        if isinstance(exc, TooManyAttempts):
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer

    @app.exception_handler(PeriodError)
    async def period_error(request: Request, exc: PeriodError) -> Response:
        return await mutua_error(request, InvalidRequest([Problem("request", None, "period", str(exc))]))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            Problem("request", None, ".".join(str(x) for x in e.get("loc", ())), str(e.get("msg", "")))
            for e in exc.errors()
        ]
        return await mutua_error(request, InvalidRequest(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return problem(
                exc.status_code,
                str(exc.detail),
                request.url.path,
                kind=kind_of(exc.status_code),
                language=api_language(request),
            )
        return pages.error_page(request, exc.status_code, str(exc.detail), ())

    for router in routers:
        app.include_router(router)
    if oidc is not None:
        from mutua.platform.web.oidc import router as oidc_router

        app.include_router(oidc_router(oidc))
        app.state.ctx.oidc = True
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, every error documented as a problem detail (application/problem+json)."""
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
