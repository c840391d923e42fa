"""The portal: server-rendered pages (Jinja2) that work without JavaScript, in NL, FR and EN.

The language is the user's choice (a form in every page's header, kept in the session), else the
browser's ``Accept-Language``. Every form POST carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from mutua.charging.reporting import statement_csv
from mutua.kernel.access import Action, Role, Unauthenticated, User, may, require, require_member
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound, Problem
from mutua.legacy_store import Store
from mutua.platform import i18n
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web import charts
from mutua.platform.web.api import find_invoice, invoice_file, latest_year, statement_pdf_response
from mutua.platform.web.app import HERE, Context, context
from mutua.platform.web.auth import check_csrf, csrf_token, current_user, login_session

templates = Jinja2Templates(directory=HERE / "templates")
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
    user, _ = current_user(request, ctx.engine, ctx.tokens)  # a bearer token also works (scripts)
    return user


Who = Annotated[User, Depends(portal_user)]


def _formatters(lang: str) -> dict[str, Callable[..., str]]:
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

    return {"money": money, "number": number, "day": day}


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
            **_formatters(lang),
            **data,
        },
        status_code=http_status,
    )


def error_page(request: Request, status: int, message: str, problems: tuple[Problem, ...]) -> Response:
    user = None
    try:
        user, _ = current_user(request, context(request).engine, context(request).tokens)
    except Unauthenticated:
        user = None
    return render(
        request, "error.html", user, http_status=status, status_code=status, message=message, problems=problems
    )


def _safe_next(target: str | None) -> str:
    """Only redirect to a path of this site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API's operations, read from its OpenAPI schema (a plain page: no JavaScript, no CDN)."""
    schema = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "tag": (op.get("tags") or [""])[0],
            "parameters": [p["name"] for p in op.get("parameters", [])],
        }
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]
    return render(request, "api_docs.html", None, operations=operations, description=schema["info"]["description"])


