"""Allocation of support centres' costs to the final (operational and service) centres.

Three methods, as cost accountants know them:

- **direct**: each support centre allocates straight to the final centres, ignoring the services
  support centres render each other;
- **step-down** (sequential): support centres are closed one by one in the model's order; each
  allocates its own cost plus what it received to the centres after it and to the final centres;
- **reciprocal** (simultaneous equations): every support centre's total cost ``T`` satisfies
  ``T_s = D_s + sum_r a_rs T_r``; the system is solved exactly, then every support centre
  allocates ``T_s`` to all centres it serves.

All arithmetic is exact (:class:`fractions.Fraction`); the final centres' totals are rounded to the
cent once, by largest remainder, so that they add up to the total cost exactly.

Example (data before and after)::

    direct costs   HR 100.00   IT 50.00   DEV 300.00   OPS 200.00
    HR key: IT 1, DEV 2, OPS 1; IT key: HR 1, DEV 1, OPS 1; method: step_down, order HR, IT
    after          DEV 391.67  OPS 258.33   (support centres 0.00)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from mutua.costing.domain.centres import Centre, KeyBasis, SupportMethod
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO, round_shares, to_cents
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
        final: each final centre's total after allocation, in cents; they add up to the total.
        flows: every exact amount moved between centres.
        method: the method used.
    """

    direct: Mapping[str, Decimal]
    final: Mapping[str, Decimal]
    flows: tuple[Flow, ...]
    method: SupportMethod

    @property
    def total(self) -> Decimal:
        return sum(self.direct.values(), ZERO)

    def received(self, centre: str) -> Decimal:
        return to_cents(sum((f.amount for f in self.flows if f.target == centre), Fraction(0)))


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
        totals, flows = _reciprocal(model, support, final, direct)
    else:
        order = list(model.step_down_order) if method is SupportMethod.STEP_DOWN else support
        totals, flows = _sequential(model, order, final, direct, step_down=method is SupportMethod.STEP_DOWN)
    final_exact = {f: totals[f] for f in final}
    return SupportAllocation(
        direct={c.code: direct_costs.get(c.code, ZERO) for c in model.centres},
        final=round_shares(final_exact),
        flows=tuple(flows),
        method=method,
    )


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
