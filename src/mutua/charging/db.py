"""The close's tables: its inputs (ledger, time sheets, usage), closed periods, runs, charges, true-up
shares and carried balances; and its repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from mutua.charging.domain import Charge, DirectCost, Drivers, TimeQuantity, UsageQuantity
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.platform.db.audit import AuditTrail, insert_many, utcnow
from mutua.platform.db.schema import Base, Cents, Quantity, Rate, table
from mutua.registry.db import SqlRegistry, engagements, members


class PeriodRow(Base):
    __tablename__ = "periods"
    period_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # closed (absent means open)
    closed_at: Mapped[datetime] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(100))
    cost_model_id: Mapped[int] = mapped_column(ForeignKey("cost_models.id"))


class LedgerLineRow(Base):
    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    entry_id: Mapped[str] = mapped_column(String(60), unique=True)
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    account: Mapped[str] = mapped_column(String(10))
    centre: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Cents())
    nd_vat: Mapped[Decimal] = mapped_column(Cents())
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(300), default="")


class TimeEntryRow(Base):
    __tablename__ = "time_entries"
    __table_args__ = (UniqueConstraint("person", "engagement_id", "worked_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    person: Mapped[str] = mapped_column(String(60))
    grade: Mapped[str] = mapped_column(String(40))
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    worked_on: Mapped[date] = mapped_column(Date)
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    hours: Mapped[Decimal] = mapped_column(Quantity())


class UsageRow(Base):
    """Usage already summed per engagement, service and period (imported, or from metering).

    ``origin_period_key`` is the period the usage happened in; it differs from ``period_key``
    for late usage charged as an adjustment in the next open period.
    """

    __tablename__ = "usage"
    __table_args__ = (UniqueConstraint("engagement_id", "service", "period_key", "source", "origin_period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    service: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    origin_period_key: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    source: Mapped[str] = mapped_column(String(20))


class ChargeRow(Base):
    __tablename__ = "charges"
    __table_args__ = (Index("ix_charges_member_period", "member_id", "period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # provisional | true_up
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    service: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Cents())


class CloseRunRow(Base):
    __tablename__ = "close_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # close | true_up
    period_key: Mapped[int] = mapped_column(Integer)  # the month closed, or YYYY12 for a true-up
    year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    cost_model_id: Mapped[int] = mapped_column(ForeignKey("cost_models.id"))
    total_cost: Mapped[Decimal] = mapped_column(Cents())
    total_charged: Mapped[Decimal] = mapped_column(Cents())


class TrueUpShareRow(Base):
    __tablename__ = "true_up_shares"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    service: Mapped[str] = mapped_column(String(40))
    charged: Mapped[Decimal] = mapped_column(Cents())
    actual: Mapped[Decimal] = mapped_column(Cents())


class CarryForwardRow(Base):
    """An over- (positive) or under-recovery (negative) carried into next year's tariffs."""

    __tablename__ = "carry_forwards"
    __table_args__ = (UniqueConstraint("year", "service"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"))
    year: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Cents())


periods = table(PeriodRow)
ledger_lines = table(LedgerLineRow)
time_entries = table(TimeEntryRow)
usage = table(UsageRow)
charges = table(ChargeRow)
close_runs = table(CloseRunRow)
true_up_shares = table(TrueUpShareRow)
carry_forwards = table(CarryForwardRow)


class SqlCharging:
    """The close's inputs and outputs over the unit of work's connection. Every write is audited."""

    def __init__(self, connection: Connection, audit: AuditTrail, registry: SqlRegistry) -> None:
        self.c = connection
        self.audit = audit
        self.registry = registry

    # -- periods ----------------------------------------------------------------------------

    def closed_periods(self) -> set[int]:
        return {int(r.period_key) for r in self.c.execute(select(periods.c.period_key))}

    def lock_period(self, period: Period, model_id: int) -> None:
        if period.key in self.closed_periods():
            raise Conflict(f"period {period} is already closed")
        self.c.execute(
            insert(periods).values(
                period_key=period.key,
                status="closed",
                closed_at=utcnow(),
                closed_by=self.audit.actor,
                cost_model_id=model_id,
            )
        )
        self.audit.record("lock", "period", str(period))

    # -- drivers and costs ------------------------------------------------------------------

    def direct_costs_by_centre(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = list(period_keys)
        q = (
            select(ledger_lines.c.centre, func.sum(ledger_lines.c.amount), func.sum(ledger_lines.c.nd_vat))
            .where(ledger_lines.c.period_key.in_(keys))
            .group_by(ledger_lines.c.centre)
        )
        return {r[0]: (r[1] or ZERO) + (r[2] or ZERO) for r in self.c.execute(q)}

    def cost_by_account_class(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = list(period_keys)
        prefix = func.substr(ledger_lines.c.account, 1, 2)
        q = (
            select(prefix, func.sum(ledger_lines.c.amount), func.sum(ledger_lines.c.nd_vat))
            .where(ledger_lines.c.period_key.in_(keys))
            .group_by(prefix)
        )
        return {r[0]: (r[1] or ZERO) + (r[2] or ZERO) for r in self.c.execute(q)}

    def drivers(self, period_keys: Iterable[int]) -> Drivers:
        keys = list(period_keys)
        e = engagements
        u = usage
        usage_q = (
            select(e.c.code, u.c.service, func.sum(u.c.quantity))
            .join(e, e.c.id == u.c.engagement_id)
            .where(u.c.period_key.in_(keys))
            .group_by(e.c.code, u.c.service)
        )
        te = time_entries
        time_q = (
            select(e.c.code, te.c.grade, func.sum(te.c.hours))
            .join(e, e.c.id == te.c.engagement_id)
            .where(te.c.period_key.in_(keys))
            .group_by(e.c.code, te.c.grade)
        )
        ll = ledger_lines
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
            insert(close_runs).values(
                kind=kind,
                period_key=period.key,
                year=period.year,
                mode=mode,
                at=utcnow(),
                actor=self.audit.actor,
                cost_model_id=model_id,
                total_cost=total_cost,
                total_charged=total_charged,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return int(run_id)

    def runs(self, year: int) -> list[dict[str, Any]]:
        q = select(close_runs).where(close_runs.c.year == year).order_by(close_runs.c.id)
        return [dict(r) for r in self.c.execute(q).mappings()]

    def add_charges(self, run_id: int, kind: str, rows: Sequence[Charge]) -> None:
        engagement_ids = self.registry.engagement_ids()
        member_ids = self.registry.member_ids()
        insert_many(
            self.c,
            charges,
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
                for c in rows
            ],
        )

    def charges(self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None) -> list[Charge]:
        ch, e, m = charges, engagements, members
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
        ch, e = charges, engagements
        q = (
            select(e.c.code, ch.c.service, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .where(ch.c.period_key.in_(list(period_keys)), ch.c.kind == kind)
            .group_by(e.c.code, ch.c.service)
        )
        return {(r[0], r[1]): r[2] for r in self.c.execute(q)}

    def charged_totals(self, period_keys: Iterable[int]) -> list[tuple[str, str, str, Decimal]]:
        """(member, engagement, service, amount) summed over the periods, every kind of charge."""
        ch, e, m = charges, engagements, members
        q = (
            select(m.c.enterprise_number, e.c.code, ch.c.service, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .join(m, m.c.id == ch.c.member_id)
            .where(ch.c.period_key.in_(list(period_keys)))
            .group_by(m.c.enterprise_number, e.c.code, ch.c.service)
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.c.execute(q)]

    def add_true_up_shares(self, run_id: int, year: int, shares: Iterable[Any]) -> None:
        engagement_ids = self.registry.engagement_ids()
        member_ids = self.registry.member_ids()
        insert_many(
            self.c,
            true_up_shares,
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
            self.c.execute(select(close_runs).where(and_(close_runs.c.year == year, close_runs.c.kind == "true_up")))
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    def carry_forwards(self, year: int) -> dict[str, Decimal]:
        q = select(carry_forwards.c.service, carry_forwards.c.amount).where(carry_forwards.c.year == year)
        return {r[0]: r[1] for r in self.c.execute(q)}

    def add_carry_forwards(self, run_id: int, year: int, amounts: Mapping[str, Decimal]) -> None:
        insert_many(
            self.c,
            carry_forwards,
            [{"run_id": run_id, "year": year, "service": s, "amount": a} for s, a in amounts.items()],
        )
