"""The charging context's portal pages: each checks its use case's permission
(:func:`mutua.platform.web.pages.page_permit`) and renders the typed read model."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from mutua.charging.domain import TrueUpMode
from mutua.charging.service import association as association_views
from mutua.charging.service import close as service
from mutua.charging.service import dashboard as dashboard_views
from mutua.charging.service import review as reviews
from mutua.charging.service.reporting import association_report, member_statement, statement_csv
from mutua.kernel.access import User, permission_of
from mutua.kernel.periods import Period
from mutua.platform import i18n
from mutua.platform.web import charts
from mutua.platform.web.auth import check_csrf
from mutua.platform.web.context import Context
from mutua.platform.web.pages import (
    MEMBER,
    PERIOD,
    Ctx,
    YearQuery,
    formatters,
    language,
    page_permit,
    render,
    see_other,
)

router = APIRouter(include_in_schema=False)


def _year(ctx: Context, user: User, year: int | None) -> int:
    return year or association_views.latest_year(ctx.uow(user.username))


def _dashboard_view(
    ctx: Context, data: dashboard_views.Dashboard, lang: str
) -> tuple[dashboard_views.Dashboard, dict[str, Markup], list[str], dict[str, dict[str, Any]]]:
    """The dashboard's data with its charts (SVG) and its month x service table."""
    _ = i18n.translator(lang, "portal")
    svgs: dict[str, Markup] = {}
    if ctx.charts and data.by_month:
        shown = data.as_json()
        svgs["months"] = Markup(  # noqa: S704 - SVG rendered by vl-convert from our own data
            charts.render(
                charts.spend_by_month(
                    shown["by_month"], _("Spend per month, by service"), _("Month"), "EUR", _("Service")
                ),
                lang,
            )
        )
        svgs["services"] = Markup(  # noqa: S704
            charts.render(charts.spend_by_service(shown["by_service"], _("Spend to date per service"), "EUR"), lang)
        )
        svgs["budget"] = Markup(  # noqa: S704
            charts.render(
                charts.budget_projection(
                    shown["budget"],
                    shown["spent"],
                    shown["projection_low"],
                    shown["projection"],
                    shown["projection_high"],
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
    months = sorted({str(r.period) for r in data.by_month})
    table: dict[str, dict[str, Any]] = {}
    for r in data.by_month:
        table.setdefault(r.service, {})[str(r.period)] = r.amount
    return data, svgs, months, table


@router.get("/members/{enterprise_number}", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: Annotated[User, page_permit(dashboard_views.member_dashboard)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
) -> HTMLResponse:
    year = _year(ctx, user, year)
    lang = language(request, user)
    uow = ctx.uow(user.username)
    key = ("dashboard", enterprise_number, year, lang, ctx.charts, association_views.data_version(uow))
    view = ctx.cache.get(key)
    if view is None:
        view = ctx.cache[key] = _dashboard_view(
            ctx, dashboard_views.member_dashboard(uow, enterprise_number, year), lang
        )
    data, svgs, months, table = view
    return render(request, "charging/dashboard.html", user, d=data, svgs=svgs, months=months, table=table, year=year)


@router.get("/engagements/{code}", response_class=HTMLResponse)
def engagement(
    request: Request,
    user: Annotated[User, page_permit(dashboard_views.engagement_detail)],
    ctx: Ctx,
    code: Annotated[str, Path(max_length=40)],
    year: YearQuery = None,
) -> HTMLResponse:
    year = _year(ctx, user, year)
    data = dashboard_views.engagement_detail(ctx.uow(user.username), code, year)
    permission_of(dashboard_views.engagement_detail).check(user, data.member, f"no engagement {code!r}")  # as unknown
    return render(request, "charging/engagement.html", user, e=data, member_name=data.member_name, year=year)


@router.get("/members/{enterprise_number}/usage", response_class=HTMLResponse)
def usage(
    request: Request,
    user: Annotated[User, page_permit(dashboard_views.member_usage)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
) -> HTMLResponse:
    year = _year(ctx, user, year)
    found = dashboard_views.member_usage(ctx.uow(user.username), enterprise_number, year)
    return render(
        request,
        "charging/usage.html",
        user,
        rows=found.rows,
        member=enterprise_number,
        member_name=found.member.name,
        year=year,
    )


@router.get("/members/{enterprise_number}/statements/{period}", response_class=HTMLResponse)
def statement(
    request: Request,
    user: Annotated[User, page_permit(member_statement)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
) -> HTMLResponse:
    data = member_statement(ctx.uow(user.username), enterprise_number, Period.parse(period))
    return render(request, "charging/statement.html", user, s=data, member=enterprise_number)


@router.get("/members/{enterprise_number}/statements/{period}/csv")
def statement_download(
    user: Annotated[User, page_permit(member_statement)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    period: Annotated[str, PERIOD],
) -> Response:
    data = member_statement(ctx.uow(user.username), enterprise_number, Period.parse(period))
    return Response(
        statement_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{enterprise_number}-{period}.csv"'},
    )


@router.get("/association", response_class=HTMLResponse)
def association(
    request: Request, user: Annotated[User, page_permit(association_report)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    year = _year(ctx, user, year)
    uow = ctx.uow(user.username)
    key = ("report", year, association_views.close_fingerprint(uow, year))
    report = ctx.cache.get(key)
    if report is None:
        report = ctx.cache[key] = (association_report(uow, year), association_views.true_up_by_member(uow, year))
    return render(request, "charging/association.html", user, r=report[0], t=report[1], year=year)


def cached_allocation(ctx: Context, user: User, year: int) -> tuple[association_views.AllocationFlows, tuple[int, int]]:
    """The allocation of a year, recomputed only when a month closes or the true-up runs."""
    uow = ctx.uow(user.username)
    fp = association_views.close_fingerprint(uow, year)
    key = ("allocation", year)
    hit = ctx.cache.get(key)
    if hit is None or hit[1] != fp:
        hit = ctx.cache[key] = (association_views.allocation_flows(uow, year), fp)
    return hit[0], fp


@router.get("/allocation", response_class=HTMLResponse)
def allocation(
    request: Request,
    user: Annotated[User, page_permit(association_views.allocation_flows)],
    ctx: Ctx,
    year: YearQuery = None,
) -> HTMLResponse:
    year = _year(ctx, user, year)
    flows, fp = cached_allocation(ctx, user, year)
    lang = language(request, user)
    _ = i18n.translator(lang, "portal")
    translate = _  # client groups are codes with a translation
    names = {n.id: translate(n.name) if n.kind == "group" else n.name for n in flows.nodes}
    key = ("sankey", year, fp, lang)
    svg = ctx.cache.get(key)
    if svg is None:
        money = formatters(lang)["money"]
        data = flows.as_json()
        shown = {**data, "nodes": [{**n, "name": names[n["id"]]} for n in data["nodes"]]}
        svg = ctx.cache[key] = Markup(  # noqa: S704 - escaped in sankey_svg
            charts.sankey_svg(
                shown,
                _("Allocation {year}: ledger to cost centres to services to client groups").format(year=year),
                [_("Ledger"), _("Support centres"), _("Final centres"), _("Services"), _("Client groups")],
                money,
            )
        )
    return render(request, "charging/allocation.html", user, f=flows, svg=svg, names=names, year=year)


@router.get("/close", response_class=HTMLResponse)
def close_page(
    request: Request, user: Annotated[User, page_permit(service.close_status)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    year = _year(ctx, user, year)
    status = service.close_status(ctx.uow(user.username), year)
    return render(request, "charging/close.html", user, status=status, year=year, next_open=status.next_open)


@router.get("/close/{period}/review", response_class=HTMLResponse)
def review(
    request: Request,
    user: Annotated[User, page_permit(reviews.preview_close)],
    ctx: Ctx,
    period: Annotated[str, PERIOD],
) -> HTMLResponse:
    data = reviews.preview_close(ctx.uow(user.username), Period.parse(period))
    return render(request, "charging/review.html", user, p=data)


@router.post("/close/{period}/lock")
def lock(
    request: Request,
    user: Annotated[User, page_permit(service.close_period)],
    ctx: Ctx,
    period: Annotated[str, PERIOD],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    p = Period.parse(period)
    service.close_period(ctx.uow(user.username), p)
    return see_other(f"/close?year={p.year}&locked={p}")


@router.post("/true-up/{year}")
def true_up(
    request: Request,
    user: Annotated[User, page_permit(service.true_up)],
    ctx: Ctx,
    year: Annotated[int, Path(ge=1900, le=9999)],
    mode: Annotated[str, Form(pattern="^(settle|carry_forward)$")] = "settle",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    service.true_up(ctx.uow(user.username), year, TrueUpMode(mode))
    return see_other(f"/association?year={year}")
