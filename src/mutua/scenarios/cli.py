"""``mutua scenario`` commands: compare (and save) a scenario, list, show and adopt saved ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mutua.platform.cli.output import JsonFlag, eur, out, print_json, run
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


def _pct(d: Difference) -> str:
    pct = d.change_pct
    return "n/a" if pct is None else f"{pct:+} %"


def _table(title: str, rows: tuple[Difference, ...], *, changed_only: bool = False) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("", "adopted", "scenario", "change", "%"):
        table.add_column(col, justify="left" if col == "" else "right")
    shown = [d for d in rows if d.change != 0] if changed_only else list(rows)
    for d in shown:
        table.add_row(f"{d.code} {d.name}", eur(d.adopted), eur(d.scenario), f"{d.change:+,.2f}", _pct(d))
    if changed_only:
        table.caption = f"{len(shown)} of {len(rows)} changed"
    return table


def print_comparison(c: Comparison) -> None:
    label = f"scenario {c.name!r}" if c.name else "scenario"
    out.print(
        f"[bold]{label}[/] ({c.basis.value}): {c.year} under {c.scenario_version} "
        f"({c.scenario.method.value}, tariffs {c.tariff_year}) against {c.adopted_version} "
        f"({c.adopted.method.value}, tariffs {c.year}); {len(c.periods)} months"
    )
    out.print(_table("Cost per centre after allocation", c.centres))
    out.print(_table("Actual cost per service", c.services))
    out.print(_table("Charges per service at the tariffs", c.service_charges))
    out.print(_table("Actual share per member", c.members, changed_only=True))
    out.print(_table("Charges per member at the tariffs", c.member_charges, changed_only=True))
    for side, o in (("adopted", c.adopted), ("scenario", c.scenario)):
        check = o.check_json()
        verdict = "[green]zero result: yes[/]" if o.zero_result else "[red]zero result: NO[/]"
        out.print(
            f"{side}: cost EUR {eur(check['total_cost'])} = centres {eur(check['centres'])} = services "
            f"{eur(check['services'])} = members {eur(check['members'])} | {verdict} | charged at tariffs EUR "
            f"{eur(check['charged_at_tariffs'])} (recovery {eur(check['recovery'])})"
        )
    out.print("[green]no difference[/]" if c.unchanged else "")


def print_saved(s: SavedScenario) -> None:
    adopted = (
        f"adopted from {s.adoption.in_force_from} (decision {s.adoption.decision}, cost model {s.adoption.model_id})"
        if s.adoption
        else "not adopted"
    )
    out.print(
        f"[bold]{s.name}[/]: {s.basis.value}, year {s.year}, tariffs {s.tariff_year}; "
        f"saved {s.at:%Y-%m-%d %H:%M} by {s.actor}; {adopted}"
    )
    if s.description:
        out.print(f"  {s.description}")


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
            raise typer.BadParameter("method must be direct, step_down or reciprocal") from None
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
        out.print(f"saved as {saved.name!r}: `mutua scenario show {saved.name}`, or in the portal under Scenarios")


@scenario_app.command("list")
def list_(as_json: JsonFlag = False) -> None:
    """The saved scenarios, newest first."""
    from mutua.scenarios import service

    found = run(lambda: service.list_scenarios(state.uow()))
    if as_json:
        print_json([s.as_json() for s in found])
        return
    if not found:
        out.print("no scenario saved yet: `mutua scenario compare YEAR ... --save NAME`")
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
        raise typer.BadParameter("--from must be a date, YYYY-MM-DD") from None
    saved = run(lambda: service.adopt_scenario(state.uow(), name, start, decision))
    if as_json:
        print_json(saved.as_json())
        return
    print_saved(saved)
