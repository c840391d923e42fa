"""The association's pictures of a year: the allocation flows, the true-up per member, the latest year
and the data versions that the portal's caches key on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mutua.charging.domain import MemberShare, TrueUpRun
from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.service.close import actual_cost, model_of
from mutua.charging.service.dashboard import closed_in
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO


@requires(Permission())
def data_version(uow: ChargingUnitOfWork) -> int:
    """The id of the newest audit entry: every write is audited, so any change moves it (a cache key)."""
    with uow:
        return uow.audit.version()


@requires(Permission())
def close_fingerprint(uow: ChargingUnitOfWork, year: int) -> tuple[int, int]:
    """Changes whenever a month of ``year`` is closed or its true-up runs (a cache key)."""
    with uow:
        return uow.charging.close_fingerprint(year)


@requires(Permission())
def latest_year(uow: ChargingUnitOfWork) -> int:
    """The year of the latest closed month (this year when nothing is closed)."""
    with uow:
        latest = uow.charging.latest_closed_period()
    return latest.year if latest is not None else datetime.now(UTC).year


@requires(Permission())
def closing_year(uow: ChargingUnitOfWork) -> int:
    """The year a controller is closing: the latest closed month's, until that year's December is
    closed and trued up; then the next year (this year when nothing is closed)."""
    with uow:
        latest = uow.charging.latest_closed_period()
        if latest is None:
            return datetime.now(UTC).year
        done = latest.month == 12 and uow.charging.true_up_run(latest.year) is not None
    return latest.year + 1 if done else latest.year


# -- the allocation as a picture ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A node of the picture: a ledger account class, a centre, a service or a client group."""

    id: str
    kind: str
    code: str
    name: str
    column: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "code": self.code, "name": self.name, "column": self.column}


@dataclass(frozen=True, slots=True)
class FlowLink:
    """An exact amount moved from one node to another (always positive)."""

    source: str
    target: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class IncomeLine:
    """Income of an account class on a centre (negative: it reduces the centre's cost; drawn as a
    flow from the centre to the income that bears that part of its cost)."""

    account_class: str
    centre: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"account_class": self.account_class, "centre": self.centre, "amount": str(self.amount)}


