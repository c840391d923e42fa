"""``mutua scenario`` commands: compare (and save) a scenario, list, show and adopt saved ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mutua.platform.cli.output import (
    JsonFlag,
    amount,
    between,
    counted,
    date_text,
    money,
    names,
    out,
    percent,
    print_json,
    refused,
    run,
    say,
    signed,
    whole,
)
from mutua.platform.cli.runtime import state

if TYPE_CHECKING:
    from mutua.scenarios.domain import Comparison, Difference, SavedScenario

app = typer.Typer(no_args_is_help=True)
scenario_app = typer.Typer(
    help="A year under another cost model, method or tariffs, against what was adopted; nothing written.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@app.callback()
def _group() -> None:
    """Commands of the scenarios context."""


BASES = {
    "model": "another cost model",
    "method": "another allocation method",
    "tariffs": "next year's proposed tariffs",
}
"""What a scenario changes (the JSON's code) as its lines say it (the ``messages`` catalogue's ids)."""


def _basis(basis: str) -> str:
    return say(BASES.get(basis, basis))


def _pct(d: Difference) -> str:
    pct = d.change_pct
    return say("n/a") if pct is None else percent(pct, sign=True)


def _table(title: str, rows: tuple[Difference, ...], *, changed_only: bool = False) -> Table:
    table = Table(title=say(title), title_justify="left")
    for col in ("", "Adopted", "Scenario", "Change", "%"):
        table.add_column(say(col) if col else "", justify="left" if col == "" else "right")
    shown = [d for d in rows if d.change != 0] if changed_only else list(rows)
    label = names()
    for d in shown:
        table.add_row(f"{d.code} {label(d.name)}", amount(d.adopted), amount(d.scenario), signed(d.change), _pct(d))
    if changed_only:
        table.caption = counted(len(shown), "{n} of {total} changed", "{n} of {total} changed", total=whole(len(rows)))
    return table


def print_comparison(c: Comparison) -> None:
    label = say("scenario {name}", name=repr(c.name)) if c.name else say("scenario")
    methods = names()
    said = say(
        "({basis}): {year} under {scenario_version} ({scenario_method}, tariffs {tariff_year}) against "
        "{adopted_version} ({adopted_method}, tariffs {year}); {months}",
        basis=_basis(c.basis.value),
        year=c.year,
        scenario_version=c.scenario_version,
        scenario_method=methods(c.scenario.method.value),
        tariff_year=c.tariff_year,
        adopted_version=c.adopted_version,
        adopted_method=methods(c.adopted.method.value),
        months=counted(len(c.periods), "{n} month", "{n} months"),
    )
    out.print(f"[bold]{escape(label)}[/] {escape(said)}", highlight=False)
    out.print(_table("Cost per centre after allocation", c.centres))
    out.print(_table("Actual cost per service", c.services))
    out.print(_table("Charges per service at the tariffs", c.service_charges))
    out.print(_table("Actual share per member", c.members, changed_only=True))
    out.print(_table("Charges per member at the tariffs", c.member_charges, changed_only=True))
    for side, o in (
        ("adopted: cost {cost} = centres {centres} = services {services} = members {members}", c.adopted),
        ("scenario: cost {cost} = centres {centres} = services {services} = members {members}", c.scenario),
    ):
        check = o.check_json()
        verdict = (
            f"[green]{escape(say('zero result: yes'))}[/]"
            if o.zero_result
            else f"[red]{escape(say('zero result: NO'))}[/]"
        )
        sums = say(
            side,
            cost=money(check["total_cost"]),
            centres=amount(check["centres"]),
            services=amount(check["services"]),
            members=amount(check["members"]),
        )
        charged = say(
            "charged at tariffs {charged} (recovery {recovery})",
            charged=money(check["charged_at_tariffs"]),
            recovery=amount(check["recovery"]),
        )
        out.print(f"{escape(sums)} | {verdict} | {escape(charged)}", highlight=False)
    out.print(f"[green]{escape(say('no difference'))}[/]" if c.unchanged else "")


def print_saved(s: SavedScenario) -> None:
    adopted = (
        say(
            "adopted from {day} (decision {decision}, cost model {model})",
            day=date_text(s.adoption.in_force_from),
            decision=s.adoption.decision,
            model=s.adoption.model_id,
        )
        if s.adoption
        else say("not adopted")
    )
    said = say(
        "{basis}, year {year}, tariffs {tariff_year}; saved {at} by {actor}; {adopted}",
        basis=_basis(s.basis.value),
        year=s.year,
        tariff_year=s.tariff_year,
        at=f"{date_text(s.at)} {s.at:%H:%M}",
        actor=s.actor,
        adopted=adopted,
    )
    out.print(f"[bold]{escape(s.name)}[/]{escape(between() + said)}", highlight=False)
    if s.description:
        out.print(f"  {s.description}", markup=False, highlight=False)


@scenario_app.command("compare")
def compare(
    year: Annotated[int, typer.Argument(help="The year of the books to compare on.")],
    model: Annotated[Path | None, typer.Option(help="Another cost model file.")] = None,
    method: Annotated[
        str | None, typer.Option(help="The adopted model with this method: direct, step_down, reciprocal.")
    ] = None,
    order: Annotated[str, typer.Option(help="Step-down order, support centres separated by commas.")] = "",
    tariffs: Annotated[
        bool, typer.Option("--tariffs", help="Next year's tariffs proposed from this year's actuals.")
    ] = False,
    save: Annotated[str | None, typer.Option(help="Save the scenario under this name.")] = None,
    description: Annotated[str, typer.Option(help="What the scenario is about (with --save).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Compute YEAR under another model file, method or the proposed tariffs, against the adopted
    model: per centre, service and member, in euros and percent; nothing is written (unless --save)."""
    from mutua.costing.domain.centres import SupportMethod
    from mutua.platform.files.csv_files import read_text
    from mutua.scenarios import service

    chosen = None
    if method is not None:
        try:
            chosen = SupportMethod(method)
        except ValueError:
            raise refused("method must be direct, step_down or reciprocal") from None
    text = run(lambda: read_text(model)) if model is not None else None
    steps = tuple(o.strip() for o in order.split(",") if o.strip())
    proposed = run(
        lambda: service.scenario_model(
            state.uow(), year, model_text=text, source=str(model), method=chosen, order=steps, tariffs=tariffs
        )
    )
    if save is not None:
        saved, comparison = run(lambda: service.save_scenario(state.uow(), save, year, proposed, description))
    else:
        comparison = run(lambda: service.compare_scenario(state.uow(), year, proposed))
    if as_json:
        print_json(comparison.as_json())
        return
    print_comparison(comparison)
    if save is not None:
        said = say(
            "saved as {quoted}: `mutua scenario show {name}`, or in the portal under Scenarios",
            quoted=repr(saved.name),
            name=saved.name,
        )
        out.print(said, markup=False, highlight=False)


