"""The demo: writes a year of a believable association's input files, then runs them through the
same imports, twelve closes and the true-up that a real association would use."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from mutua.charging import imports
from mutua.charging.service import TrueUpMode, close_period, true_up
from mutua.costing.modelfile import parse_cost_model
from mutua.demo.generator import DemoBuilder
from mutua.kernel.periods import months_of
from mutua.kernel.problems import Conflict
from mutua.platform.db.engine import UnitOfWork
from mutua.registry import db as registry_db

Progress = Callable[[str, int], None]  # (step description, steps done so far)
STEPS = 4 + 12 * 4 + 1 + 1


def _is_empty(engine: Engine) -> bool:
    with UnitOfWork(engine) as uow:
        return uow.connection.execute(select(func.count()).select_from(registry_db.members)).scalar_one() == 0


def run_demo(
    engine: Engine, folder: Path, year: int, progress: Progress | None = None, actor: str = "demo"
) -> dict[str, Any]:
    """Build the demo association into an empty database; returns what was done."""
    if not _is_empty(engine):
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
    imports.import_cost_model(engine, folder / "cost-model.yaml", actor)
    imports.import_members(engine, folder / "members.csv", actor)
    tick("cost model and members")
    imports.import_engagements(engine, folder / "engagements.csv", actor)
    tick("engagements")
    imports.import_commitments(engine, folder / "commitments.csv", actor)
    tick("commitments")
    closes = []
    for i, period in enumerate(months_of(year)):
        imports.import_ledger(engine, files["ledger"][i], actor)
        tick(f"{period} ledger")
        imports.import_time_sheets(engine, files["time"][i], actor)
        tick(f"{period} time sheets")
        imports.import_usage(engine, files["usage"][i], actor)
        tick(f"{period} usage")
        closes.append(close_period(engine, period, actor).as_dict())
        tick(f"{period} closed")
    result = true_up(engine, year, TrueUpMode.SETTLE, actor)
    tick("true-up")
    from mutua.billing.service import issue_year

    issued = [r.as_dict() for r in issue_year(engine, year, actor)]
    tick("invoices and credit notes")
    return {
        "year": year,
        "input": str(folder),
        "closes": closes,
        "true_up": result.as_dict(),
        "documents": issued,
    }
