"""What every context's pages share: templates, the language, the user, rendering and errors.

The language is the user's choice (a form in every page's header, kept in the session), else the
browser's ``Accept-Language``. Every form POST carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemLoader

from mutua.kernel.access import Action, Unauthenticated, User, may
from mutua.kernel.problems import Problem
from mutua.platform import i18n
from mutua.platform.web.auth import csrf_token, current_user, permitting
from mutua.platform.web.context import HERE, Context, context

templates = Jinja2Templates(directory=HERE / "templates")


def add_template_folders(folders: Sequence[FilePath]) -> None:
    """Let the pages find the contexts' templates (``<context>/templates/<context>/*.html``, named
    ``"<context>/page.html"``) beside the platform's base, error and shared pieces."""
    loader = templates.env.loader
    assert isinstance(loader, FileSystemLoader)
    for folder in folders:
        if str(folder) not in loader.searchpath:
            loader.searchpath.append(str(folder))


router = APIRouter(include_in_schema=False)


MEMBER = Path(pattern=r"^\d{10}$")


PERIOD = Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


YearQuery = Annotated[int | None, Query(ge=1900, le=9999)]


Ctx = Annotated[Context, Depends(context)]


def language(request: Request, user: User | None = None) -> str:
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in i18n.LANGUAGES:
        return chosen
    if user is not None and user.language in i18n.LANGUAGES:
        return user.language
    return i18n.preferred_language(request.headers.get("accept-language"))


def portal_user(request: Request, ctx: Ctx) -> User:
    user, _ = current_user(request, ctx.accounts, ctx.tokens)  # a bearer token also works (scripts)
    return user


Who = Annotated[User, Depends(portal_user)]


def page_permit(use_case: Callable[..., Any]) -> Any:
    """The portal user, allowed to run ``use_case`` (see :func:`mutua.platform.web.auth.permitting`)."""
    return permitting(use_case, portal_user)


def formatters(lang: str) -> dict[str, Callable[..., str]]:
    def money(value: str | Decimal | None) -> str:
        return "" if value is None else i18n.format_money(Decimal(value), lang)

    def number(value: str | Decimal | None, places: int | None = None, trim: bool = False) -> str:
        """A number in the language's format, with its own decimals (trailing zeros cut if ``trim``)."""
        if value is None:
            return ""
        d = Decimal(value)
        if places is None:
            exponent = (d.normalize() if trim else d).as_tuple().exponent
            places = max(0, -exponent) if isinstance(exponent, int) else 0
        return i18n.format_number(d, lang, places)

    def day(value: str | date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return i18n.format_day(value, lang)

    def percent(value: str | Decimal | None, places: int = 2) -> str:
        """A percentage (``47.62``) as ``47,62 %``."""
        return "" if value is None else i18n.format_percent(Decimal(value), lang, places)

    def rate(value: str | Decimal | None) -> str:
        """A fraction (a markup of ``0.0525``) as a percentage: ``5,25 %``."""
        return "" if value is None else i18n.format_fraction_as_percent(Decimal(value), lang)

    def price(value: str | Decimal | None) -> str:
        """A unit price with its meaningful decimals, at least the cents: ``1.889,69``, ``0,920397``."""
        if value is None:
            return ""
        exponent = Decimal(value).normalize().as_tuple().exponent
        return i18n.format_number(Decimal(value), lang, max(2, -exponent if isinstance(exponent, int) else 0))

    return {"money": money, "number": number, "day": day, "percent": percent, "rate": rate, "price": price}


def labels(request: Request, lang: str) -> Callable[[str | None], str]:
    """``label(name)``: a name a member reads (service, centre, account, unit, role, method) in
    ``lang``, from the cost model in force (the composition root's ``glossary`` extension, read
    at the first name a page shows) or the catalogues (:func:`mutua.platform.i18n.labeller`)."""
    source = context(request).extensions.get("glossary")
    found: list[Callable[[str | None], str]] = []

    def label(text: str | None) -> str:
        if not found:
            code = i18n.catalogued(text, lang)
            if code is not None:  # a role, a method, a status: no need to read the cost model
                return code
            found.append(i18n.labeller(lang, source(lang) if source is not None else None))
        return found[0](text)

    return label


def render(request: Request, name: str, user: User | None, http_status: int = 200, **data: Any) -> HTMLResponse:
    lang = language(request, user)
    _ = i18n.translator(lang, "portal")
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "lang": lang,
            "languages": i18n.LANGUAGES,
            "_": _,
            "csrf": csrf_token(request),
            "may": (lambda action: user is not None and may(user, Action(action))),
            "path": request.url.path,
            "label": (label := labels(request, lang)),
            "msg": lambda text: i18n.translate_message(str(text), lang, label=label),
            **formatters(lang),
            **data,
        },
        status_code=http_status,
    )


def error_page(request: Request, status: int, message: str, problems: tuple[Problem, ...]) -> Response:
    user = None
    try:
        user, _ = current_user(request, context(request).accounts, context(request).tokens)
    except Unauthenticated:
        user = None
    lang = language(request, user)
    label = labels(request, lang)
    shown = tuple(i18n.problem_text(p, lang, label) for p in problems)
    return render(
        request,
        "error.html",
        user,
        http_status=status,
        status_code=status,
        message=i18n.translate_message(message, lang, label=label),
        problems=shown,
    )


def safe_next(target: str | None) -> str:
    """Only redirect to a path of this site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API's operations with their parameters, bodies and answers, its schemas and its kinds of
    problem, read from its OpenAPI schema (a plain page: no JavaScript, no CDN)."""
    from mutua.platform.web.apidocs import api_docs as read_docs

    return render(request, "api_docs.html", None, docs=read_docs(request.app.openapi()))


@router.get("/")
def home(user: Who) -> Response:
    if user.member:  # a budget holder or a buyer: its member's pages
        return see_other(f"/members/{user.member}")
    return see_other("/association")
