"""The charging repository: the close's inputs and outputs over the unit of work's connection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Connection,
    and_,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from mutua.charging.db.tables import (
    carry_forwards,
    charges,
    close_runs,
    ledger_lines,
    periods,
    time_entries,
    true_up_shares,
    usage,
)
from mutua.charging.domain import (
    Charge,
    ChargeTotal,
    DirectCost,
    Drivers,
    LedgerLine,
    LedgerTotal,
    MemberShare,
    MonthlyCharge,
    Share,
    TimeEntry,
    TimeQuantity,
    TrueUpMode,
    TrueUpRun,
    UsageLine,
    UsageMonth,
    UsageQuantity,
)
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.platform.db.audit import AuditTrail, insert_many, utcnow
from mutua.platform.db.locks import hold
from mutua.registry.db import SqlRegistry, engagements, members


class SqlCharging:
    """The close's inputs and outputs over the unit of work's connection. Every write is audited."""

    def __init__(self, connection: Connection, audit: AuditTrail, registry: SqlRegistry) -> None:
        self.c = connection
        self.audit = audit
        self.registry = registry

    # -- periods ----------------------------------------------------------------------------

    def closed_periods(self) -> set[int]:
        return {int(r.period_key) for r in self.c.execute(select(periods.c.period_key))}

    def closed_models(self, period_keys: Iterable[int]) -> dict[int, int]:
        keys = list(period_keys)
        q = select(periods.c.period_key, periods.c.cost_model_id).where(periods.c.period_key.in_(keys))
        rows = self.c.execute(q)
        return {int(r.period_key): int(r.cost_model_id) for r in rows}

    def latest_closed_period(self) -> Period | None:
        key = self.c.execute(select(func.max(periods.c.period_key))).scalar_one()
        return None if key is None else Period.from_key(int(key))

    def close_fingerprint(self, year: int) -> tuple[int, int]:
        """(months of ``year`` closed, the newest run of ``year``): changes with every close and true-up."""
        closed = self.c.execute(
            select(func.count()).where(periods.c.period_key.between(year * 100 + 1, year * 100 + 12))
        ).scalar_one()
        last_run = self.c.execute(select(func.max(close_runs.c.id)).where(close_runs.c.year == year)).scalar_one()
        return int(closed), int(last_run or 0)

    def lock_closing(self) -> None:
        hold(self.c, "charging.close")

    def lock_period(self, period: Period, model_id: int) -> None:
        if period.key in self.closed_periods():
            raise Conflict(f"period {period} is already closed")
        try:
            self.c.execute(
                insert(periods).values(
                    period_key=period.key,
                    status="closed",
                    closed_at=utcnow(),
                    closed_by=self.audit.actor,
                    cost_model_id=model_id,
                )
            )
        except IntegrityError:  # another close of the month committed first
            raise Conflict(f"period {period} was closed by another run at the same time") from None
        self.audit.record("lock", "period", str(period))

    # -- the close's inputs -----------------------------------------------------------------

    def known_entry_ids(self, entry_ids: Sequence[str]) -> set[str]:
        ids = list(entry_ids)
        known: set[str] = set()
        for i in range(0, len(ids), 5000):
            q = select(ledger_lines.c.entry_id).where(ledger_lines.c.entry_id.in_(ids[i : i + 5000]))
            known.update(x for (x,) in self.c.execute(q))
        return known

    def booked_time(self, period_keys: Iterable[int]) -> set[tuple[str, str, date]]:
        te, e = time_entries, engagements
        q = (
            select(te.c.person, e.c.code, te.c.worked_on)
            .join(e, e.c.id == te.c.engagement_id)
            .where(te.c.period_key.in_(sorted(set(period_keys))))
        )
        return {(r[0], r[1], r[2]) for r in self.c.execute(q)}

    def imported_usage(self) -> set[tuple[str, str, int]]:
        u, e = usage, engagements
        q = select(e.c.code, u.c.service, u.c.period_key).join(e, e.c.id == u.c.engagement_id)
        return {(r[0], r[1], int(r[2])) for r in self.c.execute(q.where(u.c.source == "import"))}

    def add_ledger_lines(self, batch_id: int, lines: Sequence[LedgerLine]) -> None:
        ids = self.registry.engagement_ids()
        insert_many(
            self.c,
            ledger_lines,
            [
                {
                    "batch_id": batch_id,
                    "entry_id": ln.entry_id,
                    "period_key": ln.period.key,
                    "account": ln.account,
                    "centre": ln.centre,
                    "amount": ln.amount,
                    "nd_vat": ln.nd_vat,
                    "engagement_id": None if ln.engagement is None else ids[ln.engagement][0],
                    "description": ln.description,
                }
                for ln in lines
            ],
        )

    def add_time_entries(self, batch_id: int, entries: Sequence[TimeEntry]) -> None:
        ids = self.registry.engagement_ids()
        insert_many(
            self.c,
            time_entries,
            [
                {
                    "batch_id": batch_id,
                    "person": t.person,
                    "grade": t.grade,
                    "engagement_id": ids[t.engagement][0],
                    "worked_on": t.worked_on,
                    "period_key": t.period.key,
                    "hours": t.hours,
                }
                for t in entries
            ],
        )

    def add_usage(self, batch_id: int, lines: Sequence[UsageLine]) -> None:
        ids = self.registry.engagement_ids()
        insert_many(
            self.c,
            usage,
            [
                {
                    "batch_id": batch_id,
                    "engagement_id": ids[u.engagement][0],
                    "service": u.service,
                    "period_key": u.period.key,
                    "origin_period_key": (u.origin or u.period).key,
                    "quantity": u.quantity,
                    "source": u.source,
                }
                for u in lines
            ],
        )

    # -- drivers and costs ------------------------------------------------------------------

    def direct_costs_by_centre(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = list(period_keys)
        q = (
            select(ledger_lines.c.centre, func.sum(ledger_lines.c.amount), func.sum(ledger_lines.c.nd_vat))
            .where(ledger_lines.c.period_key.in_(keys))
            .group_by(ledger_lines.c.centre)
        )
        return {r[0]: (r[1] or ZERO) + (r[2] or ZERO) for r in self.c.execute(q)}

    def ledger_totals(self, period_keys: Iterable[int]) -> list[LedgerTotal]:
        ll = ledger_lines
        prefix = func.substr(ll.c.account, 1, 2)
        q = (
            select(prefix, ll.c.centre, func.sum(ll.c.amount), func.sum(ll.c.nd_vat))
            .where(ll.c.period_key.in_(list(period_keys)))
            .group_by(prefix, ll.c.centre)
        )
        return [LedgerTotal(r[0], r[1], (r[2] or ZERO) + (r[3] or ZERO)) for r in self.c.execute(q)]

    def usage_by_month(self, year: int, member: str | None = None, engagement: str | None = None) -> list[UsageMonth]:
        u, e, m = usage, engagements, members
        q = (
            select(e.c.code, u.c.service, u.c.period_key, func.sum(u.c.quantity))
            .join(e, e.c.id == u.c.engagement_id)
            .where(u.c.period_key.between(year * 100 + 1, year * 100 + 12))
            .group_by(e.c.code, u.c.service, u.c.period_key)
            .order_by(u.c.period_key, e.c.code, u.c.service)
        )
        if member is not None:
            q = q.join(m, m.c.id == e.c.member_id).where(m.c.enterprise_number == member)
        if engagement is not None:
            q = q.where(e.c.code == engagement)
        return [UsageMonth(r[0], r[1], Period.from_key(int(r[2])), r[3]) for r in self.c.execute(q)]

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
        try:
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
        except IntegrityError:  # the unique true-up of the year: another run committed it first
            raise Conflict(f"the true-up of {period.year} was run by another user at the same time") from None
        return int(run_id)

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

    def charged_totals(self, period_keys: Iterable[int]) -> list[ChargeTotal]:
        """Every kind of charge summed per member, engagement and service over the periods."""
        ch, e, m = charges, engagements, members
        q = (
            select(m.c.enterprise_number, e.c.code, ch.c.service, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .join(m, m.c.id == ch.c.member_id)
            .where(ch.c.period_key.in_(list(period_keys)))
            .group_by(m.c.enterprise_number, e.c.code, ch.c.service)
        )
        return [ChargeTotal(r[0], r[1], r[2], r[3]) for r in self.c.execute(q)]

    def monthly_charges(
        self, period_keys: Iterable[int], member: str | None = None, engagement: str | None = None
    ) -> list[MonthlyCharge]:
        """Charges summed per engagement, service, month and kind."""
        ch, e, m = charges, engagements, members
        q = (
            select(e.c.code, ch.c.service, ch.c.period_key, ch.c.kind, func.sum(ch.c.amount))
            .join(e, e.c.id == ch.c.engagement_id)
            .where(ch.c.period_key.in_(list(period_keys)))
            .group_by(e.c.code, ch.c.service, ch.c.period_key, ch.c.kind)
        )
        if member is not None:
            q = q.join(m, m.c.id == ch.c.member_id).where(m.c.enterprise_number == member)
        if engagement is not None:
            q = q.where(e.c.code == engagement)
        return [MonthlyCharge(r[0], r[1], Period.from_key(int(r[2])), r[3], r[4]) for r in self.c.execute(q)]

    def add_true_up_shares(self, run_id: int, year: int, shares: Iterable[Share]) -> None:
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

    def true_up_run(self, year: int) -> TrueUpRun | None:
        row = self.c.execute(
            select(close_runs).where(and_(close_runs.c.year == year, close_runs.c.kind == "true_up"))
        ).first()
        return (
            None
            if row is None
            else TrueUpRun(row.year, TrueUpMode(row.mode), row.at, row.actor, int(row.cost_model_id))
        )

    def true_up_by_member(self, year: int) -> list[MemberShare]:
        s, m = true_up_shares, members
        q = (
            select(m.c.enterprise_number, m.c.name, func.sum(s.c.charged), func.sum(s.c.actual))
            .join(m, m.c.id == s.c.member_id)
            .where(s.c.year == year)
            .group_by(m.c.enterprise_number, m.c.name)
            .order_by(m.c.name)
        )
        return [MemberShare(r[0], r[1], r[2], r[3]) for r in self.c.execute(q)]

    def carry_forwards(self, year: int) -> dict[str, Decimal]:
        q = select(carry_forwards.c.service, carry_forwards.c.amount).where(carry_forwards.c.year == year)
        return {r[0]: r[1] for r in self.c.execute(q)}

    def add_carry_forwards(self, run_id: int, year: int, amounts: Mapping[str, Decimal]) -> None:
        insert_many(
            self.c,
            carry_forwards,
            [{"run_id": run_id, "year": year, "service": s, "amount": a} for s, a in amounts.items()],
        )

    # -- metered usage (the metering context's monthly totals, source ``metering``) ---------------

    def metered_quantities(self, period: Period) -> dict[tuple[str, str, int], Decimal]:
        """(engagement, service, origin period) -> the quantity metering last wrote for ``period``."""
        u, e = usage, engagements
        q = (
            select(e.c.code, u.c.service, u.c.origin_period_key, u.c.quantity)
            .join(e, e.c.id == u.c.engagement_id)
            .where(u.c.period_key == period.key, u.c.source == "metering")
        )
        return {(r[0], r[1], int(r[2])): r[3] for r in self.c.execute(q)}

    def replace_metered_usage(
        self, period: Period, quantities: Mapping[tuple[str, str, int], Decimal], batch_id: int
    ) -> None:
        """Replace the usage metering wrote for ``period`` by ``quantities`` ((engagement, service,
        origin period) -> quantity, every engagement known), rows of the import batch ``batch_id``."""
        ids = self.registry.engagement_ids()
        self.c.execute(usage.delete().where(usage.c.period_key == period.key, usage.c.source == "metering"))
        insert_many(
            self.c,
            usage,
            [
                {
                    "engagement_id": ids[engagement][0],
                    "service": service,
                    "period_key": period.key,
                    "origin_period_key": origin,
                    "quantity": quantity,
                    "source": "metering",
                    "batch_id": batch_id,
                }
                for (engagement, service, origin), quantity in sorted(quantities.items())
            ],
        )
