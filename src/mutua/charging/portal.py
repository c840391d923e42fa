"""The charging context's portal pages: each checks its use case's permission
(:func:`mutua.platform.web.pages.page_permit`) and renders the typed read model."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
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
    labels,
    language,
    page_permit,
    render,
    see_other,
)

router = APIRouter(include_in_schema=False)


def _year(ctx: Context, user: User, year: int | None) -> int:
    return year or association_views.latest_year(ctx.uow(user.username))


_PREPOSITIONS = re.compile(r"[\s:,;\-–(]*\b(for|to|of|voor|naar|van|pour|à|de|du)\s*$", re.IGNORECASE)


def short_title(title: str, member_name: str) -> str:
    """An engagement's title without its member's name (the page is the member's already):
    "Project 12: application for Agency X" on Agency X's page reads "Project 12: application"."""
    if not member_name or member_name not in title:
        return title
    shorter = _PREPOSITIONS.sub("", title.replace(member_name, "").strip(" :-–()")).strip(" :-–")
    return shorter or title


BULLETS = 12  # engagements in the bullet chart: those over budget, then the largest budgets
PAGE_SIZE = 15  # rows of a page's long table (the dashboard's engagements, a statement's)
PageQuery = Annotated[int, Query(ge=1, le=100_000)]


def paged(request: Request, rows: list[Any], page: int) -> tuple[list[Any], list[tuple[int, str]]]:
    """One page of ``rows`` and the links to every page (none when one page holds them all)."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    links = [(n, str(request.url.include_query_params(page=n))) for n in range(1, pages + 1)] if pages > 1 else []
    return rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], links


SORTS = ("engagement", "title", "budget", "spent", "used", "projection", "gap")
ENGAGEMENT_SORT = Query(pattern="^(" + "|".join(SORTS) + ")$")


def _sort_key(sort: str) -> Callable[[dict[str, Any]], Any]:
    if sort in ("engagement", "title"):
        return lambda r: r[sort].casefold()
    return lambda r: r[sort]


def engagement_rows(
    data: dashboard_views.Dashboard, sort: str, descending: bool, only_over: bool, kind: str | None
) -> list[dict[str, Any]]:
    """The dashboard's engagements as its table shows them: titles without the member's name, the
    share of the budget used and the projection's gap to the budget, filtered and sorted."""
    rows = [
        {
            "engagement": e.engagement,
            "title": short_title(e.title, data.member.name),
            "kind": e.kind,
            "budget": e.budget,
            "spent": e.spent,
            "used": e.budget_used_pct,
            "projection": e.projection,
            "low": e.projection_low,
            "high": e.projection_high,
            "gap": e.projection - e.budget,
            "over": e.over_budget,
        }
        for e in data.engagements
        if (not only_over or e.over_budget) and (kind is None or e.kind == kind)
    ]
    rows.sort(key=_sort_key(sort), reverse=descending)
    return rows


def _dashboard_view(
    ctx: Context, data: dashboard_views.Dashboard, lang: str, label: Callable[[str | None], str]
) -> tuple[dashboard_views.Dashboard, dict[str, Markup], list[str], dict[str, dict[str, Any]], dict[str, str]]:
    """The dashboard's data with its charts (SVG), its month x service table and the services' names."""
    _ = i18n.translator(lang, "portal")
    names = {s.service: label(s.name) for s in data.by_service}
    svgs: dict[str, Markup] = {}
    if ctx.charts and data.by_month:
        shown = data.as_json()
        by_month = [{**r, "service": names.get(r["service"], r["service"])} for r in shown["by_month"]]
        svgs["months"] = Markup(  # noqa: S704 - SVG rendered by vl-convert from our own data
            charts.render(
                charts.spend_by_month(
                    by_month, _("Spend per month, by service"), _("Month"), "EUR", _("Service"), _("Other services")
                ),
                lang,
            )
        )
        svgs["services"] = Markup(  # noqa: S704
            charts.render(
                charts.spend_by_service(
                    [{**r, "name": names.get(r["service"], r["name"])} for r in shown["by_service"]],
                    _("Spend to date per service"),
                    "EUR",
                ),
                lang,
            )
        )
    if ctx.charts and data.engagements:
        bullets = [
            {
                "name": f"{r['engagement']} {r['title']}"[:60],
                "budget": str(r["budget"]),
                "spent": str(r["spent"]),
                "projection": str(r["projection"]),
                "low": str(r["low"]),
                "high": str(r["high"]),
            }
            for r in sorted(engagement_rows(data, "budget", True, False, None), key=lambda r: not r["over"])[:BULLETS]
        ]
        svgs["budget"] = Markup(  # noqa: S704
            charts.render(
                charts.budget_bullets(
                    bullets,
                    {
                        "title": _(
                            "Per engagement: budget (grey), spent to date (blue), "
                            "projection (orange tick) and its range"
                        ),
                        "amount": "EUR",
                        "engagement": _("Engagement"),
                        "budget": _("Budget"),
                    },
                ),
                lang,
            )
        )
    months = sorted({str(r.period) for r in data.by_month})
    table: dict[str, dict[str, Any]] = {}
    for r in data.by_month:
        table.setdefault(r.service, {})[str(r.period)] = r.amount
    return data, svgs, months, table, names


@router.get("/members/{enterprise_number}", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: Annotated[User, page_permit(dashboard_views.member_dashboard)],
    ctx: Ctx,
    enterprise_number: Annotated[str, MEMBER],
    year: YearQuery = None,
    sort: Annotated[str, ENGAGEMENT_SORT] = "engagement",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    show: Annotated[str, Query(pattern="^(all|over)$")] = "all",
    kind: Annotated[str | None, Query(pattern="^(|project|service|secondment|consultancy)$")] = None,
    page: PageQuery = 1,
) -> HTMLResponse:
    year = _year(ctx, user, year)
    kind = kind or None
    lang = language(request, user)
    uow = ctx.uow(user.username)
    key = ("dashboard", enterprise_number, year, lang, ctx.charts, association_views.data_version(uow))
    view = ctx.cache.get(key)
    if view is None:
        view = ctx.cache[key] = _dashboard_view(
            ctx, dashboard_views.member_dashboard(uow, enterprise_number, year), lang, labels(request, lang)
        )
    data, svgs, months, table, names = view
    matching = engagement_rows(data, sort, order == "desc", show == "over", kind)
    rows, pager = paged(request, matching, page)
    return render(
        request,
        "charging/dashboard.html",
        user,
        d=data,
        svgs=svgs,
        months=months,
        table=table,
        names=names,
        year=year,
        rows=rows,
        matching=matching,
        pager=pager,
        page=min(page, max(1, len(pager))),
        bullets=min(BULLETS, len(data.engagements)),
        over=sum(1 for e in data.engagements if e.over_budget),
        kinds=sorted({e.kind for e in data.engagements}),
        sort=sort,
        order=order,
        show=show,
        kind=kind,
    )


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


def usage_table(found: dashboard_views.MemberUsage) -> tuple[list[int], list[dict[str, Any]]]:
    """A member's usage as its page shows it: per service (name, unit), its quantity per month and
    in the year, each against the same month of the year before (``None`` when there was none)."""
    now: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    before: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    engagements: dict[str, set[str]] = defaultdict(set)
    for u in found.rows:
        now[u.service][u.period.month] += u.quantity
        engagements[u.service].add(u.engagement)
    for u in found.previous_year:
        before[u.service][u.period.month] += u.quantity
    months = sorted({m for per in now.values() for m in per})
    rows = []
    for s in found.services:
        if s.service not in now:
            continue
        cells = []
        for m in months:
            q, last = now[s.service].get(m), before[s.service].get(m)
            change = (q - last) / last * 100 if q is not None and last else None
            cells.append({"quantity": q, "previous": last, "change": change})
        total = sum(now[s.service].values(), Decimal(0))
        previous = sum((before[s.service].get(m, Decimal(0)) for m in months), Decimal(0))
        rows.append(
            {
                "service": s.service,
                "name": s.name,
                "unit": s.unit,
                "engagements": sorted(engagements[s.service]),
                "cells": cells,
                "total": total,
                "previous": previous if s.service in before else None,
                "change": (total - previous) / previous * 100 if previous else None,
            }
        )
    return months, rows


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
    months, rows = usage_table(found)
    return render(
        request,
        "charging/usage.html",
        user,
        rows=rows,
        months=months,
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
    page: PageQuery = 1,
) -> HTMLResponse:
    data = member_statement(ctx.uow(user.username), enterprise_number, Period.parse(period))
    engagements, pager = paged(request, list(data.engagements), page)
    return render(
        request,
        "charging/statement.html",
        user,
        s=data,
        member=enterprise_number,
        engagements=engagements,
        pager=pager,
        page=min(page, max(1, len(pager))),
    )


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
    label = labels(request, lang)  # the model's names (accounts, centres, services) in the language
    names = {n.id: _(n.name) if n.kind == "group" else label(n.name) for n in flows.nodes}
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
                [
                    _("Ledger"),
                    _("Support centres"),
                    _("Final centres"),
                    _("Services"),
                    _("Client groups and other income"),
                ],
                money,
            )
        )
    return render(request, "charging/allocation.html", user, f=flows, svg=svg, names=names, year=year)


@router.get("/close", response_class=HTMLResponse)
def close_page(
    request: Request, user: Annotated[User, page_permit(service.close_status)], ctx: Ctx, year: YearQuery = None
) -> HTMLResponse:
    year = year or association_views.closing_year(ctx.uow(user.username))
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
