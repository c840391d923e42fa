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

from mutua.platform.cli.output import (
    JsonFlag,
    amount,
    between,
    coded,
    counted,
    date_text,
    eur,
    language,
    money,
    names,
    out,
    percent,
    print_json,
    refused,
    refused_for,
    run,
    say,
    told,
)
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import semicolon, translate_message

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
        raise refused("not a date (YYYY-MM-DD): {text}", text=text) from None


def _required_day(text: str) -> date:
    found = _day(text)
    assert found is not None
    return found


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise refused("not a number: {text}", text=text) from None
    if not value.is_finite():
        raise refused("not a number: {text}", text=text)
    return value


WRITTEN = {
    "lines": "lines are written KEY=QUANTITY, not {item}",
    "deliveries": "deliveries are written KEY=QUANTITY, not {item}",
}
"""How each kind of pairs is written, as a refusal says it (messages' ids)."""


def _pairs(items: list[str], what: str) -> list[tuple[str, Decimal]]:
    found = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise refused(WRITTEN[what], item=repr(item))
        found.append((key.strip(), _number(value)))
    return found


def _eur(value: str | Decimal) -> str:
    """An amount with its currency: ``1,234.56 EUR`` as these commands write it in English,
    ``EUR 1.234,56`` in Dutch, ``1 234,56 EUR`` in French."""
    return f"{eur(value)} EUR" if language() == "en" else money(value)


def _title(nl: str, fr: str) -> str:
    """A title the agreement gives in Dutch and French, in the reader's (Dutch for English)."""
    return fr if language() == "fr" and fr else nl


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
    said = say(
        "agreement {reference}: {lots}, ceiling {ceiling}, {documents}",
        reference=a.reference,
        lots=counted(len(view.lots), "{n} lot", "{n} lots"),
        ceiling=_eur(a.ceiling),
        documents=counted(len(view.documents), "{n} document", "{n} documents"),
    )
    out.print(said, markup=False, highlight=False)


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
        said = say(
            "{starts} to {end}  {consumed} of {ceiling}  {lots}, {members}",
            starts=date_text(a.starts_on),
            end=date_text(a.term_end),
            consumed=f"{amount(s.consumed):>16}",
            ceiling=f"{amount(a.ceiling):>16} EUR" if language() == "en" else f"{money(a.ceiling):>20}",
            lots=counted(s.lots, "{n} lot", "{n} lots"),
            members=counted(s.members, "{n} member", "{n} members"),
        )
        out.print(f"{a.reference:28} {said}  {_title(a.title_nl, a.title_fr)}", markup=False, highlight=False)


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
    lang = language()
    label = names()
    said = say(
        "{procedure}, awarded {award}, term {starts} to {end}",
        procedure=coded("procedure", data["procedure"]),
        award=date_text(view.agreement.award_date),
        starts=date_text(view.agreement.starts_on),
        end=date_text(view.agreement.term_end),
    )
    out.print(f"  {said}", markup=False, highlight=False)
    said = say(
        "ceiling {ceiling}, consumed {consumed}; clause: {scope}",
        ceiling=_eur(data["ceiling"]),
        consumed=amount(data["consumed"]),
        scope=translate_message(data["clause"]["scope"], lang),
    )
    out.print(f"  {said}", markup=False, highlight=False)
    for lot in data["lots"]:
        suppliers = ", ".join(f"{s['code']}" + (f" ({s['rank']})" if s["rank"] else "") for s in lot["suppliers"])
        said = say(
            "lot {number} {title} [{kind}, {rule}] {consumed} of {ceiling}: {suppliers}",
            number=lot["number"],
            title=_title(lot["title_nl"], lot.get("title_fr", "")),
            kind=coded("lot kind", lot["kind"]),
            rule=coded("award rule", lot["award_rule"]),
            consumed=amount(lot["consumed"]),
            ceiling=amount(lot["ceiling"]),
            suppliers=suppliers,
        )
        out.print(f"  {said}", markup=False, highlight=False)
    for d in data["documents"]:
        out.print(f"  {label(d['kind'])}{between()}{d['filename']} sha256 {d['sha256']}", markup=False, highlight=False)
    joined = counted(len(data["accessions"]), "{n} member joined", "{n} members joined")
    out.print(f"  {joined}", markup=False, highlight=False)