@scenario_app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """The saved scenarios, newest first."""
    from mutua.scenarios import service

    found = run(lambda: service.list_scenarios(state.uow()))
    if as_json:
        print_json([s.as_json() for s in found])
        return
    if not found:
        out.print(say("no scenario saved yet: `mutua scenario compare YEAR ... --save NAME`"), markup=False)
    for s in found:
        print_saved(s)


@scenario_app.command("show")
def show(name: str, as_json: JsonFlag = False) -> None:
    """A saved scenario against what is adopted for its year now."""
    from mutua.scenarios import service

    saved, comparison = run(lambda: service.show_scenario(state.uow(), name))
    if as_json:
        print_json({"scenario": saved.as_json(), "comparison": comparison.as_json()})
        return
    print_saved(saved)
    print_comparison(comparison)


@scenario_app.command("adopt")
def adopt(
    name: str,
    in_force_from: Annotated[str, typer.Option("--from", help="The first day it is in force, YYYY-MM-01.")],
    decision: Annotated[str, typer.Option(help="The reference of the decision that adopts it.")],
    as_json: JsonFlag = False,
) -> None:
    """Adopt a saved scenario: its model becomes the model in force from a date, by a decision."""
    from mutua.scenarios import service

    try:
        start = date.fromisoformat(in_force_from)
    except ValueError:
        raise refused("--from must be a date, YYYY-MM-DD") from None
    saved = run(lambda: service.adopt_scenario(state.uow(), name, start, decision))
    if as_json:
        print_json(saved.as_json())
        return
    print_saved(saved)
