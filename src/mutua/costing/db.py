"""The costing tables: every version of the cost model imported; and its repository."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Connection, Date, DateTime, Integer, String, Table, Text, insert, or_, select

from mutua.costing.domain.catalogue import offered_services
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parsed_cost_model
from mutua.kernel.problems import Conflict
from mutua.platform.db.audit import AuditTrail, utcnow
from mutua.platform.db.schema import metadata
from mutua.registry.domain import OfferedService

# Every version of the cost model ever imported; the newest is in force (from ``in_force_from``, when
# a decision adopted it from a date: the version before stays in force until then).
cost_models = Table(
    "cost_models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("imported_by", String(100), nullable=False),
    Column("in_force_from", Date, nullable=True),
    Column("decision", String(200), nullable=True),
)


class SqlCosting:
    """The cost model versions over the unit of work's connection; the newest is in force."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit

    def add_cost_model(
        self, model: CostModel, content: str, sha: str, in_force_from: date | None = None, decision: str | None = None
    ) -> int:
        """Keep a new version (imported now, by the unit of work's actor); it is in force from now on,
        or from ``in_force_from`` (adopted by ``decision``)."""
        model_id = self.c.execute(
            insert(cost_models).values(
                version=model.version,
                name=model.name,
                content=content,
                sha256=sha,
                imported_at=utcnow(),
                imported_by=self.audit.actor,
                in_force_from=in_force_from,
                decision=decision,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return int(model_id)

    def _in_force(self, on: date | None):  # type: ignore[no-untyped-def]
        day = on or utcnow().date()
        return or_(cost_models.c.in_force_from.is_(None), cost_models.c.in_force_from <= day)

    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        """The model in force on ``on`` (today by default): the newest imported whose date, if it
        has one, has come; parsed once per content."""
        row = self.c.execute(
            select(cost_models.c.id, cost_models.c.version, cost_models.c.sha256, cost_models.c.content)
            .where(self._in_force(on))
            .order_by(cost_models.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise Conflict("no cost model has been imported yet: run `mutua model import FILE`")
        return row.id, parsed_cost_model(row.sha256, row.content, f"cost model v{row.version} (id {row.id})")

    def cost_model_version(self, model_id: int) -> CostModel:
        """The model of version ``model_id``, as it was imported (versions are never changed)."""
        row = self.c.execute(
            select(cost_models.c.id, cost_models.c.version, cost_models.c.sha256, cost_models.c.content).where(
                cost_models.c.id == model_id
            )
        ).first()
        if row is None:
            raise Conflict(f"no cost model version {model_id}")
        return parsed_cost_model(row.sha256, row.content, f"cost model v{row.version} (id {row.id})")

    def cost_model_text(self) -> str | None:
        row = self.c.execute(
            select(cost_models.c.content).where(self._in_force(None)).order_by(cost_models.c.id.desc()).limit(1)
        ).first()
        return None if row is None else str(row.content)

    def offered_services(self) -> dict[str, OfferedService]:
        """The services of the model in force, as the registry's engagements see them."""
        return offered_services(self.cost_model()[1].services)
