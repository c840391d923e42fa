"""``mutua`` commands of the costing context."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mutua.platform.cli.output import (
    JsonFlag,
    between,
    counted,
    names,
    nothing,
    out,
    print_json,
    run,
    say,
    tariff_text,
)
from mutua.platform.cli.runtime import state

app = typer.Typer(no_args_is_help=True)
model_app = typer.Typer(help="The cost model file: validate, import, export.", no_args_is_help=True)
tariffs_app = typer.Typer(
    help="Tariffs in force, and next year's proposed from this year's actuals.", no_args_is_help=True
)
app.add_typer(model_app, name="model")
app.add_typer(tariffs_app, name="tariffs")


@app.callback()
def _group() -> None:
    """Commands of the costing context."""


@model_app.command("validate")
def model_validate(file: Path) -> None:
    """Check a cost model file and report every problem with its line and field."""
    from mutua.costing.service import validate_cost_model

    model = run(lambda: validate_cost_model(file))
    counts = ", ".join(
        (
            counted(len(model.centres), "{n} centre", "{n} centres"),
            counted(len(model.services), "{n} service", "{n} services"),
            counted(len(model.tariffs), "{n} tariff", "{n} tariffs"),
            counted(len(model.meters), "{n} meter", "{n} meters"),
        )
    )
    out.print(f"[green]{escape(say('valid'))}[/]{escape(between() + counts)}", highlight=False)


@model_app.command("import")
def model_import(file: Path) -> None:
    """Import a cost model file; it is in force from now on (earlier versions are kept)."""
    from mutua.costing.service import import_cost_model

    imported = run(lambda: import_cost_model(state.uow(), file))
    said = say("cost model {version} imported (id {id})", version=repr(imported.model.version), id=imported.model_id)
    out.print(said, markup=False, highlight=False)


@model_app.command("export")
def model_export(file: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Write the cost model in force (to a file, or to standard output)."""
    from mutua.costing.service import export_cost_model

    content = run(lambda: export_cost_model(state.uow()))
    if file is None:
        sys.stdout.write(content)
    else:
        file.write_text(content, encoding="utf-8")
        out.print(say("written to {file}", file=file), markup=False, highlight=False)


@tariffs_app.command("list")
def tariffs_list(year: int, as_json: JsonFlag = False) -> None:
    """The provisional tariffs of a year, per service."""
    from mutua.costing.service import tariffs_in_force

    rows = [r.as_json() for r in run(lambda: tariffs_in_force(state.uow(), year))]
    if as_json:
        print_json(rows)
        return
    if not any(r["tariff"] for r in rows):
        said = say(
            "no tariffs for {year} in the cost model in force: `mutua tariffs propose {last}` proposes them",
            year=year,
            last=year - 1,
        )
        nothing(escape(said))
        return
    table = Table(title=say("Tariffs {year}", year=year))
    for col in ("Service", "Charging", "Unit", "Tariff"):
        table.add_column(say(col), overflow="fold")
    label = names()
    for r in rows:
        table.add_row(
            f"{r['service']} {label(r['name'])}", label(r["charging"]), label(r["unit"]), tariff_text(r["tariff"])
        )
    out.print(table)
