"""``mutua`` commands of the charging context."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mutua.platform.cli.output import (
    JsonFlag,
    decimal_text,
    err,
    eur,
    nothing,
    out,
    period_arg,
    plural,
    print_json,
    report_import,
    run,
    tariff_text,
)
from mutua.platform.cli.runtime import state

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
        out.print(
            f"{result.period} closed: {plural(result.charges, 'charge')}, EUR {eur(result.total_charged)} charged; "
            f"direct cost EUR {eur(result.direct_cost)}"
        )


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
        raise typer.BadParameter("mode must be settle or carry_forward") from None
    result = run(lambda: action(state.uow(), year, chosen))
    if as_json:
        print_json(result.as_json())
        return
    out.print(
        f"true-up {year} ({chosen.value}): cost EUR {eur(result.total_cost)}, charged EUR "
        f"{eur(result.total_charged)}, settlement EUR {eur(result.settlement_total)}; "
        f"{plural(result.members_owing, 'member')} {'owes' if result.members_owing == 1 else 'owe'}, "
        f"{plural(result.members_refunded, 'member')} {'is' if result.members_refunded == 1 else 'are'} refunded; "
        f"result EUR {eur(result.result)}"
    )


@app.command("status")
def status(year: int, as_json: JsonFlag = False) -> None:
    """Which months of a year are closed, and whether the true-up ran."""
    from mutua.charging.service.close import close_status

    found = run(lambda: close_status(state.uow(), year))
    data = found.as_json()
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Close status {year}")
    table.add_column("period")
    table.add_column("status")
    for p in found.periods:
        table.add_row(str(p.period), p.status)
    out.print(table)
    closed = sum(1 for p in found.periods if p.status != "open")
    run_ = found.true_up
    out.print(
        f"{closed} of 12 months closed; true-up: "
        + (
            "not run"
            if run_ is None
            else f"{run_.mode.value.replace('_', ' ')}, run {run_.at:%Y-%m-%d %H:%M} UTC by {run_.actor}"
        ),
        highlight=False,
    )


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
        raise typer.BadParameter(str(exc)) from None
    month = period_arg(period)
    data = run(lambda: member_statement(state.uow(), number, month))
    if not data.closed:
        from datetime import UTC, datetime

        from mutua.kernel.periods import Period

        now = datetime.now(UTC)
        when = "is in the future" if month > Period(now.year, now.month) else "is not closed yet"
        err.print(f"[bold red]error:[/] period {month} {when}: nothing is charged yet", highlight=False)
        raise typer.Exit(1)
    if as_json:
        print_json(data.as_json())
        return
    if as_csv:
        from mutua.charging.service.reporting import statement_csv

        sys.stdout.write(statement_csv(data))
        return
    out.print(f"[bold]{data.member.name}[/] ({data.member.enterprise_number}), statement {data.period}")
    for e in data.engagements:
        table = Table(title=f"{e.engagement}: {e.title}", title_justify="left")
        for col in ("service", "detail", "quantity", "unit", "tariff", "amount"):
            table.add_column(
                col, justify="right" if col in ("quantity", "tariff", "amount") else "left", overflow="fold"
            )
        for ln in e.lines:
            table.add_row(
                ln.service_name,
                ln.detail,
                decimal_text(ln.quantity),
                ln.unit,
                decimal_text(ln.unit_price, 2),
                eur(ln.amount),
            )
        table.caption = (
            f"period EUR {eur(e.period_total)} | to date EUR {eur(e.to_date)} of budget "
            f"EUR {eur(e.budget)} ({e.budget_used_pct} %) | projection EUR "
            f"{eur(e.projection)}" + (" [red]over budget[/]" if e.projection_over_budget else "")
        )
        out.print(table)
    out.print(
        f"total this period EUR {eur(data.period_total)}; to date EUR {eur(data.to_date)}; "
        f"projection to year end EUR {eur(data.projection)} against budget EUR {eur(data.budget)}"
    )


def print_report(report: AssociationReport) -> None:
    out.print(
        f"[bold]{report.association}[/]: report {report.year} "
        f"({plural(report.periods_closed, 'month')} closed, true-up: "
        f"{(report.true_up or 'not run').replace('_', ' ')})"
    )
    if not report.periods_closed:
        nothing(report.as_json().get("note", "") or f"no month of {report.year} is closed yet: nothing to report")
        return
    centres = Table(title=f"Cost by centre (support allocation: {report.support_method})", title_justify="left")
    for col in ("centre", "kind", "cost", "income", "direct", "received", "passed on", "after allocation"):
        centres.add_column(col, justify="left" if col in ("centre", "kind") else "right")
    for c in report.centres:
        centres.add_row(
            f"{c.centre} {c.name}",
            c.kind,
            eur(c.cost),
            eur(c.income),
            eur(c.direct),
            eur(c.received),
            eur(c.passed_on),
            eur(c.after_allocation),
        )
    centres.add_row(
        "total",
        "",
        eur(report.gross_cost),
        eur(report.other_income),
        eur(report.total_cost),
        eur(sum((c.received for c in report.centres), Decimal("0.00"))),
        eur(sum((c.passed_on for c in report.centres), Decimal("0.00"))),
        eur(sum((c.after_allocation for c in report.centres), Decimal("0.00"))),
    )
    out.print(centres)
    services = Table(title="Result per service", title_justify="left")
    for col in ("service", "activity", "revenue", "cost", "result"):
        services.add_column(col, justify="left" if col in ("service", "activity") else "right")
    for s in report.services:
        services.add_row(f"{s.service} {s.name}", s.activity, eur(s.revenue), eur(s.cost), eur(s.result))
    out.print(services)
    for rows, label in ((report.revenue_by_activity, "activity"), (report.revenue_by_client_group, "client_group")):
        table = Table(title=f"Revenue by {label.replace('_', ' ')}", title_justify="left")
        table.add_column(label)
        table.add_column("revenue", justify="right")
        table.add_column("share", justify="right")
        for row in rows:
            table.add_row(row.label, eur(row.revenue), f"{row.share_pct} %")
        out.print(table)
    verdict = "[green]zero result: yes[/]" if report.zero_result else "[yellow]zero result: not (yet)[/]"
    out.print(
        f"costs EUR {eur(report.gross_cost)} less other income EUR {eur(report.other_income)} = "
        f"total cost EUR {eur(report.total_cost)} | revenue EUR {eur(report.total_revenue)} | "
        f"carried forward EUR {eur(report.carried_forward)} | result EUR {eur(report.result)} | {verdict}"
    )


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
    table = Table(title=f"Proposed tariffs {proposal.year}")
    table.add_column("service")
    table.add_column("tariff")
    for t in data["tariffs"]:
        table.add_row(t["service"], tariff_text(t))
    out.print(table)
    for note in proposal.notes:
        out.print(f"note: {note}")
    if model_out is not None:
        out.print(f"cost model with these tariffs written to {model_out}: review it, then `mutua model import`")