@dataclass(frozen=True)
class AllocationFlows:
    """Ledger (account class) -> cost centres -> services -> client groups, for the closed months.

    Attributes:
        year: the year.
        periods_closed: its closed months (nothing to draw when 0).
        method: the support allocation's method.
        total_cost: the closed months' cost.
        nodes: the nodes, column by column.
        links: every amount moved; into every centre as much as out of it (its costs and what it
            received; what it passed on, its services' cost and the part its income bears).
        income: the income lines (negative).
    """

    year: int
    periods_closed: int
    method: str = ""
    total_cost: Decimal = ZERO
    nodes: tuple[FlowNode, ...] = ()
    links: tuple[FlowLink, ...] = ()
    income: tuple[IncomeLine, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if not self.periods_closed:
            return {"year": self.year, "periods_closed": 0, "nodes": [], "links": [], "income": []}
        return {
            "year": self.year,
            "periods_closed": self.periods_closed,
            "method": self.method,
            "total_cost": str(self.total_cost),
            "nodes": [n.as_json() for n in self.nodes],
            "links": [link.as_json() for link in self.links],
            "income": [i.as_json() for i in self.income],
        }


def _link(links: list[FlowLink], source: str, target: str, amount: Decimal) -> None:
    """A link of ``amount`` from ``source`` to ``target``; a negative amount (a centre whose income
    exceeds its cost) is drawn the other way, so that what flows in still equals what flows out."""
    if amount > 0:
        links.append(FlowLink(source, target, amount))
    elif amount < 0:
        links.append(FlowLink(target, source, -amount))


@requires(Permission(Action.READ_ASSOCIATION))
def allocation_flows(uow: ChargingUnitOfWork, year: int) -> AllocationFlows:
    """Ledger (account class) -> cost centres -> services -> client groups, for the closed months.

    Each link is an amount in cents, from the report's one rounding: support centres pass their
    cost to the final centres (the model's method) as the report's ``received`` and ``passed on``;
    income (negative) lines are listed in ``income`` and drawn from their centre to the income
    (``income:74``), which bears that part of the cost beside the client groups. What flows into a
    centre flows out of it, to the cent.
    """
    with uow:
        _, model = model_of(uow, year)
        closed = closed_in(uow, year)
        if not closed:
            return AllocationFlows(year, 0)
        ledger = uow.charging.ledger_totals([p.key for p in closed])
        cost = actual_cost(uow, year, closed, model=model)
        groups = {m.enterprise_number: m.client_group.value for m in uow.registry.members()}
    support, allocation = cost.support, cost.allocation
    links: list[FlowLink] = []
    income: list[IncomeLine] = []
    for t in sorted(ledger, key=lambda t: (t.account_class, t.centre, t.amount)):
        if t.amount > 0:
            _link(links, f"ledger:{t.account_class}", f"centre:{t.centre}", t.amount)
        elif t.amount < 0:
            income.append(IncomeLine(t.account_class, t.centre, t.amount))
    for i in income:
        _link(links, f"centre:{i.centre}", f"income:{i.account_class}", -i.amount)
    final = {c.code for c in model.final_centres}
    for (source, target), amount in sorted(support.moved.items()):
        _link(links, f"centre:{source}", f"centre:{target}", amount)
    for s in model.services:
        if s.centre in final:
            _link(links, f"centre:{s.centre}", f"service:{s.code}", allocation.service_cost.get(s.code, ZERO))
    to_group: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for share in allocation.shares:
        to_group[(share.service, groups.get(share.member, "other"))] += share.actual
    for (service, group), amount in sorted(to_group.items()):
        _link(links, f"service:{service}", f"group:{group}", amount)
    names: dict[str, str] = {}
    for c in model.centres:
        names[f"centre:{c.code}"] = f"{c.code} {c.name}"
    for s in model.services:
        names[f"service:{s.code}"] = s.name
    for rule in model.accounts:
        names[f"ledger:{rule.prefix}"] = names[f"income:{rule.prefix}"] = f"{rule.prefix} {rule.name}"
    used = {x for link in links for x in (link.source, link.target)}
    nodes = []
    for node in sorted(used, key=_node_order(model)):
        kind, _, code = node.partition(":")
        column = {"ledger": 0, "group": 4, "income": 4, "service": 3}.get(kind)
        if column is None:
            found = model.centre(code)
            column = 2 if found is not None and found.is_final else 1
        nodes.append(FlowNode(node, kind, code, names.get(node, code), column))
    return AllocationFlows(
        year, len(closed), support.method.value, support.total, tuple(nodes), tuple(links), tuple(income)
    )


def _node_order(model: CostModel) -> Callable[[str], tuple[int, str]]:
    centre_order = {c.code: i for i, c in enumerate(model.centres)}
    service_order = {s.code: i for i, s in enumerate(model.services)}

    def key(node: str) -> tuple[int, str]:
        kind, _, code = node.partition(":")
        if kind == "centre":
            return (centre_order.get(code, 999), code)
        if kind == "service":
            return (service_order.get(code, 999), code)
        return (0, code)

    return key


# -- the true-up per member ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrueUpByMember:
    """The true-up of a year per member: charged provisionally, actual share, and the difference
    (positive: the member owes it; negative: it is refunded or carried forward).

    Attributes:
        year: the year.
        run: the true-up as it ran, or None (then ``members`` is empty).
        members: per member, by name.
    """

    year: int
    run: TrueUpRun | None
    members: tuple[MemberShare, ...]

    @property
    def charged(self) -> Decimal:
        return sum((m.charged for m in self.members), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((m.actual for m in self.members), ZERO)

    @property
    def difference(self) -> Decimal:
        return sum((m.difference for m in self.members), ZERO)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "run": None if self.run is None else self.run.as_json(),
            "charged": str(self.charged),
            "actual": str(self.actual),
            "difference": str(self.difference),
            "members": [
                {
                    "member": m.member,
                    "name": m.name,
                    "charged": str(m.charged),
                    "actual": str(m.actual),
                    "difference": str(m.difference),
                }
                for m in self.members
            ],
        }


@requires(Permission(Action.READ_ASSOCIATION))
def true_up_by_member(uow: ChargingUnitOfWork, year: int) -> TrueUpByMember:
    with uow:
        return TrueUpByMember(year, uow.charging.true_up_run(year), tuple(uow.charging.true_up_by_member(year)))
