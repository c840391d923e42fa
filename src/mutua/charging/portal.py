"""The charging context's portal pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from mutua.charging.reporting import statement_csv
from mutua.kernel.access import Action, require, require_member
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound
from mutua.legacy_store import Store
from mutua.platform import i18n
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.web import charts
from mutua.platform.web.app import Context
from mutua.platform.web.auth import check_csrf
from mutua.platform.web.deps import latest_year
from mutua.platform.web.pages import (
    MEMBER,
    PERIOD,
    Ctx,
    Who,
    YearQuery,
    formatters,
    language,
    member_name,
    render,
    see_other,
)

router = APIRouter(include_in_schema=False)


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
    return render(request, "engagement.html", user, e=data, member_name=member_name(ctx, found[1]), year=year)


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
        member_name=member_name(ctx, enterprise_number),
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
        money = formatters(lang)["money"]
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
    return see_other(f"/close?year={p.year}&locked={p}")


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
    return see_other(f"/association?year={year}")
