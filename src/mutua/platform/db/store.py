"""The repository: reads and writes domain records over one connection (one transaction)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, and_, func, insert, select

from mutua.charging.domain import Charge, DirectCost, Drivers, TimeQuantity, UsageQuantity
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.platform.db import tables as t
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (the database stores naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _json_default(value: Any) -> str:
    return str(value)


class Store:
    """Queries and writes over one connection. Every write method records an audit entry."""

    def __init__(self, connection: Connection, actor: str = "system") -> None:
        self.c = connection
        self.actor = actor
        self._model: tuple[int, CostModel] | None = None

    # -- audit ------------------------------------------------------------------------------

    def audit(self, action: str, entity: str, key: str, **detail: Any) -> None:
        self.c.execute(
            insert(t.audit_log).values(
                at=utcnow(),
                actor=self.actor,
                action=action,
                entity=entity,
                entity_key=str(key)[:100],
                detail=json.dumps(detail, default=_json_default, sort_keys=True),
            )
        )

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.c.execute(select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]

    # -- cost model -------------------------------------------------------------------------

    def add_cost_model(self, model: CostModel, content: str, sha: str) -> int:
        model_id = self.c.execute(
            insert(t.cost_models).values(
                version=model.version,
                name=model.name,
                content=content,
                sha256=sha,
                imported_at=utcnow(),
                imported_by=self.actor,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        self.audit("import", "cost_model", model.version, id=model_id, sha256=sha)
        self._model = (int(model_id), model)
        return int(model_id)

    def cost_model(self) -> tuple[int, CostModel]:
        """The model in force (the newest imported)."""
        if self._model is None:
            row = self.c.execute(select(t.cost_models).order_by(t.cost_models.c.id.desc()).limit(1)).first()
            if row is None:
                raise Conflict("no cost model has been imported yet: run `mutua model import FILE`")
            self._model = (row.id, parse_cost_model(row.content, f"cost model v{row.version} (id {row.id})"))
        return self._model

    def cost_model_text(self) -> str | None:
        row = self.c.execute(select(t.cost_models.c.content).order_by(t.cost_models.c.id.desc()).limit(1)).first()
        return None if row is None else str(row.content)

    # -- batches ----------------------------------------------------------------------------

    def add_batch(self, kind: str, source: str, sha: str, rows: int) -> int:
        batch_id = self.c.execute(
            insert(t.import_batches).values(
                kind=kind,
                source=source[-500:],
                sha256=sha,
                rows=rows,
                imported_at=utcnow(),
                actor=self.actor,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        self.audit("import", kind, str(batch_id), source=source, rows=rows, sha256=sha)
        return int(batch_id)

    def batch_with_sha(self, kind: str, sha: str) -> int | None:
        row = self.c.execute(
            select(t.import_batches.c.id).where(t.import_batches.c.kind == kind, t.import_batches.c.sha256 == sha)
        ).first()
        return None if row is None else int(row.id)

    def insert_many(self, table: Table, rows: Sequence[Mapping[str, Any]], chunk: int = 20_000) -> None:
        for i in range(0, len(rows), chunk):
            self.c.execute(insert(table), list(rows[i : i + chunk]))

    # -- registry ---------------------------------------------------------------------------

    def member_ids(self) -> dict[str, int]:
        return {
            r.enterprise_number: r.id for r in self.c.execute(select(t.members.c.enterprise_number, t.members.c.id))
        }

    def members(self) -> list[Member]:
        rows = self.c.execute(select(t.members).order_by(t.members.c.name))
        return [
            Member(
                r.enterprise_number,
                r.name,
                Category(r.category),
                ClientGroup(r.client_group),
                Language(r.language),
                r.joined_on,
                r.left_on,
                r.vote_weight,
            )
            for r in rows
        ]

    def member(self, enterprise_number: str) -> Member | None:
        return next((m for m in self.members() if m.enterprise_number == enterprise_number), None)

    def engagement_ids(self) -> dict[str, tuple[int, str]]:
        """Engagement code -> (id, member enterprise number)."""
        q = select(t.engagements.c.code, t.engagements.c.id, t.members.c.enterprise_number).join(
            t.members, t.members.c.id == t.engagements.c.member_id
        )
        return {r.code: (r.id, r.enterprise_number) for r in self.c.execute(q)}

    def engagements(self, member: str | None = None) -> list[Engagement]:
        q = (
            select(t.engagements, t.members.c.enterprise_number)
            .join(t.members, t.members.c.id == t.engagements.c.member_id)
            .order_by(t.engagements.c.code)
        )
        if member is not None:
            q = q.where(t.members.c.enterprise_number == member)
        return [
            Engagement(
                r.code,
                r.enterprise_number,
                EngagementKind(r.kind),
                r.title,
                r.service,
                r.budget,
                r.starts_on,
                r.ends_on,
                r.buyer_reference,
                r.weight,
            )
            for r in self.c.execute(q)
        ]

    def commitments(self, year: int) -> dict[str, list[tuple[Period, Decimal, str]]]:
        q = (
            select(
                t.engagements.c.code, t.commitments.c.period_key, t.commitments.c.amount, t.commitments.c.description
            )
            .join(t.engagements, t.engagements.c.id == t.commitments.c.engagement_id)
            .where(t.commitments.c.period_key.between(year * 100 + 1, year * 100 + 12))
        )
        result: dict[str, list[tuple[Period, Decimal, str]]] = {}
        for r in self.c.execute(q):
            result.setdefault(r.code, []).append((Period.from_key(r.period_key), r.amount, r.description))
        return result

    # -- periods ----------------------------------------------------------------------------

    def closed_periods(self) -> set[int]:
        return {int(r.period_key) for r in self.c.execute(select(t.periods.c.period_key))}

    def lock_period(self, period: Period, model_id: int) -> None:
        if period.key in self.closed_periods():
            raise Conflict(f"period {period} is already closed")
        self.c.execute(
            insert(t.periods).values(
                period_key=period.key, status="closed", closed_at=utcnow(), closed_by=self.actor, cost_model_id=model_id
            )
        )
        self.audit("lock", "period", str(period))

    # -- drivers and costs ------------------------------------------------------------------

    def direct_costs_by_centre(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = list(period_keys)
        q = (
            select(t.ledger_lines.c.centre, func.sum(t.ledger_lines.c.amount), func.sum(t.ledger_lines.c.nd_vat))
            .where(t.ledger_lines.c.period_key.in_(keys))
            .group_by(t.ledger_lines.c.centre)
        )
        return {r[0]: (r[1] or ZERO) + (r[2] or ZERO) for r in self.c.execute(q)}

    def cost_by_account_class(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = list(period_keys)
        prefix = func.substr(t.ledger_lines.c.account, 1, 2)
        q = (
            select(prefix, func.sum(t.ledger_lines.c.amount), func.sum(t.ledger_lines.c.nd_vat))
            .where(t.ledger_lines.c.period_key.in_(keys))
            .group_by(prefix)
        )
        return {r[0]: (r[1] or ZERO) + (r[2] or ZERO) for r in self.c.execute(q)}

    def drivers(self, period_keys: Iterable[int]) -> Drivers:
        keys = list(period_keys)
        e = t.engagements
        u = t.usage
        usage_q = (
            select(e.c.code, u.c.service, func.sum(u.c.quantity))
            .join(e, e.c.id == u.c.engagement_id)
            .where(u.c.period_key.in_(keys))
            .group_by(e.c.code, u.c.service)
        )
        te = t.time_entries
        time_q = (
            select(e.c.code, te.c.grade, func.sum(te.c.hours))
            .join(e, e.c.id == te.c.engagement_id)
            .where(te.c.period_key.in_(keys))
            .group_by(e.c.code, te.c.grade)
        )
        ll = t.ledger_lines
        direct_q = (
            select(e.c.code, func.sum(ll.c.amount), func.sum(ll.c.nd_vat))
            .join(e, e.c.id == ll.c.engagement_id)
            .where(ll.c.period_key.in_(keys))
            .group_by(e.c.code)
        )
        return Drivers(
            usage=tuple(UsageQuantity(r[0], r[1], r[2]) for r in self.c.execute(usage_q)),
            time=tuple(TimeQuantity(r[0], r[1], r[2]) for r in self.c.execute(time_q)),
            direct=tuple(DirectCost(r[0], r[1] + r[2]) for r in self.c.execute(direct_q)),
        )

    # -- close output -----------------------------------------------------------------------

    def add_run(
        self, kind: str, period: Period, model_id: int, total_cost: Decimal, total_charged: Decimal, mode: str = ""
    ) -> int:
        run_id = self.c.execute(
            insert(t.close_runs).values(
                kind=kind,
                period_key=period.key,
                year=period.year,
                mode=mode,
                at=utcnow(),
                actor=self.actor,
                cost_model_id=model_id,
                total_cost=total_cost,
                total_charged=total_charged,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return int(run_id)

    def runs(self, year: int) -> list[dict[str, Any]]:
        q = select(t.close_runs).where(t.close_runs.c.year == year).order_by(t.close_runs.c.id)
        return [dict(r) for r in self.c.execute(q).mappings()]

    def add_charges(self, run_id: int, kind: str, charges: Sequence[Charge]) -> None:
        engagement_ids = self.engagement_ids()
        member_ids = self.member_ids()
        self.insert_many(
            t.charges,
            [
                {
                    "run_id": run_id,
                    "kind": kind,
                    "period_key": c.period.key,
                    "engagement_id": engagement_ids[c.engagement][0],
                    "member_id": member_ids[c.member],
                    "service": c.service,
                    "detail": c.detail,
                    "quantity": c.quantity,
                    "unit": c.unit,
                    "unit_price": c.unit_price,
                    "amount": c.amount,
                }
                for c in charges
            ],
        )

    def charges(self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None) -> list[Charge]:
        ch, e, m = t.charges, t.engagements, t.members
        q = (
            select(ch, e.c.code, m.c.enterprise_number)
            .join(e, e.c.id == ch.c.engagement_id)
            .join(m, m.c.id == ch.c.member_id)
            .where(ch.c.period_key.in_(list(period_keys)))
            .order_by(ch.c.id)
        )
        if member is not None:
            q = q.where(m.c.enterprise_number == member)
        if kind is not None:
            q = q.where(ch.c.kind == kind)
        return [
            Charge(
                Period.from_key(r.period_key),
                r.code,
                r.enterprise_number,
                r.service,
                r.detail,
                r.quantity,
                r.unit,
                r.unit_price,
                r.amount,
            )
            for r in self.c.execute(q)
        ]

    def charged_sums(self, period_keys: Iterable[int], kind: str) -> dict[tuple[str, str], Decimal]:
        """Charges of one kind summed per (engagement, service) over the periods."""
        ch, e = t.charges, t.engagements
        q = (
            select(e.c.code, ch.c.service, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .where(ch.c.period_key.in_(list(period_keys)), ch.c.kind == kind)
            .group_by(e.c.code, ch.c.service)
        )
        return {(r[0], r[1]): r[2] for r in self.c.execute(q)}

    def charged_totals(self, period_keys: Iterable[int]) -> list[tuple[str, str, str, Decimal]]:
        """(member, engagement, service, amount) summed over the periods, every kind of charge."""
        ch, e, m = t.charges, t.engagements, t.members
        q = (
            select(m.c.enterprise_number, e.c.code, ch.c.service, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .join(m, m.c.id == ch.c.member_id)
            .where(ch.c.period_key.in_(list(period_keys)))
            .group_by(m.c.enterprise_number, e.c.code, ch.c.service)
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.c.execute(q)]

    def add_true_up_shares(self, run_id: int, year: int, shares: Iterable[Any]) -> None:
        engagement_ids = self.engagement_ids()
        member_ids = self.member_ids()
        self.insert_many(
            t.true_up_shares,
            [
                {
                    "run_id": run_id,
                    "year": year,
                    "engagement_id": engagement_ids[s.engagement][0],
                    "member_id": member_ids[s.member],
                    "service": s.service,
                    "charged": s.charged,
                    "actual": s.actual,
                }
                for s in shares
            ],
        )

    def true_up_run(self, year: int) -> dict[str, Any] | None:
        row = (
            self.c.execute(
                select(t.close_runs).where(and_(t.close_runs.c.year == year, t.close_runs.c.kind == "true_up"))
            )
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    def carry_forwards(self, year: int) -> dict[str, Decimal]:
        q = select(t.carry_forwards.c.service, t.carry_forwards.c.amount).where(t.carry_forwards.c.year == year)
        return {r[0]: r[1] for r in self.c.execute(q)}

    def add_carry_forwards(self, run_id: int, year: int, amounts: Mapping[str, Decimal]) -> None:
        self.insert_many(
            t.carry_forwards, [{"run_id": run_id, "year": year, "service": s, "amount": a} for s, a in amounts.items()]
        )
