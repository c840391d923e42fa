"""The saved scenarios' table and its repository."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from mutua.kernel.problems import Conflict
from mutua.platform.db.audit import AuditTrail
from mutua.platform.db.locks import hold
from mutua.platform.db.schema import metadata
from mutua.scenarios.domain import Adoption, Basis, SavedScenario

# A named scenario: the cost model file it compares with the adopted one; once adopted, the version
# of the cost model it became (unique: a version is adopted by one scenario), from when and by which
# decision.
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), unique=True, nullable=False),
    Column("year", Integer, nullable=False),
    Column("tariff_year", Integer, nullable=False),
    Column("basis", String(20), nullable=False),
    Column("description", String(1000), nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("cost_model_id", ForeignKey("cost_models.id"), unique=True, nullable=True),
    Column("in_force_from", Date, nullable=True),
    Column("decision", String(200), nullable=True),
    Column("adopted_at", DateTime, nullable=True),
    Column("adopted_by", String(100), nullable=True),
)


def _scenario(row: Row) -> SavedScenario:  # type: ignore[type-arg]
    adoption = None
    if row.cost_model_id is not None:
        adoption = Adoption(int(row.cost_model_id), row.in_force_from, row.decision, row.adopted_at, row.adopted_by)
    return SavedScenario(
        row.name,
        int(row.year),
        int(row.tariff_year),
        Basis(row.basis),
        row.description,
        row.content,
        row.sha256,
        row.created_at,
        row.created_by,
        adoption,
    )


class SqlScenarios:
    """The saved scenarios over the unit of work's connection."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit

    def lock_scenarios(self) -> None:
        hold(self.c, "scenarios")

    def add_scenario(self, scenario: SavedScenario) -> None:
        try:
            self.c.execute(
                insert(scenarios).values(
                    name=scenario.name,
                    year=scenario.year,
                    tariff_year=scenario.tariff_year,
                    basis=scenario.basis.value,
                    description=scenario.description,
                    content=scenario.model,
                    sha256=scenario.sha256,
                    created_at=scenario.at,
                    created_by=scenario.actor,
                )
            )
        except IntegrityError:  # another save of the same name committed first
            raise Conflict(f"a scenario named {scenario.name!r} already exists") from None

    def scenario(self, name: str) -> SavedScenario | None:
        row = self.c.execute(select(scenarios).where(scenarios.c.name == name)).first()
        return None if row is None else _scenario(row)

    def scenarios(self) -> list[SavedScenario]:
        return [_scenario(r) for r in self.c.execute(select(scenarios).order_by(scenarios.c.id.desc()))]

    def adopt_scenario(self, name: str, adoption: Adoption) -> None:
        done = self.c.execute(
            update(scenarios)
            .where(scenarios.c.name == name, scenarios.c.cost_model_id.is_(None))
            .values(
                cost_model_id=adoption.model_id,
                in_force_from=adoption.in_force_from,
                decision=adoption.decision,
                adopted_at=adoption.at,
                adopted_by=adoption.actor,
            )
        )
        if done.rowcount != 1:
            raise Conflict(f"scenario {name!r} was already adopted")
