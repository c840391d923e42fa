"""Charging engagements: provisional charges at the year's tariffs, and the actual cost shares the
true-up settles against them.

Provisional (monthly close), per service's charging:

- usage, reserved capacity: quantity x unit price;
- time: hours per grade x the grade's cost rate;
- real cost: the direct cost booked on the engagement x (1 + markup for allocated overhead);
- fixed share, even split: the annual amount split over the 12 months, then over the engagements
  of the service active that month (by their weights, or evenly).

Actual (true-up, or year to date): every final centre's cost after support allocation goes to its
services in proportion to their provisional revenue, then each service's cost to engagements by
its driver: quantity, hours x grade rate, direct cost, weight x months active, months active.
Every split rounds by largest remainder, so the shares add up to the cost to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from mutua.costing.domain.catalogue import Charging, Service
from mutua.costing.domain.model import CostModel
from mutua.kernel.bounds import storable
from mutua.kernel.money import ZERO, split, to_cents
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem
from mutua.registry.domain import Engagement


@dataclass(frozen=True, slots=True)
class UsageQuantity:
    """Usage of a service by an engagement in a period (already in the service's unit).

    Attributes:
        engagement: engagement code.
        service: service code.
        quantity: the quantity, in the service's billing unit.
    """

    engagement: str
    service: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class TimeQuantity:
    """Hours worked on an engagement at one grade in a period.

    Attributes:
        engagement: engagement code.
        grade: the staff grade (its cost rate is in the tariff).
        hours: the hours.
    """

    engagement: str
    grade: str
    hours: Decimal


@dataclass(frozen=True, slots=True)
class DirectCost:
    """Real cost booked directly on an engagement (secondment, consultants), VAT included.

    Attributes:
        engagement: engagement code.
        amount: the cost, including the VAT the association could not deduct.
    """

    engagement: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Drivers:
    """Everything that drives charges in a set of periods.

    Attributes:
        usage: usage quantities.
        time: hours by grade.
        direct: real costs on engagements.
    """

    usage: tuple[UsageQuantity, ...] = ()
    time: tuple[TimeQuantity, ...] = ()
    direct: tuple[DirectCost, ...] = ()


@dataclass(frozen=True, slots=True)
class Charge:
    """One line charged to an engagement for a period.

    Attributes:
        period: the month.
        engagement: engagement code.
        member: the member's enterprise number.
        service: service code.
        detail: the grade for time, or empty.
        quantity: the quantity charged, in ``unit``.
        unit: the service's unit (or ``EUR at cost`` for real cost).
        unit_price: the tariff (for real cost: 1 + markup; for a share: the month's share).
        amount: the amount in EUR, rounded to the cent.
    """

    period: Period
    engagement: str
    member: str
    service: str
    detail: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


def unstorable(charges: Iterable[Charge], source: str) -> list[Problem]:
    """A problem for every charge too large for its columns (amount in cents, quantity in 10^-6,
    unit price in 10^-9 units: :func:`mutua.kernel.bounds.storable`), so that a close or true-up
    of books past the bounds is refused rather than overflowing."""
    return [
        Problem(
            source,
            None,
            f"engagement {c.engagement}",
            f"the {c.service} charge of {c.amount} EUR is larger than a charge can hold"
            " (at most 9,223,372,036.85 EUR a line): the books are past the bounds of imported values",
        )
        for c in charges
        if not (storable(c.amount, 2) and storable(c.quantity, 6) and storable(c.unit_price, 9))
    ]


def _tariff_problem(service: Service, year: int) -> Problem:
    return Problem("cost model", None, "tariffs", f"no {year} tariff for service {service.code} ({service.name})")


def provisional_charges(
    model: CostModel, period: Period, engagements: Sequence[Engagement], drivers: Drivers
) -> tuple[list[Charge], list[Problem]]:
    """The provisional charges of one month at the year's tariffs.

    Returns the charges, or the problems that prevent them (a missing tariff or grade rate).
    """
    by_code = {e.code: e for e in engagements}
    charges: list[Charge] = []
    problems: list[Problem] = []
    year = period.year

    def service_and_tariff(code: str):  # type: ignore[no-untyped-def]
        service = model.service(code)
        if service is None:
            problems.append(Problem("usage", None, "service", f"unknown service {code!r}"))
            return None, None
        tariff = model.tariff(year, code)
        if tariff is None:
            problems.append(_tariff_problem(service, year))
        return service, tariff

    usage_sum: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for u in drivers.usage:
        usage_sum[(u.engagement, u.service)] += u.quantity
    for (eng, code), qty in sorted(usage_sum.items()):
        service, tariff = service_and_tariff(code)
        if service is None or tariff is None or tariff.price is None:
            continue
        charges.append(
            Charge(
                period,
                eng,
                by_code[eng].member,
                code,
                "",
                qty,
                service.unit,
                tariff.price,
                to_cents(qty * tariff.price),
            )
        )

    hours: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for t in drivers.time:
        hours[(t.engagement, t.grade)] += t.hours
    for (eng, grade), h in sorted(hours.items()):
        code = by_code[eng].service or ""
        service, tariff = service_and_tariff(code)
        if service is None or tariff is None:
            continue
        rate = tariff.rate(grade)
        if rate is None:
            problems.append(
                Problem("cost model", None, f"tariffs.{code}.grades", f"no {year} cost rate for grade {grade!r}")
            )
            continue
        charges.append(Charge(period, eng, by_code[eng].member, code, grade, h, service.unit, rate, to_cents(h * rate)))

    direct: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for d in drivers.direct:
        direct[d.engagement] += d.amount
    for eng, amount in sorted(direct.items()):
        code = by_code[eng].service or ""
        service, tariff = service_and_tariff(code)
        if service is None or tariff is None or tariff.markup is None:
            continue
        factor = 1 + tariff.markup
        charges.append(
            Charge(period, eng, by_code[eng].member, code, "", amount, "EUR at cost", factor, to_cents(amount * factor))
        )

    for service in model.services:
        if service.charging not in (Charging.FIXED_SHARE, Charging.EVEN_SPLIT):
            continue
        sharing = [
            e
            for e in engagements
            if e.service == service.code and e.is_active_between(period.first_day, period.last_day)
        ]
        if not sharing:
            continue
        tariff = model.tariff(year, service.code)
        if tariff is None or tariff.annual is None:
            problems.append(_tariff_problem(service, year))
            continue
        monthly = split(tariff.annual, dict.fromkeys(range(1, 13), 1))[period.month]
        weights = {e.code: (e.weight if service.charging is Charging.FIXED_SHARE else Decimal(1)) for e in sharing}
        if sum(weights.values()) == 0:
            problems.append(
                Problem("engagements", None, "weight", f"the engagements sharing {service.code} all have weight 0")
            )
            continue
        for eng, amount in split(monthly, weights).items():
            charges.append(
                Charge(period, eng, by_code[eng].member, service.code, "", Decimal(1), service.unit, amount, amount)
            )
    return charges, problems


# --------------------------------------------------------------------------------------------
# Actual cost shares


@dataclass(frozen=True, slots=True)
class Share:
    """An engagement's share of a service's actual cost, against what it was charged.

    Attributes:
        engagement: engagement code.
        member: enterprise number.
        service: service code.
        charged: the provisional charges in the periods considered.
        actual: its share of the actual cost.
    """

    engagement: str
    member: str
    service: str
    charged: Decimal
    actual: Decimal

    @property
    def adjustment(self) -> Decimal:
        """Positive: under-recovered, the member owes it; negative: over-recovered, refunded."""
        return self.actual - self.charged


@dataclass(frozen=True, slots=True)
class ActualAllocation:
    """The actual cost of a set of periods allocated to engagements.

    Attributes:
        shares: one per engagement and service.
        service_cost: each service's actual cost.
        total_cost: the cost allocated (the final centres' total).
    """

    shares: tuple[Share, ...]
    service_cost: Mapping[str, Decimal]
    total_cost: Decimal

    def by_member(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per member: (charged, actual)."""
        result: dict[str, tuple[Decimal, Decimal]] = {}
        for s in self.shares:
            c, a = result.get(s.member, (ZERO, ZERO))
            result[s.member] = (c + s.charged, a + s.actual)
        return result


def charged_by_engagement(charges: Iterable[Charge]) -> dict[tuple[str, str], Decimal]:
    """Charges summed per (engagement, service)."""
    result: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for c in charges:
        result[(c.engagement, c.service)] += c.amount
    return dict(result)


def months_active(engagement: Engagement, periods: Iterable[Period]) -> int:
    return sum(1 for p in periods if engagement.is_active_between(p.first_day, p.last_day))


def allocate_actual(
    model: CostModel,
    year: int,
    periods: Sequence[Period],
    final_costs: Mapping[str, Decimal],
    charged_so_far: Mapping[tuple[str, str], Decimal],
    engagements: Sequence[Engagement],
    drivers: Drivers,
) -> tuple[ActualAllocation | None, list[Problem]]:
    """Allocate the final centres' actual cost over the engagements (see the module docstring).

    ``charged_so_far`` is what each (engagement, service) was charged provisionally in the periods
    (see :func:`charged_by_engagement`).
    """
    problems: list[Problem] = []
    by_code = {e.code: e for e in engagements}
    revenue: dict[str, Decimal] = defaultdict(lambda: ZERO)
    charged: dict[tuple[str, str], Decimal] = dict(charged_so_far)
    for (_, service_code), amount in charged.items():
        revenue[service_code] += amount

    service_cost: dict[str, Decimal] = {}
    for centre in model.final_centres:
        cost = final_costs.get(centre.code, ZERO)
        services = model.services_of(centre.code)
        weights: dict[str, Decimal] = {s.code: max(revenue.get(s.code, ZERO), ZERO) for s in services}
        if sum(weights.values()) == 0:
            if len(services) == 1:
                weights = {services[0].code: Decimal(1)}
            elif cost != 0:
                problems.append(
                    Problem(
                        "close",
                        None,
                        f"centre {centre.code}",
                        f"cost {cost} but none of its services was charged: nothing to share it by",
                    )
                )
                continue
            else:
                weights = {s.code: Decimal(1) for s in services}
        service_cost.update(split(cost, weights))

    drivers_of = _driver_weights(model, year, periods, engagements, drivers, problems)
    shares: list[Share] = []
    for service in model.services:
        cost = service_cost.get(service.code, ZERO)
        driver = drivers_of.get(service.code, {})
        if sum(driver.values(), Fraction(0)) == 0:
            if cost != 0:
                problems.append(
                    Problem(
                        "close",
                        None,
                        f"service {service.code}",
                        f"actual cost {cost} but no usage, hours or engagements to share it by",
                    )
                )
            continue
        for eng, amount in split(cost, driver).items():
            shares.append(Share(eng, by_code[eng].member, service.code, charged.pop((eng, service.code), ZERO), amount))
    # Engagements charged but without a driver in these periods (cannot happen with consistent data,
    # but nothing charged may silently disappear): their actual share is zero.
    for (eng, code), amount in sorted(charged.items()):
        if amount != 0:
            shares.append(Share(eng, by_code[eng].member, code, amount, ZERO))
    if problems:
        return None, problems
    return ActualAllocation(tuple(shares), service_cost, sum(service_cost.values(), ZERO)), []


def _driver_weights(
    model: CostModel,
    year: int,
    periods: Sequence[Period],
    engagements: Sequence[Engagement],
    drivers: Drivers,
    problems: list[Problem],
) -> dict[str, dict[str, Fraction]]:
    by_code = {e.code: e for e in engagements}
    weights: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for u in drivers.usage:
        weights[u.service][u.engagement] += Fraction(u.quantity)
    for t in drivers.time:
        code = by_code[t.engagement].service or ""
        tariff = model.tariff(year, code)
        rate = tariff.rate(t.grade) if tariff else None
        if rate is None:
            problems.append(
                Problem("cost model", None, f"tariffs.{code}.grades", f"no {year} cost rate for grade {t.grade!r}")
            )
            continue
        weights[code][t.engagement] += Fraction(t.hours) * Fraction(rate)
    for d in drivers.direct:
        code = by_code[d.engagement].service or ""
        weights[code][d.engagement] += Fraction(d.amount)
    for service in model.services:
        if service.charging not in (Charging.FIXED_SHARE, Charging.EVEN_SPLIT):
            continue
        for e in engagements:
            if e.service != service.code:
                continue
            n = months_active(e, periods)
            if n:
                weight = e.weight if service.charging is Charging.FIXED_SHARE else Decimal(1)
                weights[service.code][e.code] += Fraction(weight) * n
    for service_code, per_engagement in weights.items():
        for eng, w in per_engagement.items():
            if w < 0:
                problems.append(
                    Problem(
                        "close",
                        None,
                        f"engagement {eng}",
                        f"negative {service_code} driver over the periods: {float(w):.2f}",
                    )
                )
                per_engagement[eng] = Fraction(0)
    return weights