@purchasing_app.command("renew")
def renew(reference: str, on: OnOption = None) -> None:
    """Exercise an agreement's next renewal."""
    from mutua.purchasing.service import agreements

    renewed = run(lambda: agreements.renew_agreement(state.uow(), reference, _day(on)))
    said = say(
        "{reference} renewed ({renewed} of {renewals}): its term ends on {end}",
        reference=reference,
        renewed=renewed.renewed,
        renewals=renewed.renewals,
        end=date_text(renewed.term_end),
    )
    out.print(said, markup=False, highlight=False)


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
        raise refused("kind must be one of: {kinds}", kinds=", ".join(k.value for k in DocumentKind)) from None
    kept = run(lambda: agreements.add_document(state.uow(), reference, document_kind, path, title))
    said = say(
        "{file} kept with {reference}: sha256 {sha256}", file=kept.filename, reference=reference, sha256=kept.sha256
    )
    out.print(said, markup=False, highlight=False)


@purchasing_app.command("regions")
def regions(path: Annotated[Path, typer.Argument(help="CSV: enterprise_number, region.")]) -> None:
    """The members' regions (flemish, walloon, brussels, german_speaking, federal) for the clauses."""
    from mutua.purchasing.service import agreements

    result = run(lambda: agreements.import_member_regions(state.uow(), path))
    said = counted(result.rows, "{n} member's region from {file}", "{n} members' regions from {file}", file=path)
    out.print(said, markup=False, highlight=False)


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
    said = say(
        "{reference} lot {lot} {supplier}: {new} new, {repriced} repriced, {changed} changed, {unchanged} unchanged, "
        "{withdrawn} withdrawn (batch {batch})",
        reference=reference,
        lot=lot,
        supplier=supplier,
        new=result.new,
        repriced=result.repriced,
        changed=result.changed,
        unchanged=result.unchanged,
        withdrawn=result.withdrawn,
        batch=result.batch_id,
    )
    out.print(said, markup=False, highlight=False)


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
    said = say(
        "indexation {number} of {reference} from {day}: {computation}; {items}",
        number=ix.number,
        reference=reference,
        day=date_text(ix.applies_from),
        computation=ix.computation,
        items=counted(ix.items, "{n} item", "{n} items"),
    )
    out.print(said, markup=False, highlight=False)
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
        source = coded("price source", p.source.value)
        line = f"{date_text(p.valid_from)}  {amount(p.price):>12}  {source} {p.reference} {p.computation}"
        out.print(line, markup=False, highlight=False)


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
        raise refused_for(exc) from None
    view = run(
        lambda: accessions.join_agreement(
            state.uow(), number, reference, _required_day(decided_on), decision, document_path
        )
    )
    said = say(
        "{member} joined {reference} (decision {decision})",
        member=view.member_name,
        reference=reference,
        decision=view.accession.decision_reference,
    )
    out.print(said, markup=False, highlight=False)


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
        line = f"{a.agreement:28} {date_text(a.decided_on)}  {a.member}  {x.member_name}  {a.decision_reference}"
        out.print(line, markup=False, highlight=False)


# -- orders ----------------------------------------------------------------------------------------


