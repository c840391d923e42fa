"""The ``mutua`` command (Typer + Rich). Reporting commands take ``--json``."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from mutua.bootstrap import open_engine
from mutua.kernel.periods import Period, PeriodError
from mutua.kernel.problems import MutuaError, Rejected
from mutua.metering.cli import metering_app
from mutua.platform.settings import Settings

app = typer.Typer(
    name="mutua",
    help="Mutua: the cost-sharing close of an ICT association.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="The cost model file: validate, import, export.", no_args_is_help=True)
import_app = typer.Typer(help="CSV imports; each file loads whole or not at all.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(import_app, name="import")
app.add_typer(metering_app, name="metering")
tariffs_app = typer.Typer(
    help="Tariffs in force, and next year's proposed from this year's actuals.", no_args_is_help=True
)
app.add_typer(tariffs_app, name="tariffs")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


class _State:
    settings: Settings
    _engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.settings)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


state = _State()


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="MUTUA_DATA_DIR", help="Folder of the embedded files (SQLite, Parquet)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", envvar="MUTUA_DATABASE_URL", help="PostgreSQL URL; default: SQLite in the data dir."
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", envvar="MUTUA_ACTOR", help="Name written in the audit trail.")
    ] = None,
) -> None:
    state.settings = Settings.from_env(data_dir, database_url, actor)
    state._engine = None
    ctx.call_on_close(state.close)


def _run(action: Callable[[], T]) -> T:
    """Run an action; user-facing errors print plainly and exit non-zero."""
    try:
        return action()
    except Rejected as exc:
        err.print(f"[bold red]{exc.message}[/]", soft_wrap=True)
        for p in exc.problems[:200]:
            err.print(f"  {p}", markup=False, highlight=False, soft_wrap=True)
        if len(exc.problems) > 200:
            err.print(f"  ... and {len(exc.problems) - 200} more")
        raise typer.Exit(2) from None
    except MutuaError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise typer.BadParameter(str(exc)) from None


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _eur(value: str | Decimal) -> str:
    return f"{Decimal(value):,.2f}"


# -- model --------------------------------------------------------------------------------------


@model_app.command("validate")
def model_validate(file: Path) -> None:
    """Check a cost model file and report every problem with its line and field."""
    from mutua.costing.modelfile import read_cost_model

    model, _ = _run(lambda: read_cost_model(file))
    out.print(
        f"[green]valid[/]: {len(model.centres)} centres, {len(model.services)} services, "
        f"{len(model.tariffs)} tariffs, {len(model.meters)} meters"
    )


@model_app.command("import")
def model_import(file: Path) -> None:
    """Import a cost model file; it is in force from now on (earlier versions are kept)."""
    from mutua.charging.imports import import_cost_model

    model_id, model = _run(lambda: import_cost_model(state.engine(), file, state.settings.actor))
    out.print(f"cost model {model.version!r} imported (id {model_id})")


@model_app.command("export")
def model_export(file: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Write the cost model in force (to a file, or to standard output)."""
    from mutua.legacy_store import Store
    from mutua.platform.db.engine import UnitOfWork

    def text() -> str:
        with UnitOfWork(state.engine()) as uow:
            content = Store(uow.connection).costing.cost_model_text()
        if content is None:
            raise MutuaError("no cost model has been imported yet")
        return content

    content = _run(text)
    if file is None:
        sys.stdout.write(content)
    else:
        file.write_text(content, encoding="utf-8")
        out.print(f"written to {file}")


# -- imports ------------------------------------------------------------------------------------


def _import(kind: str, file: Path, as_json: bool) -> None:
    from mutua.charging import imports

    func = {
        "members": imports.import_members,
        "engagements": imports.import_engagements,
        "commitments": imports.import_commitments,
        "ledger": imports.import_ledger,
        "time": imports.import_time_sheets,
        "usage": imports.import_usage,
    }[kind]
    result = _run(lambda: func(state.engine(), file, state.settings.actor))
    if as_json:
        _json(result.as_dict())
    else:
        out.print(
            f"{result.rows} {kind} rows imported from {file}"
            + (f" (batch {result.batch_id})" if result.batch_id else "")
        )


