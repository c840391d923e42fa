"""``mutua`` commands of the charging context."""

from __future__ import annotations

import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mutua.platform.cli.output import (
    JsonFlag,
    amount,
    between,
    coded,
    counted,
    date_text,
    err,
    figure,
    language,
    money,
    names,
    nothing,
    out,
    percent,
    period_arg,
    print_json,
    refused,
    refused_for,
    report_import,
    run,
    say,
    tariff_text,
)
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import semicolon, translate_message

if TYPE_CHECKING:
    from mutua.charging.service.reporting import AssociationReport

app = typer.Typer(no_args_is_help=True)
import_app = typer.Typer(help="CSV imports; each file loads whole or not at all.", no_args_is_help=True)
tariffs_app = typer.Typer(
    help="Tariffs in force, and next year's proposed from this year's actuals.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
app.add_typer(tariffs_app, name="tariffs")


@app.callback()
def _group() -> None:
    """Commands of the charging context."""


@import_app.command("ledger")
def import_ledger(file: Path, as_json: JsonFlag = False) -> None:
    """Ledger lines: entry_id, period, account, centre, amount, nd_vat[, engagement, description]."""
    from mutua.charging.service import imports

    report_import("ledger", file, lambda: imports.import_ledger(state.uow(), file), as_json)


@import_app.command("time")
def import_time(file: Path, as_json: JsonFlag = False) -> None:
    """Time sheets: person, grade, engagement, date, hours."""
    from mutua.charging.service import imports

    report_import("time", file, lambda: imports.import_time_sheets(state.uow(), file), as_json)


@import_app.command("usage")
def import_usage(file: Path, as_json: JsonFlag = False) -> None:
    """Usage already summed: member, engagement, service, period, quantity."""
    from mutua.charging.service import imports

    report_import("usage", file, lambda: imports.import_usage(state.uow(), file), as_json)


@app.command("close")
def close(period: Annotated[str, typer.Argument(help="The month, YYYY-MM.")], as_json: JsonFlag = False) -> None:
    """Charge a month provisionally at the year's tariffs, then lock it."""
    from mutua.charging.service.close import close_period

    result = run(lambda: close_period(state.uow(), period_arg(period)))
    if as_json:
        print_json(result.as_json())
    else:
        said = say(
            "{period} closed: {charges}, {charged} charged; direct cost {cost}",
            period=result.period,
            charges=counted(result.charges, "{n} charge", "{n} charges"),
            charged=money(result.total_charged),
            cost=money(result.direct_cost),
        )
        out.print(said, markup=False, highlight=False)


@app.command("true-up")
def true_up(
    year: Annotated[int, typer.Argument(help="The year to settle.")],
    mode: Annotated[
        str,
        typer.Option(
            help="settle: invoice or credit each member now; carry_forward: carry the balance into next year's tariffs."
        ),
    ] = "settle",
    as_json: JsonFlag = False,
) -> None:
    """Re-allocate the year's actual cost and settle each member's over- or under-recovery."""
    from mutua.charging.service.close import TrueUpMode
    from mutua.charging.service.close import true_up as action

    try:
        chosen = TrueUpMode(mode)
    except ValueError:
        raise refused("mode must be settle or carry_forward") from None
    result = run(lambda: action(state.uow(), year, chosen))
    if as_json:
        print_json(result.as_json())
        return
    said = say(
        "true-up {year} ({mode}): cost {cost}, charged {charged}, settlement {settlement}; {owing}, {refunded}; "
        "result {result}",
        year=year,
        mode=names()(chosen.value),
        cost=money(result.total_cost),
        charged=money(result.total_charged),
        settlement=money(result.settlement_total),
        owing=counted(result.members_owing, "{n} member owes", "{n} members owe"),
        refunded=counted(result.members_refunded, "{n} member is refunded", "{n} members are refunded"),
        result=money(result.result),
    )
    out.print(said, markup=False, highlight=False)


@app.command("status")
def status(year: int, as_json: JsonFlag = False) -> None:
    """Which months of a year are closed, and whether the true-up ran."""
    from mutua.charging.service.close import close_status

    found = run(lambda: close_status(state.uow(), year))
    data = found.as_json()
    if as_json:
        print_json(data)
        return
    table = Table(title=say("Close status {year}", year=year))
    table.add_column(say("Period"))
    table.add_column(say("Status"))
    for p in found.periods:
        table.add_row(str(p.period), say(STATUSES.get(p.status, p.status)))
    out.print(table)
    closed = sum(1 for p in found.periods if p.status != "open")
    run_ = found.true_up
    months = counted(closed, "{n} of 12 months closed", "{n} of 12 months closed")
    if run_ is None:
        true_up_said = say("true-up: not run")
    else:
        true_up_said = say(
            "true-up: {mode}, run {at} UTC by {actor}",
            mode=_mode(run_.mode.value),
            at=_moment(run_.at),
            actor=run_.actor,
        )
    out.print(f"{months}{semicolon(language())}{true_up_said}", markup=False, highlight=False)


STATUSES = {"closed": "Closed", "open": "Open"}
"""A month's status (the JSON's code) as the status table says it (the ``messages`` catalogue's ids)."""


def _mode(mode: str) -> str:
    """A true-up's mode (``settle``, ``carry_forward``) in the command's language: ``carry forward``,
    ``overdragen naar volgend jaar``, ``reporter sur l'année suivante``."""
    return mode.replace("_", " ") if language() == "en" else names()(mode)


def _moment(at: datetime) -> str:
    """A time (UTC) as the command's language writes it: 2025-03-01 14:05, 1 mrt 2025 14:05."""
    return f"{date_text(at)} {at:%H:%M}"


@app.command("statement")
def statement(
    member: Annotated[str, typer.Option(help="The member's enterprise number.")],
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV lines.")] = False,
) -> None:
    """A member's statement: delivered services, total to date, budget against actual, projection."""
    from mutua.charging.service.reporting import member_statement
    from mutua.registry.domain import enterprise_number

    try:
        number = enterprise_number(member)
    except ValueError as exc:
        raise refused_for(exc) from None
    month = period_arg(period)
    data = run(lambda: member_statement(state.uow(), number, month))
    if not data.closed:
        from datetime import UTC

        from mutua.kernel.periods import Period

        now = datetime.now(UTC)
        when = "is in the future" if month > Period(now.year, now.month) else "is not closed yet"
        lang = language()
        why = translate_message(f"period {month} {when}: nothing is charged yet", lang)
        err.print(f"[bold red]{escape(translate_message('error', lang))}:[/] {escape(why)}", highlight=False)
        raise typer.Exit(1)
    if as_json:
        print_json(data.as_json())
        return
    if as_csv:
        from mutua.charging.service.reporting import statement_csv

        sys.stdout.write(statement_csv(data))
        return
    said = say("({member}), statement {period}", member=data.member.enterprise_number, period=data.period)
    out.print(f"[bold]{escape(data.member.name)}[/] {escape(said)}", highlight=False)
    label = names()
    for e in data.engagements:
        table = Table(title=f"{e.engagement}{between()}{e.title}", title_justify="left")
        for col in ("Service", "Detail", "Quantity", "Unit", "Tariff", "Amount"):
            table.add_column(
                say(col), justify="right" if col in ("Quantity", "Tariff", "Amount") else "left", overflow="fold"
            )
        for ln in e.lines:
            table.add_row(
                label(ln.service_name),
                label(ln.detail),
                figure(ln.quantity),
                label(ln.unit),
                figure(ln.unit_price, 2),
                amount(ln.amount),
            )
        caption = say(
            "period {period} | to date {to_date} of budget {budget} ({used}) | projection {projection}",
            period=money(e.period_total),
            to_date=money(e.to_date),
            budget=money(e.budget),
            used=percent(e.budget_used_pct),
            projection=money(e.projection),
        )
        over = f" [red]{escape(say('over budget'))}[/]" if e.projection_over_budget else ""
        table.caption = escape(caption) + over
        out.print(table)
    said = say(
        "total this period {period}; to date {to_date}; projection to year end {projection} against budget {budget}",
        period=money(data.period_total),
        to_date=money(data.to_date),
        projection=money(data.projection),
        budget=money(data.budget),
    )
    out.print(said, markup=False, highlight=False)


CENTRE_HEADERS = ("Centre", "Kind", "Cost", "Income", "Direct", "Received", "Passed on", "After allocation")
"""The centres' table's columns (the ``messages`` catalogue's ids)."""


def print_report(report: AssociationReport) -> None:
    label = names()
    closed = counted(report.periods_closed, "{n} month closed", "{n} months closed")
    true_up = _mode(report.true_up) if report.true_up else say("not run")
    said = say("report {year} ({closed}, true-up: {true_up})", year=report.year, closed=closed, true_up=true_up)
    out.print(f"[bold]{escape(report.association)}[/]{escape(between() + said)}", highlight=False)
    if not report.periods_closed:
        note = report.as_json().get("note", "")
        nothing(
            escape(
                translate_message(note, language())
                if note
                else say("no month of {year} is closed yet: nothing to report", year=report.year)
            )
        )
        return
    title = say("Cost by centre (support allocation: {method})", method=label(report.support_method))
    centres = Table(title=title, title_justify="left")
    for col in CENTRE_HEADERS:
        centres.add_column(say(col), justify="left" if col in ("Centre", "Kind") else "right")
    for c in report.centres:
        centres.add_row(
            f"{c.centre} {label(c.name)}",
            coded("centre kind", c.kind),
            amount(c.cost),
            amount(c.income),
            amount(c.direct),
            amount(c.received),
            amount(c.passed_on),
            amount(c.after_allocation),
        )
    centres.add_row(
        say("Total"),
        "",
        amount(report.gross_cost),
        amount(report.other_income),
        amount(report.total_cost),
        amount(sum((c.received for c in report.centres), Decimal("0.00"))),
        amount(sum((c.passed_on for c in report.centres), Decimal("0.00"))),
        amount(sum((c.after_allocation for c in report.centres), Decimal("0.00"))),
    )
    out.print(centres)
    services = Table(title=say("Result per service"), title_justify="left")
    for col in ("Service", "Activity", "Revenue", "Cost", "Result"):
        services.add_column(say(col), justify="left" if col in ("Service", "Activity") else "right")
    for s in report.services:
        services.add_row(
            f"{s.service} {label(s.name)}",
            coded("activity", s.activity),
            amount(s.revenue),
            amount(s.cost),
            amount(s.result),
        )
    out.print(services)
    for rows, title, header in (
        (report.revenue_by_activity, "Revenue by activity", "Activity"),
        (report.revenue_by_client_group, "Revenue by client group", "Client group"),
    ):
        table = Table(title=say(title), title_justify="left")
        table.add_column(say(header))
        table.add_column(say("Revenue"), justify="right")
        table.add_column(say("Share"), justify="right")
        for row in rows:
            kind = "client group" if header == "Client group" else "activity"
            table.add_row(coded(kind, row.label), amount(row.revenue), percent(row.share_pct))
        out.print(table)
    verdict = (
        f"[green]{escape(say('zero result: yes'))}[/]"
        if report.zero_result
        else f"[yellow]{escape(say('zero result: not (yet)'))}[/]"
    )
    said = say(
        "costs {costs} less other income {income} = total cost {total} | revenue {revenue} | "
        "carried forward {carried} | result {result}",
        costs=money(report.gross_cost),
        income=money(report.other_income),
        total=money(report.total_cost),
        revenue=money(report.total_revenue),
        carried=money(report.carried_forward),
        result=money(report.result),
    )
    out.print(f"{escape(said)} | {verdict}", highlight=False)


@app.command("report")
def report(year: int, as_json: JsonFlag = False) -> None:
    """The association's report: centres before and after allocation, services, revenue, zero result."""
    from mutua.charging.service.reporting import association_report

    found = run(lambda: association_report(state.uow(), year))
    if as_json:
        print_json(found.as_json())
    else:
        print_report(found)


@tariffs_app.command("propose")
def tariffs_propose(
    year: Annotated[int, typer.Argument(help="The closed year to start from; tariffs are for the next.")],
    model_out: Annotated[Path | None, typer.Option(help="Write the cost model with the proposed tariffs here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Propose next year's tariffs from this year's actual cost, volumes and carried-forward balance."""
    from mutua.charging.service.tariffs import propose_next_year

    proposal = run(lambda: propose_next_year(state.uow(), year))
    if model_out is not None:
        model_out.write_text(proposal.model, encoding="utf-8")
    data = proposal.as_json()
    if as_json:
        print_json({k: v for k, v in data.items() if k != "model"})
        return
    table = Table(title=say("Proposed tariffs {year}", year=proposal.year))
    table.add_column(say("Service"))
    table.add_column(say("Tariff"))
    for t in data["tariffs"]:
        table.add_row(t["service"], tariff_text(t))
    out.print(table)
    lang = language()
    for note in proposal.notes:
        out.print(say("Note") + between() + translate_message(note, lang), markup=False, highlight=False)
    if model_out is not None:
        said = say(
            "cost model with these tariffs written to {file}: review it, then `mutua model import`", file=model_out
        )
        out.print(said, markup=False, highlight=False)