# -- log in, log out, language ------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), failed=False, oidc=context(request).oidc)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    from mutua.access.service import authenticate

    check_csrf(request, csrf_token)
    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")
    ctx.throttle.check(*keys)
    user = authenticate(ctx.engine, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        return render(request, "login.html", None, http_status=401, next=_safe_next(next), failed=True, oidc=ctx.oidc)
    ctx.throttle.succeeded(f"user:{username.lower()}")
    login_session(request, user)
    return _see_other(_safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return _see_other("/login")


@router.post("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Form(pattern="^(nl|fr|en)$")],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    request.session["lang"] = lang
    return _see_other(_safe_next(next))


@router.get("/")
def home(user: Who) -> Response:
    if user.role is Role.BUDGET_HOLDER and user.member:
        return _see_other(f"/members/{user.member}")
    return _see_other("/association")


# -- a member's pages ---------------------------------------------------------------------------


def _member_name(ctx: Context, member: str) -> str:
    with UnitOfWork(ctx.engine) as uow:
        m = Store(uow.connection).registry.member(member)
    if m is None:
        raise NotFound(f"no member with enterprise number {member}")
    return m.name


def _dashboard_view(
    ctx: Context, data: dict[str, Any], lang: str
) -> tuple[dict[str, Any], dict[str, Markup], list[str], dict[str, dict[str, str]]]:
    """The dashboard's data with its charts (SVG) and its month x service table."""
    _ = i18n.translator(lang, "portal")
    svgs: dict[str, Markup] = {}
    if ctx.charts and data["by_month"]:
        svgs["months"] = Markup(  # noqa: S704 - SVG rendered by vl-convert from our own data
            charts.render(
                charts.spend_by_month(
                    data["by_month"], _("Spend per month, by service"), _("Month"), "EUR", _("Service")
                ),
                lang,
            )
        )
        svgs["services"] = Markup(  # noqa: S704
            charts.render(charts.spend_by_service(data["by_service"], _("Spend to date per service"), "EUR"), lang)
        )
        svgs["budget"] = Markup(  # noqa: S704
            charts.render(
                charts.budget_projection(
                    data["budget"],
                    data["spent"],
                    data["projection_low"],
                    data["projection"],
                    data["projection_high"],
                    {
                        "title": _("Year to date and projection against budget"),
                        "spent": _("Spent to date"),
                        "projection": _("Projection"),
                        "budget": _("Budget"),
                        "amount": "EUR",
                    },
                ),
                lang,
            )
        )
    months = sorted({r["period"] for r in data["by_month"]})
    table: dict[str, dict[str, str]] = {}
    for r in data["by_month"]:
        table.setdefault(r["service"], {})[r["period"]] = r["amount"]
    return data, svgs, months, table


@router.get("/members/{enterprise_number}", response_class=HTMLResponse)
def dashboard(
    request: Request, user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> HTMLResponse:
    from mutua.charging.views import data_version, member_dashboard

    require_member(user, enterprise_number)
    year = year or latest_year(ctx)
    lang = language(request, user)
    key = ("dashboard", enterprise_number, year, lang, ctx.charts, data_version(ctx.engine))
    view = ctx.cache.get(key)
    if view is None:
        view = ctx.cache[key] = _dashboard_view(ctx, member_dashboard(ctx.engine, enterprise_number, year), lang)
    data, svgs, months, table = view
    return render(request, "dashboard.html", user, d=data, svgs=svgs, months=months, table=table, year=year)


@router.get("/engagements/{code}", response_class=HTMLResponse)
def engagement(
    request: Request, user: Who, ctx: Ctx, code: Annotated[str, Path(max_length=40)], year: YearQuery = None
) -> HTMLResponse:
    from mutua.charging.views import engagement_detail

    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).engagement_ids().get(code)
    if found is None:
        raise NotFound(f"no engagement {code!r}")
    require_member(user, found[1])
    year = year or latest_year(ctx)
    data = engagement_detail(ctx.engine, code, year)
    return render(request, "engagement.html", user, e=data, member_name=_member_name(ctx, found[1]), year=year)


@router.get("/members/{enterprise_number}/usage", response_class=HTMLResponse)
def usage(
    request: Request, user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> HTMLResponse:
    from mutua.charging.views import member_usage

    require_member(user, enterprise_number)
    year = year or latest_year(ctx)
    rows = member_usage(ctx.engine, enterprise_number, year)
    return render(
        request,
        "usage.html",
        user,
        rows=rows,
        member=enterprise_number,
        member_name=_member_name(ctx, enterprise_number),
        year=year,
    )


@router.get("/members/{enterprise_number}/documents", response_class=HTMLResponse)
def documents(
    request: Request, user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], year: YearQuery = None
) -> HTMLResponse:
    require_member(user, enterprise_number)
    year = year or latest_year(ctx)
    with UnitOfWork(ctx.engine) as uow:
        closed = sorted(Store(uow.connection).closed_periods())
    periods = [str(Period.from_key(k)) for k in closed if k // 100 == year]
    return render(
        request,
        "documents.html",
        user,
        member=enterprise_number,
        member_name=_member_name(ctx, enterprise_number),
        invoices=ctx.invoices.for_member(enterprise_number),
        periods=periods,
        year=year,
    )


@router.get("/members/{enterprise_number}/statements/{period}", response_class=HTMLResponse)
def statement(
    request: Request, user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], period: Annotated[str, PERIOD]
) -> HTMLResponse:
    from mutua.charging.reporting import member_statement

    require_member(user, enterprise_number)
    data = member_statement(ctx.engine, enterprise_number, Period.parse(period))
    return render(request, "statement.html", user, s=data, member=enterprise_number)


@router.get("/members/{enterprise_number}/statements/{period}/csv")
def statement_download(
    user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], period: Annotated[str, PERIOD]
) -> Response:
    from mutua.charging.reporting import member_statement

    require_member(user, enterprise_number)
    data = member_statement(ctx.engine, enterprise_number, Period.parse(period))
    return Response(
        statement_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{enterprise_number}-{period}.csv"'},
    )


@router.get("/members/{enterprise_number}/statements/{period}/pdf")
def statement_pdf(
    user: Who, ctx: Ctx, enterprise_number: Annotated[str, MEMBER], period: Annotated[str, PERIOD]
) -> Response:
    require_member(user, enterprise_number)
    return statement_pdf_response(ctx, enterprise_number, period)


@router.get("/invoices/{number}/{fmt}")
def invoice_download(
    user: Who, ctx: Ctx, number: Annotated[str, Path(max_length=60)], fmt: Annotated[str, Path(pattern="^(ubl|pdf)$")]
) -> Response:
    find_invoice(user, ctx, number)
    return invoice_file(ctx, user, number, fmt)


# -- the association's pages --------------------------------------------------------------------


@router.get("/association", response_class=HTMLResponse)
def association(request: Request, user: Who, ctx: Ctx, year: YearQuery = None) -> HTMLResponse:
    from mutua.charging.reporting import association_report
    from mutua.charging.views import true_up_by_member

    require(user, Action.READ_ASSOCIATION)
    year = year or latest_year(ctx)
    key = ("report", year, _fingerprint(ctx, year))
    report = ctx.cache.get(key)
    if report is None:
        report = ctx.cache[key] = (association_report(ctx.engine, year), true_up_by_member(ctx.engine, year))
    return render(request, "association.html", user, r=report[0], t=report[1], year=year)


@router.get("/members", response_class=HTMLResponse)
def members(request: Request, user: Who, ctx: Ctx) -> HTMLResponse:
    require(user, Action.READ_ASSOCIATION)
    with UnitOfWork(ctx.engine) as uow:
        found = Store(uow.connection).members()
    return render(request, "members.html", user, members=found)


@router.get("/tariffs", response_class=HTMLResponse)
def tariffs(request: Request, user: Who, ctx: Ctx, year: YearQuery = None) -> HTMLResponse:
    from mutua.charging.views import tariffs as all_tariffs

    year = year or latest_year(ctx)
    return render(request, "tariffs.html", user, rows=all_tariffs(ctx.engine, year), year=year)


def _fingerprint(ctx: Context, year: int) -> tuple[int, int]:
    from mutua.charging.views import close_fingerprint

    return close_fingerprint(ctx.engine, year)


def cached_allocation(ctx: Context, year: int) -> tuple[dict[str, Any], tuple[int, int]]:
    """The allocation of a year, recomputed only when a month closes or the true-up runs."""
    from mutua.charging.views import allocation_flows

    fp = _fingerprint(ctx, year)
    key = ("allocation", year)
    hit = ctx.cache.get(key)
    if hit is None or hit[1] != fp:
        hit = ctx.cache[key] = (allocation_flows(ctx.engine, year), fp)
    return hit[0], fp


@router.get("/allocation", response_class=HTMLResponse)
def allocation(request: Request, user: Who, ctx: Ctx, year: YearQuery = None) -> HTMLResponse:
    require(user, Action.READ_ASSOCIATION)
    year = year or latest_year(ctx)
    flows, fp = cached_allocation(ctx, year)
    lang = language(request, user)
    _ = i18n.translator(lang, "portal")
    translate = _  # client groups are codes with a translation
    names = {n["id"]: translate(n["name"]) if n["kind"] == "group" else n["name"] for n in flows["nodes"]}
    key = ("sankey", year, fp, lang)
    svg = ctx.cache.get(key)
    if svg is None:
        money = _formatters(lang)["money"]
        shown = {
            **flows,
            "nodes": [{**n, "name": names[n["id"]]} for n in flows["nodes"]],
        }
        svg = ctx.cache[key] = Markup(  # noqa: S704 - escaped in sankey_svg
            charts.sankey_svg(
                shown,
                _("Allocation {year}: ledger to cost centres to services to client groups").format(year=year),
                [_("Ledger"), _("Support centres"), _("Final centres"), _("Services"), _("Client groups")],
                money,
            )
        )
    return render(request, "allocation.html", user, f=flows, svg=svg, names=names, year=year)


@router.get("/close", response_class=HTMLResponse)
def close_page(request: Request, user: Who, ctx: Ctx, year: YearQuery = None) -> HTMLResponse:
    from mutua.charging.service import close_status

    require(user, Action.READ_ASSOCIATION)
    year = year or latest_year(ctx)
    status = close_status(ctx.engine, year)
    next_open = next((p["period"] for p in status["periods"] if p["status"] == "open"), None)
    return render(request, "close.html", user, status=status, year=year, next_open=next_open)


@router.get("/close/{period}/review", response_class=HTMLResponse)
def review(request: Request, user: Who, ctx: Ctx, period: Annotated[str, PERIOD]) -> HTMLResponse:
    from mutua.charging.review import preview_close

    require(user, Action.CLOSE)
    data = preview_close(ctx.engine, Period.parse(period))
    return render(request, "review.html", user, p=data)


@router.post("/close/{period}/lock")
def lock(
    request: Request, user: Who, ctx: Ctx, period: Annotated[str, PERIOD], csrf_token: Annotated[str, Form()] = ""
) -> Response:
    from mutua.charging.service import close_period

    check_csrf(request, csrf_token)
    require(user, Action.CLOSE)
    p = Period.parse(period)
    close_period(ctx.engine, p, user.username)
    return _see_other(f"/close?year={p.year}&locked={p}")


@router.post("/true-up/{year}")
def true_up(
    request: Request,
    user: Who,
    ctx: Ctx,
    year: Annotated[int, Path(ge=1900, le=9999)],
    mode: Annotated[str, Form(pattern="^(settle|carry_forward)$")] = "settle",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    from mutua.charging.service import TrueUpMode
    from mutua.charging.service import true_up as run

    check_csrf(request, csrf_token)
    require(user, Action.CLOSE)
    run(ctx.engine, year, TrueUpMode(mode), user.username)
    return _see_other(f"/association?year={year}")
