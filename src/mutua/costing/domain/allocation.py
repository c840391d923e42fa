"""Allocation of support centres' costs to the final (operational and service) centres.

Three methods, as cost accountants know them:

- **direct**: each support centre allocates straight to the final centres, ignoring the services
  support centres render each other;
- **step-down** (sequential): support centres are closed one by one in the model's order; each
  allocates its own cost plus what it received to the centres after it and to the final centres;
- **reciprocal** (simultaneous equations): every support centre's total cost ``T`` satisfies
  ``T_s = D_s + sum_r a_rs T_r``; the system is solved exactly, then every support centre
  allocates ``T_s`` to all centres it serves.

All arithmetic is exact (:class:`fractions.Fraction`). The amounts moved are then rounded to the
cent once, together (:func:`round_flows`), so that every published table adds up along rows and
columns: each support centre passes on exactly its direct cost plus what it received, each final
centre's total is its direct cost plus what it received, the final centres' totals add up to the
total cost, and each of them is within a cent of its exact value (by largest remainder where the
balances leave a choice).

Example (data before and after)::

    direct costs   HR 100.00   IT 50.00   DEV 300.00   OPS 200.00
    HR key: IT 1, DEV 2, OPS 1; IT key: HR 1, DEV 1, OPS 1; method: step_down, order HR, IT
    after          DEV 391.67  OPS 258.33   (support centres 0.00)
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from mutua.costing.domain.centres import Centre, KeyBasis, SupportMethod
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.problems import Problem


@dataclass(frozen=True, slots=True)
class Flow:
    """An exact amount moved from one centre to another by the support allocation.

    Attributes:
        source: the support centre allocating.
        target: the centre receiving.
        amount: the exact amount.
    """

    source: str
    target: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class SupportAllocation:
    """The result of allocating support centres.

    Attributes:
        direct: each centre's own (direct) cost, before allocation.
        final: each final centre's total after allocation, in cents: its direct cost plus what it
            received (``moved``); they add up to the total.
        flows: every exact amount moved between centres.
        method: the method used.
        moved: the amounts moved, (source, target) -> cents, rounded once (:func:`round_flows`).
    """

    direct: Mapping[str, Decimal]
    final: Mapping[str, Decimal]
    flows: tuple[Flow, ...]
    method: SupportMethod
    moved: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.direct.values(), ZERO)

    def received(self, centre: str) -> Decimal:
        """What ``centre`` received from support centres, in cents (the rounded amounts moved)."""
        return sum((a for (_, t), a in self.moved.items() if t == centre), ZERO)

    def passed_on(self, centre: str) -> Decimal:
        """What a support centre passed on to other centres, in cents: its direct cost plus what it
        received (zero for a final centre)."""
        return sum((a for (s, _), a in self.moved.items() if s == centre), ZERO)


class AllocationError(ValueError):
    """The model cannot allocate these costs (a key with nothing to allocate to)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _receiver_weights(centre: Centre, receivers: list[str], direct: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """The key of a support centre restricted to ``receivers``, as exact weights."""
    key = centre.key
    if key is None:  # pragma: no cover - the model builder guarantees a key
        raise ValueError(f"support centre {centre.code} has no key")
    if key.basis is KeyBasis.DIRECT_COST:
        return {r: max(direct.get(r, Fraction(0)), Fraction(0)) for r in receivers}
    weights = dict(key.weights)
    return {r: Fraction(weights[r]) for r in receivers if r in weights}


def _fractions(weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """Weights normalised to fractions that add up to 1 (empty if they add up to zero)."""
    s = sum(weights.values(), Fraction(0))
    if s == 0:
        return {}
    return {k: w / s for k, w in weights.items() if w != 0}


def allocate_support(model: CostModel, direct_costs: Mapping[str, Decimal]) -> SupportAllocation:
    """Allocate the support centres' costs to the final centres by the model's method.

    ``direct_costs`` maps centre codes to their direct cost (cents; income negative). Centres
    not mentioned have none. Raises :class:`AllocationError` if a support centre with a cost has
    nowhere to allocate it.
    """
    support = [c.code for c in model.support_centres]
    final = [c.code for c in model.final_centres]
    direct = {c.code: Fraction(direct_costs.get(c.code, ZERO)) for c in model.centres}
    unknown = [code for code in direct_costs if model.centre(code) is None]
    if unknown:
        raise AllocationError([Problem("ledger", None, "centre", f"unknown centre {u!r}") for u in unknown])
    method = model.support_method
    if method is SupportMethod.RECIPROCAL:
        _, flows = _reciprocal(model, support, final, direct)
    else:
        order = list(model.step_down_order) if method is SupportMethod.STEP_DOWN else support
        _, flows = _sequential(model, order, final, direct, step_down=method is SupportMethod.STEP_DOWN)
    direct_cents = {c.code: direct_costs.get(c.code, ZERO) for c in model.centres}
    moved = round_flows(flows, direct_cents, support, final)
    received: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_, target), amount in moved.items():
        received[target] += amount
    return SupportAllocation(
        direct=direct_cents,
        final={f: direct_cents[f] + received[f] for f in final},
        flows=tuple(flows),
        method=method,
        moved=moved,
    )


def round_flows(
    flows: list[Flow] | tuple[Flow, ...], direct: Mapping[str, Decimal], support: list[str], final: list[str]
) -> dict[tuple[str, str], Decimal]:
    """The exact amounts moved, rounded to the cent once, all together: each to the cent below or
    above its exact value, such that every support centre passes on exactly its direct cost plus
    what it received, and every final centre receives within a cent of its exact amount (the
    final centres with the largest remainders first, as far as the balances allow).

    The rounded amounts are an integral flow of the network whose exact flow is given, and one
    exists with every amount at the floor or the ceiling of its exact value (network flows are
    integral): the floors are taken, then the missing cents are routed (augmenting paths) over the
    amounts whose exact value is not whole.
    """
    exact: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for flow in flows:
        exact[(flow.source, flow.target)] += flow.amount * 100
    base = {k: v.numerator // v.denominator for k, v in exact.items()}
    balance = {s: int(direct.get(s, ZERO) * 100) for s in support}
    remainder: dict[str, Fraction] = defaultdict(Fraction)
    for (source, target), cents in base.items():
        balance[source] -= cents
        if target in balance:
            balance[target] += cents
        else:
            remainder[target] += exact[(source, target)] - cents
    # The missing cents: S -> the support centres with cents left to pass on; those owed cents
    # -> T; each amount not whole can take one more cent; each final centre takes its whole
    # remainder (-> T), then one more cent for those chosen by largest remainder (-> X -> T).
    net = _Network()
    source, sink, chosen = "<S>", "<T>", "<X>"  # not centre codes: those are in the nodes as "=CODE"
    for s, b in balance.items():
        if b > 0:
            net.add(source, f"={s}", b)
        elif b < 0:
            net.add(f"={s}", sink, -b)
    for (s, t), cents in base.items():
        if exact[(s, t)] != cents:
            net.add(f"={s}", f"={t}", 1)
    whole = {f: int(remainder[f]) for f in final}
    for f in final:
        net.add(f"={f}", sink, whole[f])
    net.add(chosen, sink, sum(balance.values()) - sum(whole.values()))
    routed = net.max_flow(source, sink)
    for f in sorted(final, key=lambda f: -(remainder[f] - whole[f])):
        if remainder[f] != whole[f]:
            net.add(f"={f}", chosen, 1)
            added = net.max_flow(source, sink)
            if not added:
                net.add(f"={f}", chosen, -1)
            routed += added
    if routed != sum(b for b in balance.values() if b > 0):  # pragma: no cover - cannot happen
        raise ValueError("the amounts moved could not be rounded consistently")
    cent = Decimal("0.01")
    return {
        (s, t): (Decimal(c + net.flow(f"={s}", f"={t}")) / 100).quantize(cent) for (s, t), c in sorted(base.items())
    }


class _Network:
    """A small network with integer capacities, for :func:`round_flows` (Edmonds-Karp)."""

    def __init__(self) -> None:
        self.capacity: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.residual: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, source: str, target: str, capacity: int) -> None:
        self.capacity[source][target] += capacity
        self.residual[source][target] += capacity
        self.residual[target][source] += 0

    def flow(self, source: str, target: str) -> int:
        """The units sent from ``source`` to ``target`` (units sent both ways cancel: only the net
        amount changes a balance)."""
        capacity = self.capacity[source][target]
        return min(max(capacity - self.residual[source][target], 0), capacity)

    def max_flow(self, source: str, sink: str) -> int:
        total = 0
        while True:
            parent = {source: source}
            queue = deque([source])
            while queue and sink not in parent:
                node = queue.popleft()
                for nxt, cap in self.residual[node].items():
                    if cap > 0 and nxt not in parent:
                        parent[nxt] = node
                        queue.append(nxt)
            if sink not in parent:
                return total
            path = []
            node = sink
            while node != source:
                path.append((parent[node], node))
                node = parent[node]
            push = min(self.residual[a][b] for a, b in path)
            for a, b in path:
                self.residual[a][b] -= push
                self.residual[b][a] += push
            total += push


def _sequential(
    model: CostModel, order: list[str], final: list[str], direct: dict[str, Fraction], *, step_down: bool
) -> tuple[dict[str, Fraction], list[Flow]]:
    totals = dict(direct)
    flows: list[Flow] = []
    problems: list[Problem] = []
    for i, code in enumerate(order):
        centre = model.centre(code)
        assert centre is not None
        receivers = (order[i + 1 :] + final) if step_down else list(final)
        shares = _fractions(_receiver_weights(centre, receivers, direct))
        amount = totals[code]
        if amount == 0:
            continue
        if not shares:
            problems.append(
                Problem(
                    "cost model",
                    None,
                    f"centres.{code}.key",
                    f"support centre {code} has a cost of {to_cents(amount)} but its key "
                    "gives nothing to the centres it can still allocate to",
                )
            )
            continue
        for target, share in shares.items():
            moved = amount * share
            totals[target] += moved
            flows.append(Flow(code, target, moved))
        totals[code] = Fraction(0)
    if problems:
        raise AllocationError(problems)
    return totals, flows


def _reciprocal(
    model: CostModel, support: list[str], final: list[str], direct: dict[str, Fraction]
) -> tuple[dict[str, Fraction], list[Flow]]:
    receivers_of: dict[str, dict[str, Fraction]] = {}
    problems: list[Problem] = []
    for code in support:
        centre = model.centre(code)
        assert centre is not None
        shares = _fractions(_receiver_weights(centre, [c for c in support + final if c != code], direct))
        if not shares and direct[code] != 0:
            problems.append(
                Problem(
                    "cost model",
                    None,
                    f"centres.{code}.key",
                    f"support centre {code} has a cost but its key gives nothing to anyone",
                )
            )
        receivers_of[code] = shares
    if problems:
        raise AllocationError(problems)
    # Solve (I - A^T) T = D for the support centres, exactly.
    n = len(support)
    index = {code: i for i, code in enumerate(support)}
    matrix = [[Fraction(int(i == j)) for j in range(n)] + [direct[support[i]]] for i in range(n)]
    for source, shares in receivers_of.items():
        for target, share in shares.items():
            if target in index:
                matrix[index[target]][index[source]] -= share
    solution = _solve(matrix, support)
    flows: list[Flow] = []
    totals = {code: direct[code] for code in final}
    for source, shares in receivers_of.items():
        for target, share in shares.items():
            moved = solution[index[source]] * share
            flows.append(Flow(source, target, moved))
            if target in totals:
                totals[target] += moved
    return totals, flows


def _solve(augmented: list[list[Fraction]], names: list[str]) -> list[Fraction]:
    """Gauss-Jordan elimination on an augmented matrix of fractions."""
    n = len(augmented)
    m = [row[:] for row in augmented]
    for col in range(n):
        pivot = next((r for r in range(col, n) if m[r][col] != 0), None)
        if pivot is None:
            raise AllocationError(
                [
                    Problem(
                        "cost model",
                        None,
                        f"centres.{names[col]}.key",
                        "the support centres only serve each other: their cost never reaches a final centre",
                    )
                ]
            )
        m[col], m[pivot] = m[pivot], m[col]
        p = m[col][col]
        m[col] = [v / p for v in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
    return [m[i][n] for i in range(n)]
