"""The demo: writes a year of a believable association's input files, then runs them through the
same imports, twelve closes and the true-up that a real association would use; then leaves the
association as a controller finds it in January: next year's tariffs proposed from the year's actual
cost and adopted, January's ledger, time sheets and usage imported, waiting for the close."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from mutua.charging.service import imports
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.charging.service.tariffs import propose_next_year
from mutua.costing.modelfile import parse_cost_model
from mutua.costing.service import import_cost_model
from mutua.demo import purchasing
from mutua.demo.generator import DemoBuilder
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict
from mutua.registry import service as registry

Progress = Callable[[str, int], None]  # (step description, steps done so far)
STEPS = 4 + 1 + 12 * 4 + 1 + 1 + 1 + 3


def run_demo(uow: Any, folder: Path, year: int, progress: Progress | None = None) -> dict[str, Any]:
    """Build the demo association into an empty database; returns what was done.

    ``uow`` is the composition root's unit of work (every context's repositories; the demo never
    imports the root): each use case below asks of it only what its own context's port declares.
    """
    if registry.members(uow):
        raise Conflict("the database already holds an association: use an empty data directory (or --reset)")
    step = 0

    def tick(what: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(what, step)

    base_text = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    builder = DemoBuilder(year)
    builder.build(parse_cost_model(base_text, "demo cost-model.yaml"))
    files = builder.write(folder, base_text)
    tick("input files written")
    import_cost_model(uow, folder / "cost-model.yaml")
    registry.import_members(uow, folder / "members.csv")
    tick("cost model and members")
    registry.import_engagements(uow, folder / "engagements.csv")
    tick("engagements")
    registry.import_commitments(uow, folder / "commitments.csv")
    tick("commitments")
    purchasing.build(uow, folder, year)  # joint purchasing: consultancy invoices go into the year's ledger
    _book_commissions(uow, folder, year)
    tick("joint purchasing, its commissions booked as the purchasing team's income")
    closes = []
    for i, period in enumerate(months_of(year)):
        imports.import_ledger(uow, files["ledger"][i])
        tick(f"{period} ledger")
        imports.import_time_sheets(uow, files["time"][i])
        tick(f"{period} time sheets")
        imports.import_usage(uow, files["usage"][i])
        tick(f"{period} usage")
        closes.append(close_period(uow, period).as_json())
        tick(f"{period} closed")
    result = true_up(uow, year, TrueUpMode.SETTLE)
    tick("true-up")
    from mutua.billing.service import issue_year

    issued = [r.as_json() for r in issue_year(uow, year)]
    tick("invoices and credit notes")
    january = waiting_january(uow, folder, files, year, tick)
    return {
        "year": year,
        "input": str(folder),
        "closes": closes,
        "true_up": result.as_json(),
        "documents": issued,
        "next_year": january,
    }


def _book_commissions(uow: Any, folder: Path, year: int) -> None:
    """The commission statements issued in ``year`` into the ledger, as the controller would import
    them (``mutua purchasing commissions ledger YEAR -o FILE``, then ``mutua import ledger FILE``)."""
    path = purchasing.commission_ledger(uow, folder, year)
    if path is not None:
        imports.import_ledger(uow, path)


def waiting_january(
    uow: Any, folder: Path, files: dict[str, Any], year: int, tick: Callable[[str], None]
) -> dict[str, Any]:
    """Adopt next year's tariffs (proposed from ``year``'s actual cost, volumes and carried balance)
    and import the January after ``year``: its ledger, time sheets and usage wait for the close."""
    proposal = propose_next_year(uow, year)
    model = folder / f"cost-model-{year + 1}.yaml"
    model.write_text(proposal.model, encoding="utf-8")
    import_cost_model(uow, model)
    tick(f"{year + 1} tariffs adopted")
    january = Period(year + 1, 1)
    imports.import_ledger(uow, files["ledger"][12])
    _book_commissions(uow, folder, year + 1)  # the last quarter's statements, issued in January
    tick(f"{january} ledger")
    imports.import_time_sheets(uow, files["time"][12])
    tick(f"{january} time sheets")
    imports.import_usage(uow, files["usage"][12])
    tick(f"{january} usage, waiting for the close")
    return {"tariffs": len(proposal.tariffs), "notes": list(proposal.notes), "waiting": str(january)}
