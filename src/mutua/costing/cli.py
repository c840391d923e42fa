"""``mutua`` commands of the costing context."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mutua.platform.cli.output import JsonFlag, nothing, out, plural, print_json, run, tariff_text
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
    out.print(
        f"[green]valid[/]: {plural(len(model.centres), 'centre')}, {plural(len(model.services), 'service')}, "
        f"{plural(len(model.tariffs), 'tariff')}, {plural(len(model.meters), 'meter')}"
    )


@model_app.command("import")
def model_import(file: Path) -> None:
    """Import a cost model file; it is in force from now on (earlier versions are kept)."""
    from mutua.costing.service import import_cost_model

    imported = run(lambda: import_cost_model(state.uow(), file))
    out.print(f"cost model {imported.model.version!r} imported (id {imported.model_id})")


@model_app.command("export")
def model_export(file: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Write the cost model in force (to a file, or to standard output)."""
    from mutua.costing.service import export_cost_model

    content = run(lambda: export_cost_model(state.uow()))
    if file is None:
        sys.stdout.write(content)
    else:
        file.write_text(content, encoding="utf-8")
        out.print(f"written to {file}")


@tariffs_app.command("list")
def tariffs_list(year: int, as_json: JsonFlag = False) -> None:
    """The provisional tariffs of a year, per service."""
    from mutua.costing.service import tariffs_in_force

    rows = [r.as_json() for r in run(lambda: tariffs_in_force(state.uow(), year))]
    if as_json:
        print_json(rows)
        return
    if not any(r["tariff"] for r in rows):
        nothing(f"no tariffs for {year} in the cost model in force: `mutua tariffs propose {year - 1}` proposes them")
        return
    table = Table(title=f"Tariffs {year}")
    for col in ("service", "charging", "unit", "tariff"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(f"{r['service']} {r['name']}", r["charging"], r["unit"], tariff_text(r["tariff"]))
    out.print(table)