@import_app.command("members")
def import_members(file: Path, as_json: JsonFlag = False) -> None:
    """Members: enterprise_number, name, category, client_group, language, joined_on[, left_on, vote_weight]."""
    _import("members", file, as_json)


@import_app.command("engagements")
def import_engagements(file: Path, as_json: JsonFlag = False) -> None:
    """Engagements (BSM): code, member, kind, title, service, budget, starts_on[, ends_on, buyer_reference, weight]."""
    _import("engagements", file, as_json)


@import_app.command("commitments")
def import_commitments(file: Path, as_json: JsonFlag = False) -> None:
    """Commitments: engagement, period, amount, description."""
    _import("commitments", file, as_json)


@import_app.command("ledger")
def import_ledger(file: Path, as_json: JsonFlag = False) -> None:
    """Ledger lines: entry_id, period, account, centre, amount, nd_vat[, engagement, description]."""
    _import("ledger", file, as_json)


@import_app.command("time")
def import_time(file: Path, as_json: JsonFlag = False) -> None:
    """Time sheets: person, grade, engagement, date, hours."""
    _import("time", file, as_json)


@import_app.command("usage")
def import_usage(file: Path, as_json: JsonFlag = False) -> None:
    """Usage already summed: member, engagement, service, period, quantity."""
    _import("usage", file, as_json)


# -- the close ----------------------------------------------------------------------------------


