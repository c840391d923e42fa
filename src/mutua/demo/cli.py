"""``mutua`` commands of the demo context."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mutua.charging.cli import print_report
from mutua.platform.cli.output import JsonFlag, counted, err, language, names, out, print_json, refused, run, say
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import format_number

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
            raise refused("--reset only deletes the embedded SQLite file; empty PostgreSQL yourself")
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
        task = progress.add_task(say("Demo association"), total=STEPS)

        def tick(what: str, done: int) -> None:
            progress.update(task, completed=done, description=_step(what))

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
    said = counted(
        documents,
        "{n} invoice and credit note issued (`mutua invoices list --year {year}`)",
        "{n} invoices and credit notes issued (`mutua invoices list --year {year}`)",
        year=year,
    )
    out.print(said, markup=False, highlight=False)
    if waiting := result.get("next_year"):
        said = say(
            "{next}'s tariffs adopted; {waiting}'s ledger, time sheets and usage loaded, waiting for the close "
            "(`mutua close {waiting}` or the portal's Close page)",
            next=year + 1,
            waiting=waiting["waiting"],
        )
        out.print(said, markup=False, highlight=False)
    seconds = format_number(Decimal(str(round(elapsed, 1))), language(), 1)
    said = say("demo built in {seconds} s; input files in {folder}", seconds=seconds, folder=result["input"])
    out.print(said, markup=False, highlight=False)
    published = "[bold]mutua-demo[/]"  # the demo's published password (for a demo only)
    out.print(say("demo accounts (password {secret}, published: for this demo only):", secret=published))
    role = names()
    for a in accounts:
        line = f"  {a.username:<11} {role(a.role.value)}"
        out.print(line + (" " + say("of member {member}", member=a.member) if a.member else ""), highlight=False)


STEPS_SAID = {
    "input files written": "Input files written",
    "cost model and members": "Cost model and members",
    "engagements": "Engagements",
    "commitments": "Commitments",
    "joint purchasing, its commissions booked as the purchasing team's income": (
        "Joint purchasing, its commissions booked as the purchasing team's income"
    ),
    "true-up": "True-up",
    "invoices and credit notes": "Invoices and credit notes",
}
"""The demo's steps as its progress bar names them (the ``messages`` catalogue's ids)."""
MONTH_STEPS = {
    "ledger": "Ledger {period}",
    "time sheets": "Time sheets {period}",
    "usage": "Usage {period}",
    "closed": "Close {period}",
    "usage, waiting for the close": "Usage {period}, waiting for the close",
    "tariffs adopted": "Tariffs {period} adopted",
}
"""The demo's steps of a month (``2025-03 ledger``) or a year (``2026 tariffs adopted``), by what
follows the month or year."""


def _step(what: str) -> str:
    """A step of the demo (``2025-03 ledger``) in the command's language (``Grootboek 2025-03``)."""
    if what in STEPS_SAID:
        return say(STEPS_SAID[what])
    period, _, rest = what.partition(" ")
    return say(MONTH_STEPS[rest], period=period) if rest in MONTH_STEPS else what
