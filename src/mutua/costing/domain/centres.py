"""Cost centres: support, operational and service centres, the keys that allocate a support centre's
cost, the method that allocates the support centres, and the ledger accounts that feed the
centres; and reading them from the model file's data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.costing.domain.reading import Reader
from mutua.kernel.bounds import MAX_WEIGHT


class CentreKind(enum.StrEnum):
    SUPPORT = "support"  # serves other centres; its cost is allocated to them
    OPERATIONAL = "operational"  # delivers to members at time or real cost (projects, secondment)
    SERVICE = "service"  # runs catalogue services charged by use, capacity or share


class SupportMethod(enum.StrEnum):
    DIRECT = "direct"
    STEP_DOWN = "step_down"
    RECIPROCAL = "reciprocal"


class KeyBasis(enum.StrEnum):
    WEIGHTS = "weights"  # fixed weights per receiving centre (headcount, m2, percentages)
    DIRECT_COST = "direct_cost"  # in proportion to the receivers' direct costs


@dataclass(frozen=True, slots=True)
class AllocationKey:
    """How a support centre's cost is spread over the centres it serves.

    Attributes:
        basis: fixed weights, or the receivers' direct costs.
        weights: (centre code, weight) pairs for the ``weights`` basis; empty otherwise.
    """

    basis: KeyBasis
    weights: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class Centre:
    """A cost centre.

    Attributes:
        code: short unique code.
        name: its name.
        kind: support, operational or service.
        key: for a support centre, how its cost is allocated; None otherwise.
        names: the name in the members' languages, ``(language, name)`` pairs (``names:`` in the file).
    """

    code: str
    name: str
    kind: CentreKind
    key: AllocationKey | None = None
    names: tuple[tuple[str, str], ...] = ()

    def name_in(self, language: str) -> str:
        """The name in ``language`` (``nl``, ``fr``, ``en``), else the plain name."""
        return dict(self.names).get(language, self.name)

    @property
    def is_final(self) -> bool:
        return self.kind is not CentreKind.SUPPORT


@dataclass(frozen=True, slots=True)
class AccountRule:
    """Ledger accounts beginning with ``prefix`` are known and may feed ``centre`` by default.

    Attributes:
        prefix: the leading digits of the Belgian account (class 6 costs, class 7 income).
        name: the account group's name.
        centre: the centre a ledger line without one goes to, or None (the line must name one).
        names: the name in the members' languages, ``(language, name)`` pairs (``names:`` in the file).
    """

    prefix: str
    name: str
    centre: str | None = None
    names: tuple[tuple[str, str], ...] = ()

    def name_in(self, language: str) -> str:
        """The name in ``language`` (``nl``, ``fr``, ``en``), else the plain name."""
        return dict(self.names).get(language, self.name)


def read_centres(r: Reader, data: Any) -> list[Centre]:
    """Read the ``centres`` list, each support centre with its allocation key."""
    pending: list[tuple[str, str, CentreKind, Any, str, tuple[tuple[str, str], ...]]] = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "centres")):
        path = f"centres[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("code", "name", "names", "kind", "key"), path)
        code = r.code(m, "code", path)
        name = r.text(m, "name", path)
        kind = r.choice(m, "kind", path, CentreKind)
        if code is not None and code in seen:
            r.fail(f"{path}.code", f"centre {code!r} is declared twice")
            continue
        if code is None or name is None or kind is None:
            continue
        seen.add(code)
        pending.append((code, name, kind, m.get("key"), path, r.names(m, "names", path)))
    result = []
    for code, name, kind, key_data, path, names in pending:
        key = None
        if kind is CentreKind.SUPPORT:
            key = _key(r, key_data, f"{path}.key", code, seen)
        elif key_data is not None:
            r.fail(f"{path}.key", "only support centres have an allocation key")
        result.append(Centre(code, name, kind, key, names))
    if data is not None and not any(c.is_final for c in result) and not r.problems:
        r.fail("centres", "the model needs at least one operational or service centre")
    return result


def _key(r: Reader, data: Any, path: str, owner: str, centres: set[str]) -> AllocationKey | None:
    if data is None:
        r.fail(path, "a support centre needs an allocation key")
        return None
    m = r.mapping(data, path)
    if m is None:
        return None
    r.unknown_keys(m, ("basis", "weights"), path)
    basis = r.choice(m, "basis", path, KeyBasis)
    if basis is KeyBasis.DIRECT_COST:
        if "weights" in m:
            r.fail(f"{path}.weights", "weights go with basis 'weights' only")
        return AllocationKey(basis)
    if basis is None:
        return None
    weights_map = r.mapping(m.get("weights"), f"{path}.weights")
    if weights_map is None:
        return None
    weights = []
    for target, value in weights_map.items():
        wpath = f"{path}.weights.{target}"
        if target not in centres:
            r.fail(wpath, f"unknown centre {target!r}")
            continue
        if target == owner:
            r.fail(wpath, "a centre cannot allocate to itself")
            continue
        w = r.decimal(value, wpath, non_negative=True, bound=MAX_WEIGHT)
        if w is not None:
            weights.append((str(target), w))
    if weights and sum(w for _, w in weights) == 0:
        r.fail(f"{path}.weights", "the weights add up to zero")
    return AllocationKey(KeyBasis.WEIGHTS, tuple(weights))


def read_support_allocation(
    r: Reader, data: Any, centres: Mapping[str, Centre]
) -> tuple[SupportMethod | None, tuple[str, ...]]:
    """Read ``support_allocation``: the method, and the support centres in the order they close."""
    m = r.mapping(data, "support_allocation")
    if m is None:
        return None, ()
    r.unknown_keys(m, ("method", "order"), "support_allocation")
    method = r.choice(m, "method", "support_allocation", SupportMethod)
    support = [c.code for c in centres.values() if not c.is_final]
    order: list[str] = []
    if method is SupportMethod.STEP_DOWN:
        for i, code in enumerate(r.seq(m.get("order"), "support_allocation.order")):
            path = f"support_allocation.order[{i}]"
            centre = centres.get(str(code))
            if centre is None:
                r.fail(path, f"unknown centre {code!r}")
            elif centre.is_final:
                r.fail(path, f"{code!r} is not a support centre")
            elif code in order:
                r.fail(path, f"{code!r} is listed twice")
            else:
                order.append(str(code))
        missing = [c for c in support if c not in order]
        if missing and "order" in m:
            r.fail("support_allocation.order", f"support centres missing from the order: {', '.join(missing)}")
    elif "order" in m and method is not None:
        r.fail("support_allocation.order", "an order goes with method 'step_down' only")
    return method, tuple(order) if method is SupportMethod.STEP_DOWN else tuple(support)


def read_accounts(r: Reader, data: Any, centres: Mapping[str, Centre]) -> list[AccountRule]:
    """Read the ``accounts`` list: known ledger account prefixes and the centre each feeds by default."""
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "accounts")):
        path = f"accounts[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("prefix", "name", "names", "centre"), path)
        prefix = r.text(m, "prefix", path)
        name = r.text(m, "name", path)
        centre = r.text(m, "centre", path, required=False)
        if prefix is not None:
            if not prefix.isdigit() or prefix[0] not in "67":
                r.fail(f"{path}.prefix", f"{prefix!r} is not a class 6 (cost) or 7 (income) account")
                prefix = None
            elif prefix.startswith("70"):
                r.fail(f"{path}.prefix", "turnover (70) is what the close produces; it is not imported")
                prefix = None
            elif prefix in seen:
                r.fail(f"{path}.prefix", f"account prefix {prefix!r} is declared twice")
                prefix = None
        if centre is not None and centre not in centres:
            r.fail(f"{path}.centre", f"unknown centre {centre!r}")
            centre = None
        if prefix is None or name is None:
            continue
        seen.add(prefix)
        result.append(AccountRule(prefix, name, centre, r.names(m, "names", path)))
    return result
