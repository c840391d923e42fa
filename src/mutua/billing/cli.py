"""``mutua invoices`` (issue, list, show, export, correct, statement) and ``mutua export focus``."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mutua.kernel.periods import Period
from mutua.platform.cli.output import (
    JsonFlag,
    amount,
    between,
    counted,
    date_text,
    figure,
    language,
    money,
    names,
    nothing,
    out,
    period_arg,
    print_json,
    refused,
    refused_for,
    run,
    say,
)
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import translate_message

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the billing context."""


invoices_app = typer.Typer(
    help="Invoices and credit notes: issue, list, show, export (UBL, PDF).", no_args_is_help=True
)
export_app = typer.Typer(help="Cost exports for the members' tools.", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")
app.add_typer(export_app, name="export")

DateOption = Annotated[
    str | None, typer.Option("--date", help="Issue date, YYYY-MM-DD (default: today, UTC).", show_default=False)
]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise refused("not a date (YYYY-MM-DD): {text}", text=text) from None


def _scope(period: str | None, year: int | None) -> tuple[Period | None, int | None]:
    if period is None and year is None:
        raise refused("give --period YYYY-MM or --year YYYY")
    return (period_arg(period) if period else None), year


@invoices_app.command("issue")
def issue(
    period: Annotated[str | None, typer.Argument(help="The closed month to invoice, YYYY-MM.")] = None,
    true_up: Annotated[int | None, typer.Option("--true-up", help="Issue the true-up documents of a year.")] = None,
    issue_date: DateOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue the invoices of a closed month, or the true-up's invoices and credit notes of a year."""
    from mutua.billing import service as billing

    day = _date(issue_date)
    if true_up is not None:
        result = run(lambda: billing.issue_true_up_documents(state.uow(), true_up, day))
    elif period is not None:
        chosen = period_arg(period)
        result = run(lambda: billing.issue_period_invoices(state.uow(), chosen, day))
    else:
        raise refused("give a period YYYY-MM or --true-up YEAR")
    data = result.as_json()
    if as_json:
        print_json(data)
        return
    what = _what(data["what"])
    if not data["documents"]:
        nothing(
            escape(say("{what}: no document to issue (nothing charged, or every document already issued)", what=what))
        )
        return
    said = say(
        "{what}: {documents} issued on {day} ({invoices}, {credit_notes}), {first} to {last}; net {total}",
        what=what,
        documents=counted(data["documents"], "{n} document", "{n} documents"),
        day=date_text(result.issued_on),
        invoices=counted(data["invoices"], "{n} invoice", "{n} invoices"),
        credit_notes=counted(data["credit_notes"], "{n} credit note", "{n} credit notes"),
        first=data["first"],
        last=data["last"],
        total=money(data["net_total"]),
    )
    out.print(said, markup=False, highlight=False)


def _what(what: str) -> str:
    """What an issue run issued (``invoices 2025-01``, ``true-up 2025``, ``correction of
    2025-000042``) in the command's language."""
    return translate_message(what, language())


@invoices_app.command("correct")
def correct(
    number: Annotated[str, typer.Argument(help="The document to correct.")],
    note: Annotated[str, typer.Option(help="Why it is corrected.")] = "",
    issue_date: DateOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Correct an issued document by a new one that reverses it and refers to it."""
    from mutua.billing import service as billing

    result = run(lambda: billing.issue_correction(state.uow(), number, note, _date(issue_date)))
    data = result.as_json()
    if as_json:
        print_json(data)
    else:
        said = say(
            "{what}: {first} issued on {day}, net {total}",
            what=_what(data["what"]),
            first=data["first"],
            day=date_text(result.issued_on),
            total=money(data["net_total"]),
        )
        out.print(said, markup=False, highlight=False)


@invoices_app.command("list")
def list_(
    period: Annotated[str | None, typer.Option(help="The month, YYYY-MM.")] = None,
    year: Annotated[int | None, typer.Option(help="A whole year (its months and true-up).")] = None,
    member: Annotated[str | None, typer.Option(help="Only this member (enterprise number).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The documents of a period or a year, in number order."""
    from mutua.billing import service as billing

    chosen, y = _scope(period, year)
    rows = run(lambda: billing.list_documents(state.uow(), chosen, y, member))
    if as_json:
        print_json([r.as_json() for r in rows])
        return
    if not rows:
        scope = chosen or y
        none = (
            say("no documents issued for {scope} for member {member}", scope=scope, member=member)
            if member
            else say("no documents issued for {scope}", scope=scope)
        )
        nothing(escape(none + between() + say("`mutua invoices issue` issues a closed month's")))
        return
    table = Table(title=say("Documents {scope}", scope=chosen or y))
    # the fixed-width columns keep their width; the member's name takes what is left and wraps
    # between words (a word longer than the column folds): nothing is ever cut
    table.add_column(say("Number"), no_wrap=True, min_width=11)
    table.add_column(say("Kind"), overflow="fold", min_width=7)
    table.add_column(say("Period"), no_wrap=True, min_width=7)
    table.add_column(say("Member"), overflow="fold", ratio=1)
    for col in ("Issued", "Due"):
        table.add_column(say(col), no_wrap=True, min_width=10)
    table.add_column(say("Total"), justify="right", no_wrap=True, min_width=10)
    for r in rows:
        table.add_row(
            r.number,
            _kind(r.kind.value, r.purpose.value),
            str(r.period),
            f"{r.member_name}\n{r.member}",
            date_text(r.issued_on),
            date_text(r.due_on),
            amount(r.signed_total),
        )
    out.print(table)
    total = sum((r.signed_total for r in rows), Decimal("0.00"))
    said = say(
        "{documents}; invoices minus credit notes {total}",
        documents=counted(len(rows), "{n} document", "{n} documents"),
        total=money(total),
    )
    out.print(said, markup=False, highlight=False)


KINDS = {"invoice": "Invoice", "credit_note": "Credit note"}
"""A document's kind (the JSON's code) as a reader reads it (the ``messages`` catalogue's ids)."""
PURPOSES = {"period": "Period", "true_up": "True-up", "correction": "Correction"}
"""A document's purpose (the JSON's code) as a reader reads it (the ``messages`` catalogue's ids)."""


def _kind(kind: str, purpose: str) -> str:
    """``Invoice``, ``Credit note (True-up)``: a document's kind, and its purpose unless a period's."""
    shown = say(KINDS.get(kind, kind))
    return shown if purpose == "period" else f"{shown} ({say(PURPOSES.get(purpose, purpose))})"


@invoices_app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="The document number, e.g. 2025-000042.")],
    xml: Annotated[bool, typer.Option("--xml", help="Print the UBL exactly as issued.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """One document with its lines (or its UBL)."""
    from mutua.billing import service as billing

    if xml:
        sys.stdout.write(run(lambda: billing.document_ubl(state.uow(), number)).decode("utf-8"))
        return
    shown = run(lambda: billing.show_document(state.uow(), number))
    if as_json:
        print_json(shown.as_json())
        return
    d = shown.summary
    head = f"{say(KINDS.get(d.kind.value, d.kind.value))} {d.number}"
    rest = say(
        "({purpose}, {period}) to {name} ({member}); issued {issued}, due {due}; payment reference {reference}",
        purpose=say(PURPOSES.get(d.purpose.value, d.purpose.value)),
        period=d.period,
        name=d.member_name,
        member=d.member,
        issued=date_text(d.issued_on),
        due=date_text(d.due_on),
        reference=d.payment_reference,
    )
    out.print(f"[bold]{escape(head)}[/] {escape(rest)}", highlight=False)
    if shown.refers_to:
        out.print(say("Corrects") + between() + ", ".join(shown.refers_to), markup=False, highlight=False)
    table = Table()
    for col in ("Engagement", "Item", "Quantity", "Unit", "Price", "Amount"):
        table.add_column(say(col), justify="right" if col in ("Quantity", "Price", "Amount") else "left")
    label = names()
    for ln in shown.lines:
        table.add_row(
            ln.engagement,
            label(ln.name),
            figure(ln.quantity),
            label(ln.unit),
            figure(ln.unit_price, 2),
            amount(ln.amount),
        )
    out.print(table)
    out.print(say("total {total} (VAT exempt, VATEX-EU-132-1F)", total=money(d.total)), markup=False, highlight=False)


@invoices_app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder to write into.")],
    period: Annotated[str | None, typer.Option(help="Every document of a month, YYYY-MM.")] = None,
    number: Annotated[list[str] | None, typer.Option("--number", help="A document number (repeatable).")] = None,
    pdf: Annotated[
        bool | None,
        typer.Option(
            "--pdf/--no-pdf",
            help="PDF renderings for every document / for none (default: for members not on Peppol).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write documents as UBL files (NUMBER.xml), and PDF renderings for members not on Peppol."""
    from mutua.billing import service as billing

    if period is None and not number:
        raise refused("give --period YYYY-MM or --number")
    chosen = period_arg(period) if period else None
    paths = run(lambda: billing.export_documents(state.uow(), output, chosen, number or None, pdf))
    if as_json:
        print_json({"written": [str(p) for p in paths]})
    else:
        said = counted(len(paths), "{n} file written to {folder}", "{n} files written to {folder}", folder=output)
        out.print(said, markup=False, highlight=False)


@invoices_app.command("channel")
def channel(
    member: Annotated[str, typer.Argument(help="The member's enterprise number.")],
    via: Annotated[str, typer.Argument(help="peppol (the default) or pdf (not yet on Peppol).")],
) -> None:
    """Record how a member receives its documents: through Peppol, or as PDF."""
    from mutua.billing import service as billing
    from mutua.registry.domain import enterprise_number

    try:
        kbo = enterprise_number(member)
    except ValueError as exc:
        raise refused_for(exc) from None
    run(lambda: billing.set_channel(state.uow(), kbo, via))
    said = (
        say("{member} receives its documents through Peppol", member=kbo)
        if via == "peppol"
        else say("{member} receives its documents as PDF", member=kbo)
    )
    out.print(said, markup=False, highlight=False)


@invoices_app.command("statement")
def statement_pdf(
    member: Annotated[str, typer.Option(help="The member's enterprise number.")],
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The PDF file to write.")],
) -> None:
    """A member's PDF statement of a period, in its language, with budget, spend to date and projection."""
    from mutua.billing import service as billing
    from mutua.charging import member_statement
    from mutua.registry.domain import enterprise_number

    try:
        kbo = enterprise_number(member)
    except ValueError as exc:
        raise refused_for(exc) from None
    month = period_arg(period)

    def pdf() -> bytes:
        return billing.statement_pdf(state.uow(), kbo, month, member_statement(state.uow(), kbo, month))

    data = run(pdf)
    output.write_bytes(data)
    out.print(say("statement written to {file}", file=output), markup=False, highlight=False)


@export_app.command("focus")
def export_focus(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file (default: standard output).")] = None,
    period: Annotated[str | None, typer.Option(help="One closed month, YYYY-MM.")] = None,
    year: Annotated[int | None, typer.Option(help="A whole year, true-up included.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The charges in FinOps FOCUS 1.2 (CostAndUsage) CSV: one row per member, engagement, service
    and month."""
    from mutua.billing import service as billing

    chosen, y = _scope(period, year)
    the_year = chosen.year if chosen is not None else int(y or 0)
    export = run(lambda: billing.focus_export(state.uow(), the_year, chosen))
    text = export.to_csv()
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    summary = {"file": str(output), "rows": len(export.rows), "billed_total": str(export.billed_total)}
    if as_json:
        print_json(summary)
    else:
        said = counted(
            len(export.rows),
            "{n} FOCUS row, BilledCost {total}, written to {file}",
            "{n} FOCUS rows, BilledCost {total}, written to {file}",
            total=money(export.billed_total),
            file=output,
        )
        out.print(said, markup=False, highlight=False)
