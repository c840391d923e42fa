"""``mutua`` commands of the demo context."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mutua.charging.cli import print_report
from mutua.platform.cli.output import JsonFlag, err, out, plural, print_json, run
from mutua.platform.cli.runtime import state

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the demo context."""


@app.command("demo")
def demo(
    year: Annotated[int, typer.Option(help="The demo year.")] = 2025,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the SQLite file of the data dir first.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Build a believable association (the real 2019 member list, 2018 figures), run twelve closes
    and the true-up, adopt next year's tariffs and load its January (waiting for the close), print
    the association's report, and create the demo accounts (one per role,
    the published password mutua-demo: for a demo only, never on real data)."""
    from mutua.access.service import add_demo_users
    from mutua.charging.service.reporting import association_report
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

        result = run(lambda: run_demo(state.uow(), settings.data_dir / "demo-input", year, tick))
    report = run(lambda: association_report(state.uow(), year))
    accounts = run(lambda: add_demo_users(state.runtime.unit_of_work(state.engine(), "demo")))
    elapsed = time.perf_counter() - start
    if as_json:
        print_json(
            {
                "demo": result["true_up"],
                "report": report.as_json(),
                "accounts": [{"username": a.username, "role": a.role.value, "member": a.member} for a in accounts],
                "seconds": round(elapsed, 1),
            }
        )
        return
    print_report(report)
    documents = sum(d["documents"] for d in result.get("documents", []))
    out.print(
        f"{plural(documents, 'invoice and credit note', 'invoices and credit notes')} issued "
        f"(`mutua invoices list --year {year}`)"
    )
    if waiting := result.get("next_year"):
        out.print(
            f"{year + 1}'s tariffs adopted; {waiting['waiting']}'s ledger, time sheets and usage loaded, "
            f"waiting for the close (`mutua close {waiting['waiting']}` or the portal's Close page)"
        )
    out.print(f"demo built in {elapsed:.1f} s; input files in {result['input']}")
    out.print("demo accounts (password [bold]mutua-demo[/], published: for this demo only):")
    for a in accounts:
        out.print(f"  {a.username:<11} {a.role.value}" + (f" of member {a.member}" if a.member else ""))
