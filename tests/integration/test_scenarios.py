"""Scenarios on SQLite and PostgreSQL (issue 13, item 3): comparing writes nothing (the row count of
every table and the audit trail unchanged), the adopted model as a scenario changes nothing, and a
saved scenario adopted from a date becomes the model the close uses from that month, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, table, text

from mutua.bootstrap import unit_of_work
from mutua.charging.service import close as closing
from mutua.costing.domain.centres import SupportMethod
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.scenarios import service
from tests.integration import small
from tests.small_model import MODEL

OTHER_KEYS = MODEL.replace("weights: {DEV: 3, SEC: 1, VM: 1}", "weights: {DEV: 1, SEC: 0, VM: 1}").replace(
    'version: "1"', 'version: "1-keys"'
)


def row_counts(engine: Engine) -> dict[str, int]:
    names = inspect(engine).get_table_names()
    with engine.connect() as c:
        return {n: c.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


@pytest.fixture
def closed(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    for month in ("2025-01", "2025-02"):
        small.month(engine, tmp_path, month)
        closing.close_period(unit_of_work(engine, "ctrl"), Period.parse(month))
    return engine


def test_a_scenario_writes_nothing(closed: Engine) -> None:
    before = row_counts(closed)
    assert before["audit_log"] > 0 and "scenarios" in before
    uow = unit_of_work(closed, "ctrl")
    for proposed in (
        service.scenario_model(uow, 2025, model_text=OTHER_KEYS),
        service.scenario_model(uow, 2025, method=SupportMethod.DIRECT),
        service.scenario_model(uow, 2026, model_text=OTHER_KEYS),  # a year with nothing closed
    ):
        service.compare_scenario(uow, proposed.tariff_year, proposed)
    assert row_counts(closed) == before


def test_the_adopted_model_as_a_scenario_changes_nothing(closed: Engine) -> None:
    uow = unit_of_work(closed, "ctrl")
    c = service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, model_text=MODEL))
    assert c.unchanged and c.adopted.zero_result and len(c.periods) == 2
    other = service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, model_text=OTHER_KEYS))
    assert not other.unchanged and other.scenario.zero_result


def test_a_saved_scenario_is_adopted_once_from_a_date(closed: Engine, tmp_path: Path) -> None:
    uow = unit_of_work(closed, "ctrl")
    service.save_scenario(uow, "keys", 2025, service.scenario_model(uow, 2025, model_text=OTHER_KEYS), "HR by m²")
    with pytest.raises(Conflict):
        service.save_scenario(uow, "keys", 2025, service.scenario_model(uow, 2025, model_text=MODEL))
    saved, _ = service.show_scenario(uow, "keys")
    assert saved.description == "HR by m²" and saved.adoption is None
    with pytest.raises(Conflict):  # February is closed
        service.adopt_scenario(uow, "keys", date(2025, 2, 1), "CA 2025/3")
    adopted = service.adopt_scenario(uow, "keys", date(2025, 4, 1), "CA 2025/3")
    assert adopted.adoption is not None
    with pytest.raises(Conflict):
        service.adopt_scenario(uow, "keys", date(2025, 5, 1), "CA 2025/4")
    for month in ("2025-03", "2025-04"):
        small.month(closed, tmp_path, month)
        closing.close_period(unit_of_work(closed, "ctrl"), Period.parse(month))
    with closed.connect() as c:
        used = {int(k): int(m) for k, m in c.execute(text("SELECT period_key, cost_model_id FROM periods"))}
        decision = c.execute(
            text("SELECT decision FROM cost_models WHERE id = :i"), {"i": adopted.adoption.model_id}
        ).scalar_one()
        audited = c.execute(text("SELECT action FROM audit_log WHERE entity = 'scenario' ORDER BY id")).scalars().all()
    assert used[202503] != adopted.adoption.model_id and used[202504] == adopted.adoption.model_id
    assert decision == "CA 2025/3" and audited == ["save", "adopt"]
