"""Several years of the demo association in ONE database, for the portal's benchmark.

The demo generator builds one year (its engagement codes repeat from year to year), so each year's
engagements get a year prefix (``Y21-PRJ-0001``) and end on 31 December; the member register is
imported once; each year's cost model carries the tariffs of every year so far. Each year is then
closed month by month and trued up, as ``mutua demo`` does for one year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from mutua.bootstrap import unit_of_work
from mutua.charging.service import imports
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.costing.modelfile import parse_cost_model
from mutua.costing.service import import_cost_model
from mutua.demo.generator import DemoBuilder
from mutua.kernel.periods import months_of
from mutua.registry import service as registry


def _prefix(builder: DemoBuilder, prefix: str) -> None:
    for e in builder.engagements:
        e["code"] = prefix + e["code"]
        e["ends_on"] = e["ends_on"] or f"{builder.year}-12-31"
    for rows in (*builder.time.values(), *builder.usage.values(), *builder.ledger.values(), builder.commitments):
        for r in rows:
            if r.get("engagement"):
                r["engagement"] = prefix + r["engagement"]


def build_years(
    engine: Engine, folder: Path, years: Sequence[int], progress: Callable[[str], None] = lambda _: None
) -> None:
    base = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    tariffs: list[dict[str, object]] = []
    for i, year in enumerate(years):
        builder = DemoBuilder(year)
        builder.build(parse_cost_model(base, "demo cost-model.yaml"))
        _prefix(builder, f"Y{year % 100:02d}-")
        tariffs += builder.tariffs
        builder.tariffs = list(tariffs)
        target = folder / str(year)
        files = builder.write(target, base)
        uow = unit_of_work(engine, "bench")
        import_cost_model(uow, target / "cost-model.yaml")
        if i == 0:
            registry.import_members(uow, target / "members.csv")
        registry.import_engagements(uow, target / "engagements.csv")
        registry.import_commitments(uow, target / "commitments.csv")
        for m, period in enumerate(months_of(year)):
            imports.import_ledger(uow, files["ledger"][m])
            imports.import_time_sheets(uow, files["time"][m])
            imports.import_usage(uow, files["usage"][m])
            close_period(uow, period)
        true_up(uow, year, TrueUpMode.SETTLE)
        progress(f"{year} built")
