"""``mutua purchasing ...``: framework agreements, catalogues, accessions, orders, commissions and
follow-up. Every reporting command takes ``--json``; bad input is refused whole with every problem
named (exit code 2), nothing written."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mutua.platform.cli.output import JsonFlag, eur, out, plural, print_json, run
from mutua.platform.cli.runtime import state

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the purchasing context."""


purchasing_app = typer.Typer(
    help="Framework agreements: agreements, catalogues, accessions, orders, commissions, alerts.", no_args_is_help=True
)
app.add_typer(purchasing_app, name="purchasing")

OnOption = Annotated[
    str | None, typer.Option("--on", help="The day it happens, YYYY-MM-DD (default: today, UTC).", show_default=False)
]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text}") from None


def _required_day(text: str) -> date:
    found = _day(text)
    assert found is not None
    return found


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise typer.BadParameter(f"not a number: {text}") from None
    if not value.is_finite():
        raise typer.BadParameter(f"not a number: {text}")
    return value


def _pairs(items: list[str], what: str) -> list[tuple[str, Decimal]]:
    found = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{what} are written KEY=QUANTITY, not {item!r}")
        found.append((key.strip(), _number(value)))
    return found


# -- agreements ------------------------------------------------------------------------------------


@purchasing_app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="The agreement file (YAML or JSON).")], as_json: JsonFlag = False
) -> None:
    """Load a framework agreement (lots, suppliers, clause, documents) from its agreement file."""
    from mutua.purchasing.service import agreements

    view = run(lambda: agreements.load_agreement(state.uow(), path))
    if as_json:
        print_json(view.as_json())
        return
    a = view.agreement
    out.print(
        f"agreement {a.reference}: {plural(len(view.lots), 'lot')}, ceiling {eur(a.ceiling)} EUR, "
        f"{plural(len(view.documents), 'document')}"
    )


@purchasing_app.command("agreements")
def list_agreements(as_json: JsonFlag = False) -> None:
    """Every agreement with its term, ceiling, consumption and members."""
    from mutua.purchasing.service import agreements

    found = run(lambda: agreements.agreements_overview(state.uow()))
    if as_json:
        print_json([s.as_json() for s in found])
        return
    for s in found:
        a = s.agreement
        out.print(
            f"{a.reference:28} {a.starts_on} to {a.term_end}  {eur(s.consumed):>16} of {eur(a.ceiling):>16} EUR  "
            f"{plural(s.lots, 'lot')}, {plural(s.members, 'member')}  {a.title_nl}",
            highlight=False,
        )


@purchasing_app.command("show")
def show(reference: str, as_json: JsonFlag = False) -> None:
    """An agreement with its lots, suppliers (cascade), documents, consumption and accessions."""
    from mutua.purchasing.service import agreements

    view = run(lambda: agreements.agreement_detail(state.uow(), reference))
    data = view.as_json()
    if as_json:
        print_json(data)
        return
    out.print(f"{data['reference']}: {data['title_nl']} / {data['title_fr']}", highlight=False)
    out.print(f"  {data['procedure']}, awarded {data['award_date']}, term {data['starts_on']} to {data['term_end']}")
    out.print(
        f"  ceiling {eur(data['ceiling'])} EUR, consumed {eur(data['consumed'])}; clause: {data['clause']['scope']}"
    )
    for lot in data["lots"]:
        suppliers = ", ".join(f"{s['code']}" + (f" ({s['rank']})" if s["rank"] else "") for s in lot["suppliers"])
        out.print(
            f"  lot {lot['number']} {lot['title_nl']} [{lot['kind']}, {lot['award_rule']}] "
            f"{eur(lot['consumed'])} of {eur(lot['ceiling'])}: {suppliers}",
            highlight=False,
        )
    for d in data["documents"]:
        out.print(f"  {d['kind']}: {d['filename']} sha256 {d['sha256']}", highlight=False)
    out.print(f"  {len(data['accessions'])} members joined")


@purchasing_app.command("renew")
def renew(reference: str, on: OnOption = None) -> None:
    """Exercise an agreement's next renewal."""
    from mutua.purchasing.service import agreements

    renewed = run(lambda: agreements.renew_agreement(state.uow(), reference, _day(on)))
    out.print(f"{reference} renewed ({renewed.renewed} of {renewed.renewals}): its term ends on {renewed.term_end}")


