"""Scenarios: a year under another cost model, allocation method or tariffs, against what was adopted.

A scenario is computed, never written: the same books (the year's ledger, usage, hours, engagements)
go through the close's and the true-up's own pure stages twice, once with the adopted model and once
with the scenario's, and the two outcomes are compared line by line::

    books ──┬─ adopted model ──> allocate support -> allocate actual -> charge at tariffs ──┐
            └─ scenario model ─> allocate support -> allocate actual -> charge at tariffs ──┴─> compare

Per centre (after the support allocation), per service (its actual cost) and per member (its actual
share, and what it would be charged at the tariffs), the difference in euros and in percent; and on
each side the zero-result check: the centres, the services and the members each add up to the cost
to the cent, so that a true-up under that model would leave a result of zero.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mutua.charging.domain import (
    ActualBooks,
    Drivers,
    Timings,
    allocate_actual_cost,
    charged_by_engagement,
    provisional_charges,
)
from mutua.costing.domain.centres import SupportMethod
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem
from mutua.registry.domain import Engagement

PERCENT = Decimal("0.01")


class Basis(enum.StrEnum):
    """What a scenario changes."""

    MODEL = "model"  # another cost model file
    METHOD = "method"  # the adopted model with another support allocation method
    TARIFFS = "tariffs"  # the tariffs proposed for next year from this year's actuals


@dataclass(frozen=True, slots=True)
class Difference:
    """A line of the comparison: the adopted figure, the scenario's, and the change.

    Attributes:
        code: the centre, service or member (enterprise number).
        name: its name.
        adopted: under the adopted model.
        scenario: under the scenario.
    """

    code: str
    name: str
    adopted: Decimal
    scenario: Decimal

    @property
    def change(self) -> Decimal:
        return self.scenario - self.adopted

    @property
    def change_pct(self) -> Decimal | None:
        """The change in percent of the adopted figure (None when that is zero and the change is not)."""
        if self.adopted == 0:
            return ZERO.quantize(PERCENT) if self.change == 0 else None
        return (self.change * 100 / abs(self.adopted)).quantize(PERCENT)

    def as_json(self) -> dict[str, Any]:
        pct = self.change_pct
        return {
            "code": self.code,
            "name": self.name,
            "adopted": str(self.adopted),
            "scenario": str(self.scenario),
            "change": str(self.change),
            "change_pct": None if pct is None else str(pct),
        }


@dataclass(frozen=True)
class Outcome:
    """A year's books under one model.

    Attributes:
        method: its support allocation method.
        total_cost: the cost to share (the ledger's, the same under every model).
        centres: each centre's cost after the support allocation (support centres: 0.00).
        direct: each centre's direct cost.
        services: each service's actual cost.
        members: each member's actual share.
        service_charges: what each service would charge at the model's tariffs.
        member_charges: what each member would be charged at the model's tariffs.
    """

    method: SupportMethod
    total_cost: Decimal
    centres: Mapping[str, Decimal]
    direct: Mapping[str, Decimal]
    services: Mapping[str, Decimal]
    members: Mapping[str, Decimal]
    service_charges: Mapping[str, Decimal]
    member_charges: Mapping[str, Decimal]

    @property
    def total_charged(self) -> Decimal:
        return sum(self.member_charges.values(), ZERO)

    @property
    def zero_result(self) -> bool:
        """The centres, the services and the members each add up to the cost, to the cent: a
        true-up under this model leaves a result of zero."""
        return (
            sum(self.centres.values(), ZERO)
            == sum(self.services.values(), ZERO)
            == sum(self.members.values(), ZERO)
            == self.total_cost
        )

    def check_json(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "total_cost": str(self.total_cost),
            "centres": str(sum(self.centres.values(), ZERO)),
            "services": str(sum(self.services.values(), ZERO)),
            "members": str(sum(self.members.values(), ZERO)),
            "charged_at_tariffs": str(self.total_charged),
            "recovery": str(self.total_charged - self.total_cost),
            "zero_result": self.zero_result,
        }


@dataclass(frozen=True, slots=True)
class YearBooks:
    """What a scenario reads of a year (once, for both sides).

    Attributes:
        year: the year.
        periods: its months compared (the closed ones; all twelve when none is closed yet).
        engagements: every engagement.
        drivers: the months' drivers together (usage, hours, real cost).
        direct_costs: the months' direct cost per centre.
        charged: the months' provisional charges per (engagement, service): booked by the closes,
            or at the adopted tariffs for months not closed. They are the adopted side's charges,
            and on both sides what the support allocation shares a centre's cost over its services by.
        members: enterprise number -> name.
        months: each month's drivers, when a scenario charges at other tariffs (month by month, as
            the close does); empty otherwise.
    """

    year: int
    periods: tuple[Period, ...]
    engagements: tuple[Engagement, ...]
    drivers: Drivers
    direct_costs: Mapping[str, Decimal]
    charged: Mapping[tuple[str, str], Decimal]
    members: Mapping[str, str]
    months: tuple[tuple[Period, Drivers], ...] = ()


def same_tariffs(adopted: CostModel, scenario: CostModel, year: int, tariff_year: int) -> bool:
    """Whether ``scenario`` charges ``year``'s volumes exactly as ``adopted`` does: the same services,
    charged the same way, at the same tariffs (its ``tariff_year``'s against ``year``'s)."""
    mine = {(t.service, t.price, t.markup, t.annual, t.grades) for t in adopted.tariffs if t.year == year}
    theirs = {(t.service, t.price, t.markup, t.annual, t.grades) for t in scenario.tariffs if t.year == tariff_year}
    services = {(s.code, s.charging, s.unit) for s in adopted.services}
    return mine == theirs and services == {(s.code, s.charging, s.unit) for s in scenario.services}


def with_tariffs_of(model: CostModel, tariff_year: int, year: int) -> CostModel:
    """``model`` whose tariffs of ``tariff_year`` apply to ``year`` (next year's proposed tariffs
    charged on this year's volumes); the model itself when the years are the same."""
    if tariff_year == year:
        return model
    moved = tuple(replace(t, year=year) for t in model.tariffs if t.year == tariff_year)
    return replace(model, tariffs=moved, _centre_index={}, _service_index={})


def with_method(model: CostModel, method: SupportMethod, order: Sequence[str] = ()) -> CostModel:
    """``model`` with another support allocation method (step-down: in ``order``, else the model's
    own order, else the support centres' order in the file)."""
    if method is SupportMethod.STEP_DOWN:
        chosen = tuple(order) or model.step_down_order or tuple(c.code for c in model.support_centres)
    else:
        chosen = ()
    return replace(
        model,
        support_method=method,
        step_down_order=chosen,
        version=f"{model.version}+{method.value}",
        _centre_index={},
        _service_index={},
    )


def charges_at_tariffs(
    model: CostModel, books: YearBooks, tariff_year: int
) -> tuple[dict[tuple[str, str], Decimal], list[Problem]]:
    """What each (engagement, service) would be charged over the months at ``model``'s tariffs of
    ``tariff_year`` (the close's own rule, month by month)."""
    priced = with_tariffs_of(model, tariff_year, books.year)
    total: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    problems: list[Problem] = []
    for period, drivers in books.months:
        charges, found = provisional_charges(priced, period, books.engagements, drivers)
        problems.extend(p for p in found if p not in problems)
        for key, amount in charged_by_engagement(charges).items():
            total[key] += amount
    return dict(total), problems


def outcome(
    model: CostModel, books: YearBooks, tariff_year: int, charged: Mapping[tuple[str, str], Decimal] | None = None
) -> tuple[Outcome | None, list[Problem]]:
    """The year's books under ``model``: its support allocation, actual shares and charges at its
    tariffs of ``tariff_year`` (``charged`` when they are known already); or the problems that
    prevent them."""
    actual = ActualBooks(
        books.year, books.periods, model, books.engagements, books.drivers, books.direct_costs, books.charged
    )
    cost, problems = allocate_actual_cost(actual, Timings())
    if cost is None:
        return None, problems
    if charged is None:
        charged, problems = charges_at_tariffs(model, books, tariff_year)
        if problems:
            return None, problems
    members: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for share in cost.allocation.shares:
        members[share.member] += share.actual
    member_of = {e.code: e.member for e in books.engagements}
    service_charges: dict[str, Decimal] = defaultdict(lambda: ZERO)
    member_charges: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (engagement, service), amount in charged.items():
        service_charges[service] += amount
        member_charges[member_of[engagement]] += amount
    support = cost.support
    centres = {c.code: support.final.get(c.code, ZERO) for c in model.centres}
    return (
        Outcome(
            model.support_method,
            support.total,
            centres,
            dict(support.direct),
            dict(cost.allocation.service_cost),
            dict(members),
            dict(service_charges),
            dict(member_charges),
        ),
        [],
    )


def differences(
    adopted: Mapping[str, Decimal], scenario: Mapping[str, Decimal], names: Mapping[str, str], order: Iterable[str]
) -> tuple[Difference, ...]:
    """One line per key of either side (in ``order``, then the others by code)."""
    keys = list(dict.fromkeys([*order, *sorted(set(adopted) | set(scenario))]))
    return tuple(
        Difference(k, names.get(k, k), adopted.get(k, ZERO), scenario.get(k, ZERO))
        for k in keys
        if k in adopted or k in scenario
    )


@dataclass(frozen=True)
class Comparison:
    """A scenario's year against the adopted model's.

    Attributes:
        year: the year of the books.
        tariff_year: the year whose tariffs the scenario charges at (next year's for a tariff proposal).
        name: the scenario's name (None: not saved).
        basis: what the scenario changes.
        adopted_version, scenario_version: the models' version labels.
        periods: the months compared.
        adopted, scenario: both outcomes (with their zero-result checks).
        centres: cost per centre after the support allocation.
        services: actual cost per service.
        members: actual share per member.
        service_charges: charges per service at the tariffs.
        member_charges: charges per member at the tariffs (the effect of new tariffs per member).
    """

    year: int
    tariff_year: int
    name: str | None
    basis: Basis
    adopted_version: str
    scenario_version: str
    periods: tuple[Period, ...]
    adopted: Outcome
    scenario: Outcome
    centres: tuple[Difference, ...]
    services: tuple[Difference, ...]
    members: tuple[Difference, ...]
    service_charges: tuple[Difference, ...]
    member_charges: tuple[Difference, ...]

    @property
    def unchanged(self) -> bool:
        """Nothing differs anywhere."""
        return all(
            d.change == 0
            for table in (self.centres, self.services, self.members, self.service_charges, self.member_charges)
            for d in table
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "tariff_year": self.tariff_year,
            "name": self.name,
            "basis": self.basis.value,
            "adopted_version": self.adopted_version,
            "scenario_version": self.scenario_version,
            "periods": [str(p) for p in self.periods],
            "adopted": self.adopted.check_json(),
            "scenario": self.scenario.check_json(),
            "unchanged": self.unchanged,
            "centres": [d.as_json() for d in self.centres],
            "services": [d.as_json() for d in self.services],
            "members": [d.as_json() for d in self.members],
            "service_charges": [d.as_json() for d in self.service_charges],
            "member_charges": [d.as_json() for d in self.member_charges],
        }


def compare(
    adopted_model: CostModel,
    scenario_model: CostModel,
    books: YearBooks,
    *,
    basis: Basis,
    tariff_year: int | None = None,
    name: str | None = None,
) -> tuple[Comparison | None, list[Problem]]:
    """The year's books under both models, line by line (pure: nothing is read or written)."""
    priced_year = books.year if tariff_year is None else tariff_year
    adopted, problems = outcome(adopted_model, books, books.year, books.charged)
    if adopted is None:
        return None, problems
    same = same_tariffs(adopted_model, scenario_model, books.year, priced_year)
    scenario, problems = outcome(scenario_model, books, priced_year, books.charged if same else None)
    if scenario is None:
        return None, problems
    centre_names = {c.code: c.name for c in (*adopted_model.centres, *scenario_model.centres)}
    service_names = {s.code: s.name for s in (*adopted_model.services, *scenario_model.services)}
    centre_order = [c.code for c in adopted_model.centres]
    service_order = [s.code for s in adopted_model.services]
    member_order = sorted(books.members, key=lambda m: (books.members[m], m))
    return (
        Comparison(
            books.year,
            priced_year,
            name,
            basis,
            adopted_model.version,
            scenario_model.version,
            books.periods,
            adopted,
            scenario,
            differences(adopted.centres, scenario.centres, centre_names, centre_order),
            differences(adopted.services, scenario.services, service_names, service_order),
            differences(adopted.members, scenario.members, books.members, member_order),
            differences(adopted.service_charges, scenario.service_charges, service_names, service_order),
            differences(adopted.member_charges, scenario.member_charges, books.members, member_order),
        ),
        [],
    )


# -- a saved scenario ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adoption:
    """A scenario adopted: its model became the model in force from a date.

    Attributes:
        model_id: the version of the cost model it became.
        in_force_from: the first day it is in force.
        decision: the reference of the decision that adopted it (the board's minutes).
        at: when it was adopted (UTC).
        actor: who recorded it.
    """

    model_id: int
    in_force_from: date
    decision: str
    at: datetime
    actor: str

    def as_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "in_force_from": self.in_force_from.isoformat(),
            "decision": self.decision,
            "at": self.at.isoformat() + "Z",
            "by": self.actor,
        }