def _print_order(view: Any, as_json: bool) -> None:
    if as_json:
        print_json(view.as_json())
        return
    o = view.order
    said = say(
        "order {number} ({status}): {value}, {agreement} lot {lot}, {supplier}",
        number=o.number,
        status=names()(o.status.value),
        value=_eur(o.value),
        agreement=o.agreement,
        lot=o.lot,
        supplier=o.supplier,
    )
    out.print(said, markup=False, highlight=False)


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
        raise refused("channel must be direct or association") from None
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
        raise refused("status must be one of: {statuses}", statuses=", ".join(s.value for s in OrderStatus)) from None
    if member:
        found = run(lambda: orders.member_orders(state.uow(), member, wanted))
        found = [o for o in found if reference is None or o.agreement == reference]
    else:
        found = run(lambda: orders.all_orders(state.uow(), reference, wanted))
    if as_json:
        print_json([orders.OrderView(o).as_json() for o in found])
        return
    label = names()
    for o in found:
        said = say(
            "{number}  {member}  {agreement} lot {lot}  {supplier} {status} {value}",
            number=o.number,
            member=o.member,
            agreement=f"{o.agreement:24}",
            lot=o.lot,
            supplier=f"{o.supplier:10}",
            status=f"{label(o.status.value):17}",
            value=f"{amount(o.value):>14}",
        )
        out.print(said, markup=False, highlight=False)


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
        raise refused_for(exc) from None
    made = run(lambda: commissions.compute_commissions(state.uow(), which, _day(on)))
    if as_json:
        print_json([v.as_json() for v in made])
        return
    for v in made:
        s = v.statement
        said = say(
            "{number}  {supplier} base {base}  commission {commission}",
            number=s.number,
            supplier=f"{s.supplier:10}",
            base=f"{amount(s.base):>14}",
            commission=f"{amount(s.commission):>12}" + ("\u00a0EUR" if language() == "fr" else " EUR"),
        )
        out.print(said, markup=False, highlight=False)


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
    said = counted(
        len(found.lines),
        "{n} commission statement of {year}, {total} on {account} / {centre}, written to {file}",
        "{n} commission statements of {year}, {total} on {account} / {centre}, written to {file}",
        year=year,
        total=_eur(found.total),
        account=found.account,
        centre=found.centre,
        file=output,
    )
    if found.already:
        said += " " + say("({n} in the ledger already, left out)", n=len(found.already))
    out.print(said, markup=False, highlight=False)


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
    text = say(
        "funding  {year}: commission income {income} ({statements})",
        year=f.year,
        income=_eur(f.income),
        statements=counted(f.statements, "{n} statement", "{n} statements"),
    )
    if not f.known_centre:
        text += semicolon(language()) + say("the cost model has no centre {centre}", centre=f.centre)
    elif f.cost is None:
        text += semicolon(language()) + say("no closed month yet for the cost of {centre}", centre=f.centre)
    else:
        text += " " + say(
            "against {centre}'s cost {cost} ({year}, {months})",
            centre=f.centre,
            cost=_eur(f.cost),
            year=f.cost_year,
            months=counted(f.cost_months, "{n} month closed", "{n} months closed"),
        )
        if f.coverage is not None:
            text += between() + percent(f.coverage)
    out.print(text, markup=False, highlight=False, soft_wrap=True)


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
        said = say(
            "{number}  {supplier} base {base}  commission {commission}",
            number=f"{s.number}  {s.quarter}",
            supplier=f"{s.supplier:10}",
            base=f"{amount(s.base):>14}",
            commission=f"{amount(s.commission):>12}",
        )
        out.print(said, markup=False, highlight=False)


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
        where = c.agreement if c.lot is None else f"  {coded('word', 'lot')} {c.lot}"
        said = say(
            "{consumed} of {ceiling}  {share}",
            consumed=f"{amount(c.consumed):>16}",
            ceiling=f"{amount(c.ceiling):>16}",
            share=percent((c.share * 100).quantize(Decimal("0.01"))),
        )
        out.print(f"{where:28} {said}", markup=False, highlight=False)


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
    for a in found:  # the days in its message as the reader's language writes them
        out.print(f"{coded('alert', a.kind.value):8} {told(a.message)}", markup=False, highlight=False)
    if not found:
        out.print(say("no alerts"), markup=False, highlight=False)
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
        said = say(
            "{agreement} lot {lot}  {value}  saved {savings}",
            agreement=f"{s.agreement:28}",
            lot=s.lot,
            value=f"{amount(s.value):>16}",
            savings=f"{amount(s.savings):>14}",
        )
        out.print(said, markup=False, highlight=False)


def _register_publication() -> None:
    """The publication's and the statements' documents' commands (``cli_publish``)."""
    from mutua.purchasing import cli_publish

    cli_publish.register(purchasing_app)


_register_publication()