@purchasing_app.command("document")
def document(
    reference: str,
    kind: Annotated[str, typer.Argument(help="specification, award_decision, price_list or other.")],
    path: Path,
    title: Annotated[str, typer.Option(help="The document's title.")] = "",
) -> None:
    """Keep a document with an agreement (by its SHA-256)."""
    from mutua.purchasing.domain import DocumentKind
    from mutua.purchasing.service import agreements

    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        raise typer.BadParameter(f"kind must be one of: {', '.join(k.value for k in DocumentKind)}") from None
    kept = run(lambda: agreements.add_document(state.uow(), reference, document_kind, path, title))
    out.print(f"{kept.filename} kept with {reference}: sha256 {kept.sha256}", highlight=False)


@purchasing_app.command("regions")
def regions(path: Annotated[Path, typer.Argument(help="CSV: enterprise_number, region.")]) -> None:
    """The members' regions (flemish, walloon, brussels, german_speaking, federal) for the clauses."""
    from mutua.purchasing.service import agreements

    result = run(lambda: agreements.import_member_regions(state.uow(), path))
    out.print(f"{result.rows} members' regions from {path}")


# -- catalogues ------------------------------------------------------------------------------------


@purchasing_app.command("price-list")
def price_list(
    reference: str,
    lot: int,
    supplier: str,
    path: Annotated[Path, typer.Argument(help="The supplier's price list, CSV (UTF-8) or XLSX.")],
    valid_from: Annotated[str, typer.Option("--valid-from", help="The first day of its prices, YYYY-MM-DD.")],
    sheet: Annotated[str | None, typer.Option(help="The XLSX sheet (default: the first).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a supplier's price list into a lot's catalogue; every bad line is named, nothing written."""
    from mutua.purchasing.service import catalogue

    result = run(
        lambda: catalogue.import_price_list(
            state.uow(), reference, lot, supplier.upper(), path, _required_day(valid_from), sheet
        )
    )
    if as_json:
        print_json(result.as_json())
        return
    out.print(
        f"{reference} lot {lot} {supplier}: {result.new} new, {result.repriced} repriced, {result.changed} changed, "
        f"{result.unchanged} unchanged, {result.withdrawn} withdrawn (batch {result.batch_id})"
    )


@purchasing_app.command("index")
def index(
    reference: str,
    value: Annotated[str, typer.Argument(help="The index's published value for this revision.")],
    applies_from: Annotated[str, typer.Option("--from", help="The first day of the revised prices, YYYY-MM-DD.")],
    as_json: JsonFlag = False,
) -> None:
    """Revise an agreement's prices by its index, with the computation shown."""
    from mutua.purchasing.service import catalogue

    result = run(lambda: catalogue.index_prices(state.uow(), reference, _number(value), _required_day(applies_from)))
    if as_json:
        print_json(result.as_json())
        return
    ix = result.indexation
    out.print(f"indexation {ix.number} of {reference} from {ix.applies_from}: {ix.computation}; {ix.items} items")
    for code, supplier, _old, _new, how in result.lines[:20]:
        out.print(f"  {supplier} {code}: {how}", highlight=False)


@purchasing_app.command("history")
def history(item: Annotated[int, typer.Argument(help="The catalogue item's id.")], as_json: JsonFlag = False) -> None:
    """Every price an item had, and where it came from."""
    from mutua.purchasing.service import catalogue

    found = run(lambda: catalogue.price_history(state.uow(), item))
    if as_json:
        print_json(found.as_json())
        return
    for p in found.points:
        out.print(
            f"{p.valid_from}  {eur(p.price):>12}  {p.source.value} {p.reference} {p.computation}", highlight=False
        )


# -- accessions ------------------------------------------------------------------------------------


@purchasing_app.command("join")
def join(
    member: Annotated[str, typer.Argument(help="The member's enterprise number.")],
    reference: str,
    decided_on: Annotated[str, typer.Option("--decided-on", help="The day of the council's decision.")],
    decision: Annotated[str, typer.Option("--decision", help="The decision's reference.")],
    document_path: Annotated[Path | None, typer.Option("--document", help="The decision's document.")] = None,
) -> None:
    """A member joins an agreement by a decision of its council (refused outside the clause's scope)."""
    from mutua.kernel.ids import enterprise_number
    from mutua.purchasing.service import accessions

    try:
        number = enterprise_number(member)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    view = run(
        lambda: accessions.join_agreement(
            state.uow(), number, reference, _required_day(decided_on), decision, document_path
        )
    )
    out.print(f"{view.member_name} joined {reference} (decision {view.accession.decision_reference})", highlight=False)


@purchasing_app.command("accessions")
def list_accessions(
    reference: Annotated[str | None, typer.Option("--agreement", help="Only this agreement's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Who joined which agreement."""
    from mutua.purchasing.service import accessions

    found = run(lambda: accessions.accessions(state.uow(), reference))
    if as_json:
        print_json([x.as_json() for x in found])
        return
    for x in found:
        a = x.accession
        out.print(
            f"{a.agreement:28} {a.decided_on}  {a.member}  {x.member_name}  {a.decision_reference}", highlight=False
        )


# -- orders ----------------------------------------------------------------------------------------


def _print_order(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.as_json())
        return
    o = view.order
    out.print(f"order {o.number} ({o.status.value}): {eur(o.value)} EUR, {o.agreement} lot {o.lot}, {o.supplier}")


@purchasing_app.command("order")
def order(
    member: str,
    reference: str,
    lot: int,
    supplier: str,
    lines: Annotated[list[str], typer.Argument(help="Items as CODE=QUANTITY.")],
    engagement: Annotated[str | None, typer.Option(help="The engagement it is charged to (consultancy).")] = None,
    channel: Annotated[str, typer.Option(help="direct or association.")] = "direct",
    buyer_reference: Annotated[str, typer.Option("--buyer-reference", help="The member's own reference.")] = "",
    cascade_reason: Annotated[
        str, typer.Option("--cascade-reason", help="Why a supplier after the first of the cascade is asked.")
    ] = "",
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Draft an order (call-off) of catalogue items."""
    from mutua.purchasing.domain import Channel
    from mutua.purchasing.service import orders

    try:
        how = Channel(channel)
    except ValueError:
        raise typer.BadParameter("channel must be direct or association") from None
    view = run(
        lambda: orders.draft_order(
            state.uow(),
            member,
            reference,
            lot,
            supplier.upper(),
            _pairs(lines, "lines"),
            engagement=engagement,
            channel=how,
            buyer_reference=buyer_reference,
            cascade_reason=cascade_reason,
            on=_day(on),
        )
    )
    _print_order(view, as_json)


def _step(name: str, help_: str) -> None:
    def command(member: str, number: str, on: OnOption = None, as_json: JsonFlag = False) -> None:
        from mutua.purchasing.service import orders

        use = getattr(orders, name)
        _print_order(run(lambda: use(state.uow(), member, number, on=_day(on))), as_json)

    command.__doc__ = help_
    purchasing_app.command(name.split("_")[0])(command)


_step("approve_order", "Approve a draft order (every rule checked again; it counts against the ceilings).")
_step("place_order", "Place an approved order with the supplier.")


@purchasing_app.command("deliver")
def deliver(
    member: str,
    number: str,
    lines: Annotated[list[str] | None, typer.Argument(help="LINE=QUANTITY delivered now (default: all).")] = None,
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a delivery (partly or in full)."""
    from mutua.purchasing.service import orders

    delivered = {int(k): v for k, v in _pairs(lines, "deliveries")} if lines else None
    _print_order(run(lambda: orders.record_delivery(state.uow(), member, number, delivered, _day(on))), as_json)


@purchasing_app.command("invoice")
def invoice(
    member: str,
    number: str,
    invoice_reference: Annotated[str, typer.Option("--invoice", help="The supplier's invoice number.")] = "",
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record the supplier's invoice of a delivered order (a consultancy order's goes into the ledger)."""
    from mutua.purchasing.service import orders

    _print_order(run(lambda: orders.record_invoice(state.uow(), member, number, invoice_reference, _day(on))), as_json)


@purchasing_app.command("cancel")
def cancel(
    member: str,
    number: str,
    reason: Annotated[str, typer.Option(help="Why it is cancelled.")],
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Cancel an order not yet delivered."""
    from mutua.purchasing.service import orders

    _print_order(run(lambda: orders.cancel_order(state.uow(), member, number, reason, _day(on))), as_json)


@purchasing_app.command("orders")
def list_orders(
    member: Annotated[str | None, typer.Option(help="Only this member's.")] = None,
    reference: Annotated[str | None, typer.Option("--agreement", help="Only this agreement's.")] = None,
    status: Annotated[str | None, typer.Option(help="Only orders in this status.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Orders, with their status and value."""
    from mutua.purchasing.domain import OrderStatus
    from mutua.purchasing.service import orders

    try:
        wanted = OrderStatus(status) if status else None
    except ValueError:
        raise typer.BadParameter(f"status must be one of: {', '.join(s.value for s in OrderStatus)}") from None
    if member:
        found = run(lambda: orders.member_orders(state.uow(), member, wanted))
        found = [o for o in found if reference is None or o.agreement == reference]
    else:
        found = run(lambda: orders.all_orders(state.uow(), reference, wanted))
    if as_json:
        print_json([orders.OrderView(o).as_json() for o in found])
        return
    for o in found:
        out.print(
            f"{o.number}  {o.member}  {o.agreement:24} lot {o.lot}  {o.supplier:10} {o.status.value:17} "
            f"{eur(o.value):>14}",
            highlight=False,
        )


# -- commissions and follow-up ---------------------------------------------------------------------


class _QuarterOrCommand(TyperGroup):
    """``commissions 2025-Q1`` computes a quarter's statements (``commissions compute 2025-Q1``);
    ``commissions ledger 2025`` writes a year's as ledger lines."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own click Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["compute", *args]
        return super().parse_args(ctx, args)


commissions_app = typer.Typer(
    cls=_QuarterOrCommand,
    no_args_is_help=True,
    help="The suppliers' commissions: compute a quarter's statements (commissions YYYY-Qn), or write "
    "a year's as ledger lines for the close (commissions ledger YEAR).",
)
purchasing_app.add_typer(commissions_app, name="commissions")


@commissions_app.command("compute")
def commissions_command(
    quarter: Annotated[str, typer.Argument(help="The quarter, YYYY-Qn.")],
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Compute and number the quarter's commission statements, one per supplier."""
    from mutua.purchasing.domain import Quarter
    from mutua.purchasing.service import commissions

    try:
        which = Quarter.parse(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    made = run(lambda: commissions.compute_commissions(state.uow(), which, _day(on)))
    if as_json:
        print_json([v.as_json() for v in made])
        return
    for v in made:
        s = v.statement
        out.print(f"{s.number}  {s.supplier:10} base {eur(s.base):>14}  commission {eur(s.commission):>12} EUR")


@commissions_app.command("ledger")
def commissions_ledger(
    year: Annotated[int, typer.Argument(help="The year the statements were issued in.", min=2000, max=2100)],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The ledger file to write (default: the standard output).")
    ] = None,
    account: Annotated[str, typer.Option(help="The income account (class 7) of the cost model.")] = "743100",
    centre: Annotated[str, typer.Option(help="The purchasing team's cost centre.")] = "PUR",
    as_json: JsonFlag = False,
) -> None:
    """The year's commission statements as ledger lines (income on the purchasing team's centre, net
    of VAT, in the month each was issued) in Mutua's ledger format: `mutua import ledger FILE`
    books them. Statements already in the ledger are left out."""
    from mutua.purchasing.service import funding

    found = run(lambda: funding.commission_ledger(state.uow(), year, account, centre))
    if output is not None:
        output.write_text(found.csv(), encoding="utf-8")
    if as_json:
        print_json(found.as_json())
        return
    if output is None:
        sys.stdout.write(found.csv())
        return
    lines = len(found.lines)
    out.print(
        f"{lines} commission statement{'s' if lines != 1 else ''} of {year}, {eur(found.total)} EUR on "
        f"{found.account} / {found.centre}, written to {output}"
        + (f" ({len(found.already)} in the ledger already, left out)" if found.already else ""),
        highlight=False,
    )


@purchasing_app.command("funding")
def funding_command(
    year: Annotated[int | None, typer.Option(help="The year of the commissions (default: this year).")] = None,
    centre: Annotated[str, typer.Option(help="The purchasing team's cost centre.")] = "PUR",
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The year's commissions against the purchasing team's cost in the close, and the coverage."""
    from mutua.purchasing.service import funding

    found = run(lambda: funding.purchasing_funding(state.uow(), year, centre, _day(on)))
    if as_json:
        print_json(found.as_json())
        return
    _print_funding(found)


def _print_funding(f: Any) -> None:
    text = f"funding  {f.year}: commission income {eur(f.income)} EUR ({f.statements} statements)"
    if not f.known_centre:
        text += f"; the cost model has no centre {f.centre}"
    elif f.cost is None:
        text += f"; no closed month yet for the cost of {f.centre}"
    else:
        text += f" against {f.centre}'s cost {eur(f.cost)} EUR ({f.cost_year}, {f.cost_months} months closed)"
        if f.coverage is not None:
            text += f": {f.coverage} %"
    out.print(text, highlight=False, soft_wrap=True)


@purchasing_app.command("statements")
def statements(
    quarter: Annotated[str | None, typer.Option(help="Only this quarter's (YYYY-Qn).")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The commission statements."""
    from mutua.purchasing.domain import Quarter
    from mutua.purchasing.service import commissions

    which = Quarter.parse(quarter) if quarter else None
    found = run(lambda: commissions.commission_statements(state.uow(), which, supplier))
    if as_json:
        print_json([v.as_json() for v in found])
        return
    for v in found:
        s = v.statement
        out.print(
            f"{s.number}  {s.quarter}  {s.supplier:10} base {eur(s.base):>14}  commission {eur(s.commission):>12}"
        )


@purchasing_app.command("consumption")
def consumption(reference: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Consumption per agreement and lot against the ceilings (computed from the orders)."""
    from mutua.purchasing.service import followup

    found = run(lambda: followup.consumption(state.uow(), reference))
    if as_json:
        print_json(
            [
                {
                    "agreement": c.agreement,
                    "lot": c.lot,
                    "ceiling": str(c.ceiling),
                    "consumed": str(c.consumed),
                    "remaining": str(c.remaining),
                    "share": str(c.share),
                }
                for c in found
            ]
        )
        return
    for c in found:
        where = c.agreement if c.lot is None else f"  lot {c.lot}"
        out.print(f"{where:28} {eur(c.consumed):>16} of {eur(c.ceiling):>16}  {c.share * 100:.2f} %", highlight=False)


@purchasing_app.command("alerts")
def alerts(
    within: Annotated[int, typer.Option(help="Days ahead for terms ending.")] = 180,
    on: OnOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Expiry, renewal and ceiling alerts (for a cron job: --json), then the year's funding (`funding`)."""
    from mutua.purchasing.service import followup

    found = run(lambda: followup.purchasing_alerts(state.uow(), _day(on), within))
    if as_json:
        print_json([a.as_json() for a in found])
        return
    for a in found:
        out.print(f"{a.kind.value:8} {a.message}", highlight=False)
    if not found:
        out.print("no alerts")
    from mutua.kernel.problems import MutuaError
    from mutua.purchasing.service import funding

    with contextlib.suppress(MutuaError):  # no cost model yet: the alerts alone
        _print_funding(funding.purchasing_funding(state.uow(), on=_day(on)))


@purchasing_app.command("savings")
def savings(
    member: Annotated[str | None, typer.Option(help="Only this member's orders.")] = None, as_json: JsonFlag = False
) -> None:
    """What members would have paid at their own tenders against the agreements' prices."""
    from mutua.purchasing.service import followup

    found = run(
        lambda: followup.member_savings(state.uow(), member) if member else followup.association_savings(state.uow())
    )
    if as_json:
        print_json(
            [
                {
                    "agreement": s.agreement,
                    "lot": s.lot,
                    "orders": s.orders,
                    "value": str(s.value),
                    "reference_value": str(s.reference_value),
                    "savings": str(s.savings),
                }
                for s in found
            ]
        )
        return
    for s in found:
        out.print(f"{s.agreement:28} lot {s.lot}  {eur(s.value):>16}  saved {eur(s.savings):>14}", highlight=False)


def _register_publication() -> None:
    """The publication's and the statements' documents' commands (``cli_publish``)."""
    from mutua.purchasing import cli_publish

    cli_publish.register(purchasing_app)


_register_publication()