@dataclass(frozen=True, slots=True)
class SavedScenario:
    """A named scenario, kept to show the board and to adopt.

    Attributes:
        name: its name (unique).
        year: the year of the books it is compared on.
        tariff_year: the year of the tariffs it charges at.
        basis: what it changes.
        description: the controller's words.
        model: the scenario's cost model file (YAML), as it would be imported.
        sha256: that file's SHA-256.
        at: when it was saved (UTC).
        actor: who saved it.
        adoption: its adoption, or None.
    """

    name: str
    year: int
    tariff_year: int
    basis: Basis
    description: str
    model: str
    sha256: str
    at: datetime
    actor: str
    adoption: Adoption | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "year": self.year,
            "tariff_year": self.tariff_year,
            "basis": self.basis.value,
            "description": self.description,
            "sha256": self.sha256,
            "at": self.at.isoformat() + "Z",
            "by": self.actor,
            "adoption": None if self.adoption is None else self.adoption.as_json(),
        }


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a scenario, or None."""
    if not name.strip():
        return "a scenario needs a name"
    if len(name) > 100:
        return "a scenario's name has at most 100 characters"
    if any(ord(ch) < 32 for ch in name) or "/" in name:
        return "a scenario's name has no control characters and no /"
    return None


# -- next year's tariffs against this year's ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TariffChange:
    """A tariff of a service (a grade's rate for time) this year and proposed for next year.

    Attributes:
        service: the service code.
        name: its name.
        charging: how it is charged.
        unit: what the figure is per (``EUR / unit``, ``markup``, ``EUR / year``, ``EUR / h``).
        detail: the grade for time, else empty.
        current: this year's figure (None: the service has none).
        proposed: next year's proposed figure (None: not priced; kept as it is).
        per: the service's billing unit (what a price is per).
    """

    service: str
    name: str
    charging: str
    unit: str
    detail: str
    current: Decimal | None
    proposed: Decimal | None
    per: str = ""

    @property
    def change(self) -> Decimal | None:
        if self.current is None or self.proposed is None:
            return None
        return self.proposed - self.current

    @property
    def change_pct(self) -> Decimal | None:
        if self.change is None or self.current is None or self.current == 0:
            return None
        return (self.change * 100 / abs(self.current)).quantize(PERCENT)

    def as_json(self) -> dict[str, Any]:
        change, pct = self.change, self.change_pct
        return {
            "service": self.service,
            "name": self.name,
            "charging": self.charging,
            "unit": self.unit,
            "detail": self.detail,
            "current": None if self.current is None else str(self.current),
            "proposed": None if self.proposed is None else str(self.proposed),
            "change": None if change is None else str(change),
            "change_pct": None if pct is None else str(pct),
            "per": self.per,
        }


def tariff_changes(current: CostModel, proposed: CostModel, year: int) -> tuple[TariffChange, ...]:
    """Each service's tariff of ``year`` in ``current`` next to its tariff of ``year + 1`` in ``proposed``."""
    rows: list[TariffChange] = []
    for s in current.services:
        now, then = current.tariff(year, s.code), proposed.tariff(year + 1, s.code)
        charging = s.charging.value
        for field, unit in (("price", "EUR / unit"), ("markup", "markup"), ("annual", "EUR / year")):
            a = getattr(now, field) if now else None
            b = getattr(then, field) if then else None
            if a is not None or b is not None:
                rows.append(TariffChange(s.code, s.name, charging, unit, "", a, b, s.unit))
        grades = dict(now.grades) if now else {}
        proposed_grades = dict(then.grades) if then else {}
        for grade in dict.fromkeys([*grades, *proposed_grades]):
            rows.append(
                TariffChange(s.code, s.name, charging, "EUR / h", grade, grades.get(grade), proposed_grades.get(grade))
            )
        if now is None and then is None:
            rows.append(TariffChange(s.code, s.name, charging, "", "", None, None))
    return tuple(rows)
