"""In-memory fakes of the charging context's ports (``mutua.charging.ports``): the close's inputs
and outputs in lists, summed in Python the way the SQL repository sums them.

The fake knows each engagement's member and each member's name (the SQL repository joins the
registry's tables for them): :func:`charging_uow` builds a unit of work with the registry, the cost
model and the charging repository from the same members and engagements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
from mutua.registry.domain import Engagement, Member
from tests.fakes import FakeUnitOfWork
from tests.fakes.costing import FakeCosting
from tests.fakes.registry import FakeRegistry

RUN_AT = datetime(2026, 1, 15, 9, 30)  # when the fake's runs happen (naive UTC, as stored)


class FakeCharging:
    """``mutua.charging.ports.Charging`` in memory.

    Attributes:
        owners: engagement code -> member (the SQL repository joins the registry for it).
        names: member -> name.
        closed: locked months (YYYYMM) -> the cost model id they were closed with.
        ledger, time, usage: the imported inputs, with their batch.
        runs: every close and true-up, as recorded.
        written: every charge, with its run and kind.
        shares: the true-up shares, with their run and year.
        carried: (year, service) -> balance carried forward.
    """

    def __init__(self, owners: Mapping[str, str] = (), names: Mapping[str, str] = (), actor: str = "test") -> None:
        self.owners = dict(owners)
        self.names = dict(names)
        self.actor = actor
        self.closed: dict[int, int] = {}
        self.ledger: list[tuple[int, LedgerLine]] = []
        self.time: list[tuple[int, TimeEntry]] = []
        self.usage: list[tuple[int, UsageLine]] = []
        self.runs: list[dict[str, Any]] = []
        self.written: list[tuple[int, str, Charge]] = []
        self.shares: list[tuple[int, int, Share]] = []
        self.carried: dict[tuple[int, str], Decimal] = {}
        self.locks_taken = 0  # lock_closing calls: the use cases take the lock before checking

    # -- periods -------------------------------------------------------------------------------

    def closed_periods(self) -> set[int]:
        return set(self.closed)

    def closed_models(self, period_keys: Iterable[int]) -> dict[int, int]:
        return {k: self.closed[k] for k in period_keys if k in self.closed}

    def latest_closed_period(self) -> Period | None:
        return Period.from_key(max(self.closed)) if self.closed else None

    def lock_closing(self) -> None:
        self.locks_taken += 1

    def lock_period(self, period: Period, model_id: int) -> None:
        if period.key in self.closed:
            raise Conflict(f"period {period} is already closed")
        self.closed[period.key] = model_id

    def close_fingerprint(self, year: int) -> tuple[int, int]:
        runs = [i for i, r in enumerate(self.runs, start=1) if r["year"] == year]
        return sum(1 for k in self.closed if k // 100 == year), max(runs, default=0)

    # -- the close's inputs ----------------------------------------------------------------------

    def known_entry_ids(self, entry_ids: Sequence[str]) -> set[str]:
        return {ln.entry_id for _, ln in self.ledger} & set(entry_ids)

    def booked_time(self, period_keys: Iterable[int]) -> set[tuple[str, str, date]]:
        keys = set(period_keys)
        return {(t.person, t.engagement, t.worked_on) for _, t in self.time if t.period.key in keys}

    def imported_usage(self) -> set[tuple[str, str, int]]:
        return {(u.engagement, u.service, u.period.key) for _, u in self.usage if u.source == "import"}

    def add_ledger_lines(self, batch_id: int, lines: Sequence[LedgerLine]) -> None:
        self.ledger += [(batch_id, ln) for ln in lines]

    def add_time_entries(self, batch_id: int, entries: Sequence[TimeEntry]) -> None:
        self.time += [(batch_id, t) for t in entries]

    def add_usage(self, batch_id: int, lines: Sequence[UsageLine]) -> None:
        self.usage += [(batch_id, u) for u in lines]

    def direct_costs_by_centre(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        keys = set(period_keys)
        result: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for _, ln in self.ledger:
            if ln.period.key in keys:
                result[ln.centre] += ln.amount + ln.nd_vat
        return dict(result)

    def drivers(self, period_keys: Iterable[int]) -> Drivers:
        keys = set(period_keys)
        usage: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for _, u in self.usage:
            if u.period.key in keys:
                usage[(u.engagement, u.service)] += u.quantity
        hours: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for _, t in self.time:
            if t.period.key in keys:
                hours[(t.engagement, t.grade)] += t.hours
        direct: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for _, ln in self.ledger:
            if ln.period.key in keys and ln.engagement is not None:
                direct[ln.engagement] += ln.amount + ln.nd_vat
        return Drivers(
            tuple(UsageQuantity(e, s, q) for (e, s), q in usage.items()),
            tuple(TimeQuantity(e, g, h) for (e, g), h in hours.items()),
            tuple(DirectCost(e, a) for e, a in direct.items()),
        )

    def ledger_totals(self, period_keys: Iterable[int]) -> list[LedgerTotal]:
        keys = set(period_keys)
        result: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for _, ln in self.ledger:
            if ln.period.key in keys:
                result[(ln.account[:2], ln.centre)] += ln.amount + ln.nd_vat
        return [LedgerTotal(a, c, v) for (a, c), v in result.items()]

    def usage_by_month(self, year: int, member: str | None = None, engagement: str | None = None) -> list[UsageMonth]:
        result: dict[tuple[int, str, str], Decimal] = defaultdict(lambda: ZERO)
        for _, u in self.usage:
            if u.period.year != year or (engagement is not None and u.engagement != engagement):
                continue
            if member is not None and self.owners[u.engagement] != member:
                continue
            result[(u.period.key, u.engagement, u.service)] += u.quantity
        return [UsageMonth(e, s, Period.from_key(k), q) for (k, e, s), q in sorted(result.items())]

    # -- the close's outputs ---------------------------------------------------------------------

    def add_run(
        self, kind: str, period: Period, model_id: int, total_cost: Decimal, total_charged: Decimal, mode: str = ""
    ) -> int:
        if kind == "true_up" and any(r["kind"] == "true_up" and r["year"] == period.year for r in self.runs):
            raise Conflict(f"the true-up of {period.year} was run by another user at the same time")
        self.runs.append(
            {
                "kind": kind,
                "period": period,
                "year": period.year,
                "mode": mode,
                "at": RUN_AT,
                "actor": self.actor,
                "model_id": model_id,
                "total_cost": total_cost,
                "total_charged": total_charged,
            }
        )
        return len(self.runs)

    def add_charges(self, run_id: int, kind: str, rows: Sequence[Charge]) -> None:
        assert all(self.owners.get(c.engagement) == c.member for c in rows), "charged to its engagement's member"
        self.written += [(run_id, kind, c) for c in rows]

    def charges(self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None) -> list[Charge]:
        keys = set(period_keys)
        return [
            c
            for _, k, c in self.written
            if c.period.key in keys and (member is None or c.member == member) and (kind is None or k == kind)
        ]

    def charged_sums(self, period_keys: Iterable[int], kind: str) -> dict[tuple[str, str], Decimal]:
        result: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for c in self.charges(period_keys, kind=kind):
            result[(c.engagement, c.service)] += c.amount
        return dict(result)

    def charged_totals(self, period_keys: Iterable[int]) -> list[ChargeTotal]:
        result: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
        for c in self.charges(period_keys):
            result[(c.member, c.engagement, c.service)] += c.amount
        return [ChargeTotal(m, e, s, a) for (m, e, s), a in result.items()]

    def monthly_charges(
        self, period_keys: Iterable[int], member: str | None = None, engagement: str | None = None
    ) -> list[MonthlyCharge]:
        keys = set(period_keys)
        result: dict[tuple[str, str, int, str], Decimal] = defaultdict(lambda: ZERO)
        for _, kind, c in self.written:
            if c.period.key not in keys or (member is not None and c.member != member):
                continue
            if engagement is not None and c.engagement != engagement:
                continue
            result[(c.engagement, c.service, c.period.key, kind)] += c.amount
        return [MonthlyCharge(e, s, Period.from_key(p), k, a) for (e, s, p, k), a in result.items()]

    def add_true_up_shares(self, run_id: int, year: int, shares: Iterable[Share]) -> None:
        self.shares += [(run_id, year, s) for s in shares]

    def true_up_run(self, year: int) -> TrueUpRun | None:
        for r in self.runs:
            if r["kind"] == "true_up" and r["year"] == year:
                return TrueUpRun(year, TrueUpMode(r["mode"]), r["at"], r["actor"], r["model_id"])
        return None

    def true_up_by_member(self, year: int) -> list[MemberShare]:
        sums: dict[str, tuple[Decimal, Decimal]] = {}
        for _, y, s in self.shares:
            if y == year:
                charged, actual = sums.get(s.member, (ZERO, ZERO))
                sums[s.member] = (charged + s.charged, actual + s.actual)
        found = [MemberShare(m, self.names[m], c, a) for m, (c, a) in sums.items()]
        return sorted(found, key=lambda s: s.name)

    def carry_forwards(self, year: int) -> dict[str, Decimal]:
        return {s: a for (y, s), a in self.carried.items() if y == year}

    def add_carry_forwards(self, run_id: int, year: int, amounts: Mapping[str, Decimal]) -> None:
        for service, amount in amounts.items():
            assert (year, service) not in self.carried
            self.carried[(year, service)] = amount


class FakeRegistryBook(FakeRegistry):
    """The registry as charging reads it: :class:`FakeRegistry` with the commitments of a year."""

    def commitments(self, year: int) -> dict[str, list[tuple[Period, Decimal, str]]]:
        result: dict[str, list[tuple[Period, Decimal, str]]] = {}
        for c in self.added_commitments:
            if c.period.year == year:
                result.setdefault(c.engagement, []).append((c.period, c.amount, c.description))
        return result


def charging_uow(
    model: str, members: Sequence[Member], engagements: Sequence[Engagement], actor: str = "test"
) -> FakeUnitOfWork:
    """A unit of work over the cost model text ``model`` and these members and engagements, with
    nothing imported or closed yet (``uow.registry``, ``uow.costing``, ``uow.charging``)."""
    return FakeUnitOfWork(
        actor,
        registry=FakeRegistryBook(members, engagements),
        costing=FakeCosting(model, actor=actor),
        charging=FakeCharging(
            {e.code: e.member for e in engagements}, {m.enterprise_number: m.name for m in members}, actor
        ),
    )