@app.command("close")
def close(period: Annotated[str, typer.Argument(help="The month, YYYY-MM.")], as_json: JsonFlag = False) -> None:
    """Charge a month provisionally at the year's tariffs, then lock it."""
    from mutua.charging.service import close_period

    result = _run(lambda: close_period(state.engine(), _period(period), state.settings.actor))
    if as_json:
        _json(result.as_dict())
    else:
        out.print(
            f"{result.period} closed: {result.charges} charges, EUR {_eur(result.total_charged)} charged; "
            f"direct cost EUR {_eur(result.direct_cost)}"
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
    from mutua.charging.service import TrueUpMode
    from mutua.charging.service import true_up as run

    try:
        chosen = TrueUpMode(mode)
    except ValueError:
        raise typer.BadParameter("mode must be settle or carry_forward") from None
    result = _run(lambda: run(state.engine(), year, chosen, state.settings.actor))
    data = result.as_dict()
    if as_json:
        _json(data)
        return
    out.print(
        f"true-up {year} ({chosen.value}): cost EUR {_eur(data['total_cost'])}, charged EUR "
        f"{_eur(data['total_charged'])}, settlement EUR {_eur(data['settlement_total'])}; "
        f"{data['members_owing']} members owe, {data['members_refunded']} are refunded; "
        f"result EUR {_eur(data['result'])}"
    )


@app.command("status")
def status(year: int, as_json: JsonFlag = False) -> None:
    """Which months of a year are closed, and whether the true-up ran."""
    from mutua.charging.service import close_status

    data = _run(lambda: close_status(state.engine(), year))
    if as_json:
        _json(data)
        return
    table = Table(title=f"Close status {year}")
    table.add_column("period")
    table.add_column("status")
    for p in data["periods"]:
        table.add_row(p["period"], p["status"])
    out.print(table)
    out.print(f"true-up: {data['true_up'] or 'not run'}")


# -- transparency -------------------------------------------------------------------------------


@app.command("statement")
def statement(
    member: Annotated[str, typer.Option(help="The member's enterprise number.")],
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV lines.")] = False,
) -> None:
    """A member's statement: delivered services, total to date, budget against actual, projection."""
    from mutua.charging.reporting import member_statement
    from mutua.registry.domain import enterprise_number

    try:
        number = enterprise_number(member)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    data = _run(lambda: member_statement(state.engine(), number, _period(period)))
    if as_json:
        _json(data)
        return
    if as_csv:
        from mutua.charging.reporting import statement_csv

        sys.stdout.write(statement_csv(data))
        return
    out.print(f"[bold]{data['member']['name']}[/] ({data['member']['enterprise_number']}), statement {data['period']}")
    for e in data["engagements"]:
        table = Table(title=f"{e['engagement']}: {e['title']}", title_justify="left")
        for col in ("service", "detail", "quantity", "unit", "tariff", "amount"):
            table.add_column(col, justify="right" if col in ("quantity", "tariff", "amount") else "left")
        for ln in e["lines"]:
            table.add_row(
                ln["service_name"], ln["detail"], ln["quantity"], ln["unit"], ln["unit_price"], _eur(ln["amount"])
            )
        table.caption = (
            f"period EUR {_eur(e['period_total'])} | to date EUR {_eur(e['to_date'])} of budget "
            f"EUR {_eur(e['budget'])} ({e['budget_used_pct']} %) | projection EUR "
            f"{_eur(e['projection'])}" + (" [red]over budget[/]" if e["projection_over_budget"] else "")
        )
        out.print(table)
    out.print(
        f"total this period EUR {_eur(data['period_total'])}; to date EUR {_eur(data['to_date'])}; "
        f"projection to year end EUR {_eur(data['projection'])} against budget EUR {_eur(data['budget'])}"
    )


def print_report(data: dict[str, Any]) -> None:
    out.print(
        f"[bold]{data['association']}[/]: report {data['year']} "
        f"({data['periods_closed']} months closed, true-up: {data['true_up'] or 'not run'})"
    )
    if "centres" not in data:
        out.print(data.get("note", ""))
        return
    centres = Table(title=f"Cost by centre (support allocation: {data['support_method']})", title_justify="left")
    for col in ("centre", "kind", "direct", "received", "after allocation"):
        centres.add_column(col, justify="left" if col in ("centre", "kind") else "right")
    for c in data["centres"]:
        centres.add_row(
            f"{c['centre']} {c['name']}", c["kind"], _eur(c["direct"]), _eur(c["received"]), _eur(c["after_allocation"])
        )
    out.print(centres)
    services = Table(title="Result per service", title_justify="left")
    for col in ("service", "activity", "revenue", "cost", "result"):
        services.add_column(col, justify="left" if col in ("service", "activity") else "right")
    for s in data["services"]:
        services.add_row(
            f"{s['service']} {s['name']}", s["activity"], _eur(s["revenue"]), _eur(s["cost"]), _eur(s["result"])
        )
    out.print(services)
    for key, label in (("revenue_by_activity", "activity"), ("revenue_by_client_group", "client_group")):
        table = Table(title=f"Revenue by {label.replace('_', ' ')}", title_justify="left")
        table.add_column(label)
        table.add_column("revenue", justify="right")
        table.add_column("share", justify="right")
        for row in data[key]:
            table.add_row(row[label], _eur(row["revenue"]), f"{row['share_pct']} %")
        out.print(table)
    verdict = "[green]zero result: yes[/]" if data["zero_result"] else "[yellow]zero result: not (yet)[/]"
    out.print(
        f"total cost EUR {_eur(data['total_cost'])} | revenue EUR {_eur(data['total_revenue'])} | "
        f"carried forward EUR {_eur(data['carried_forward'])} | result EUR {_eur(data['result'])} | {verdict}"
    )


@app.command("report")
def report(year: int, as_json: JsonFlag = False) -> None:
    """The association's report: centres before and after allocation, services, revenue, zero result."""
    from mutua.charging.reporting import association_report

    data = _run(lambda: association_report(state.engine(), year))
    if as_json:
        _json(data)
    else:
        print_report(data)


@app.command("audit")
def audit(limit: int = 50, as_json: JsonFlag = False) -> None:
    """The newest entries of the audit trail."""
    from mutua.legacy_store import Store
    from mutua.platform.db.engine import UnitOfWork

    with UnitOfWork(state.engine()) as uow:
        rows = Store(uow.connection).audit_entries(limit)
    if as_json:
        _json(rows)
        return
    table = Table(title="Audit trail (UTC)")
    for col in ("at", "actor", "action", "entity", "key"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["at"].isoformat(timespec="seconds"), r["actor"], r["action"], r["entity"], r["entity_key"])
    out.print(table)


@tariffs_app.command("list")
def tariffs_list(year: int, as_json: JsonFlag = False) -> None:
    """The provisional tariffs of a year, per service."""
    from mutua.charging.tariffs import tariffs_in_force

    rows = _run(lambda: tariffs_in_force(state.engine(), year))
    if as_json:
        _json(rows)
        return
    table = Table(title=f"Tariffs {year}")
    for col in ("service", "charging", "unit", "tariff"):
        table.add_column(col)
    for r in rows:
        t = r["tariff"] or {}
        value = (
            t.get("price")
            or t.get("markup")
            or t.get("annual")
            or ", ".join(f"{g} {v}" for g, v in (t.get("grades") or {}).items())
            or "none"
        )
        table.add_row(f"{r['service']} {r['name']}", r["charging"], r["unit"], value)
    out.print(table)


@tariffs_app.command("propose")
def tariffs_propose(
    year: Annotated[int, typer.Argument(help="The closed year to start from; tariffs are for the next.")],
    model_out: Annotated[Path | None, typer.Option(help="Write the cost model with the proposed tariffs here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Propose next year's tariffs from this year's actual cost, volumes and carried-forward balance."""
    from mutua.charging.tariffs import propose_next_year

    data = _run(lambda: propose_next_year(state.engine(), year))
    if model_out is not None:
        model_out.write_text(data["model"], encoding="utf-8")
    if as_json:
        _json({k: v for k, v in data.items() if k != "model"})
        return
    table = Table(title=f"Proposed tariffs {data['year']}")
    table.add_column("service")
    table.add_column("tariff")
    for t in data["tariffs"]:
        value = (
            t.get("price")
            or t.get("markup")
            or t.get("annual")
            or ", ".join(f"{g} {v}" for g, v in t.get("grades", {}).items())
        )
        table.add_row(t["service"], value)
    out.print(table)
    for note in data["notes"]:
        out.print(f"note: {note}")
    if model_out is not None:
        out.print(f"cost model with these tariffs written to {model_out}: review it, then `mutua model import`")


# -- demo ---------------------------------------------------------------------------------------


@app.command("demo")
def demo(
    year: Annotated[int, typer.Option(help="The demo year.")] = 2025,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the SQLite file of the data dir first.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Build a believable association (the real 2019 member list, 2018 figures), run twelve closes
    and the true-up, and print the association's report."""
    from mutua.charging.reporting import association_report
    from mutua.demo.service import STEPS, run_demo

    settings = state.settings
    if reset:
        if settings.database_url:
            raise typer.BadParameter("--reset only deletes the embedded SQLite file; empty PostgreSQL yourself")
        for suffix in ("", "-wal", "-shm"):
            (settings.data_dir / f"mutua.sqlite{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        disable=as_json,
    ) as progress:
        task = progress.add_task("demo association", total=STEPS)

        def tick(what: str, done: int) -> None:
            progress.update(task, completed=done, description=what)

        result = _run(lambda: run_demo(state.engine(), settings.data_dir / "demo-input", year, tick, settings.actor))
    data = _run(lambda: association_report(state.engine(), year))
    elapsed = time.perf_counter() - start
    if as_json:
        _json({"demo": result["true_up"], "report": data, "seconds": round(elapsed, 1)})
        return
    print_report(data)
    documents = sum(d["documents"] for d in result.get("documents", []))
    out.print(f"{documents} invoices and credit notes issued (`mutua invoices list --year {year}`)")
    out.print(f"demo built in {elapsed:.1f} s; input files in {result['input']}")


import mutua.billing.cli  # noqa: E402, F401 - registers `mutua invoices` and `mutua export`


def main() -> None:
    app()


from mutua.access import cli as _web  # noqa: E402 - the portal's commands: serve, users

_web.register(app)


if __name__ == "__main__":
    main()
