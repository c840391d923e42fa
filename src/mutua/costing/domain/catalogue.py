"""The service catalogue: services, the activity each reports its turnover under and how each is
charged, and their provisional tariffs per year; reading them from the model file's data, and a
tariff's plain data as the model file writes it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.costing.domain.centres import Centre
from mutua.costing.domain.reading import Reader
from mutua.kernel.bounds import MAX_AMOUNT, MAX_MARKUP, MAX_PRICE
from mutua.registry.domain import OfferedService


class Charging(enum.StrEnum):
    """How a service is charged to engagements."""

    USAGE = "usage"  # metered quantity x unit price
    RESERVED_CAPACITY = "reserved_capacity"  # reserved quantity x unit price
    TIME = "time"  # hours from time sheets x cost rate of the grade
    REAL_COST = "real_cost"  # real cost passed on (with a markup for allocated overhead)
    FIXED_SHARE = "fixed_share"  # an annual amount split by the engagements' fixed weights
    EVEN_SPLIT = "even_split"  # an annual amount split evenly over the engagements


class Activity(enum.StrEnum):
    """The activities the association reports its turnover by."""

    DEVELOPMENT = "development"  # application analysis and development (projects)
    INFRASTRUCTURE = "infrastructure"  # ICT infrastructure, operational services, other
    SECONDMENT = "secondment"
    CONSULTANCY = "consultancy"  # external ICT consultants for members


@dataclass(frozen=True, slots=True)
class Service:
    """A service in the catalogue.

    Attributes:
        code: unique code.
        name: its name.
        centre: the final cost centre whose cost it recovers.
        activity: the activity its turnover is reported under.
        charging: how it is charged.
        unit: the billing unit in words (``VM-hour``, ``GB-month``, ``hour``).
        unit_code: the UN/ECE recommendation 20 code of that unit (``HUR``, ``E34`` ...).
        names: the name in the members' languages, ``(language, name)`` pairs (``names:`` in the file).
        units: the unit in the members' languages (``units:`` in the file).
    """

    code: str
    name: str
    centre: str
    activity: Activity
    charging: Charging
    unit: str
    unit_code: str
    names: tuple[tuple[str, str], ...] = ()
    units: tuple[tuple[str, str], ...] = ()

    def name_in(self, language: str) -> str:
        """The name in ``language`` (``nl``, ``fr``, ``en``), else the plain name."""
        return dict(self.names).get(language, self.name)

    def unit_in(self, language: str) -> str:
        """The unit in ``language``, else the plain unit."""
        return dict(self.units).get(language, self.unit)


@dataclass(frozen=True, slots=True)
class Tariff:
    """The provisional tariff of a service for one year.

    Exactly one of the value attributes is set, as the service's charging requires.

    Attributes:
        year: the year it applies to.
        service: the service code.
        price: the unit price (usage, reserved capacity).
        grades: (grade, hourly cost rate) pairs (time).
        markup: the overhead rate added to real costs passed on (real cost), e.g. 0.03.
        annual: the annual amount to share (fixed share, even split).
    """

    year: int
    service: str
    price: Decimal | None = None
    grades: tuple[tuple[str, Decimal], ...] = ()
    markup: Decimal | None = None
    annual: Decimal | None = None

    def rate(self, grade: str) -> Decimal | None:
        return dict(self.grades).get(grade)


def offered_services(services: Iterable[Service]) -> dict[str, OfferedService]:
    """The catalogue as the registry's engagements see it: which services are charged by usage."""
    by_usage = (Charging.USAGE, Charging.RESERVED_CAPACITY)
    return {s.code: OfferedService(s.code, s.charging in by_usage) for s in services}


_UNECE = re.compile(r"^[A-Z0-9]{2,3}$")
_MONTHLY = (Charging.FIXED_SHARE, Charging.EVEN_SPLIT)  # an annual amount, charged a month at a time


def read_services(r: Reader, data: Any, centres: Mapping[str, Centre]) -> list[Service]:
    """Read the ``services`` list; each belongs to a final centre."""
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "services")):
        path = f"services[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(
            m, ("code", "name", "names", "centre", "activity", "charging", "unit", "units", "unit_code"), path
        )
        code = r.code(m, "code", path)
        name = r.filled(m, "name", path)
        centre = r.filled(m, "centre", path)
        activity = r.choice(m, "activity", path, Activity)
        charging = r.choice(m, "charging", path, Charging)
        unit = r.filled(m, "unit", path)
        unit_code = r.filled(m, "unit_code", path)
        names = r.names(m, "names", path)
        units = r.names(m, "units", path)
        if code is not None and code in seen:
            r.fail(f"{path}.code", f"service {code!r} is declared twice")
            code = None
        if centre is not None:
            c = centres.get(centre)
            if c is None:
                r.fail(f"{path}.centre", f"unknown centre {centre!r}")
                centre = None
            elif not c.is_final:
                r.fail(f"{path}.centre", f"{centre!r} is a support centre; services belong to final centres")
                centre = None
        if unit_code is not None and not _UNECE.match(unit_code):
            r.fail(f"{path}.unit_code", f"{unit_code!r} is not a UN/ECE rec. 20 unit code")
            unit_code = None
        if charging in _MONTHLY and unit_code is not None and unit_code != "MON":
            # its tariff is a year's amount; each month's line is one month of the service
            r.fail(
                f"{path}.unit_code",
                f"a {charging.value} service is charged a twelfth of its annual tariff a month: "
                f"its unit is the month (MON), not {unit_code!r}",
            )
            unit_code = None
        if (
            code is None
            or name is None
            or centre is None
            or activity is None
            or charging is None
            or unit is None
            or unit_code is None
        ):
            continue
        seen.add(code)
        result.append(Service(code, name, centre, activity, charging, unit, unit_code, names, units))
    return result


def read_tariffs(r: Reader, data: Any, services: Mapping[str, Service]) -> list[Tariff]:
    """Read the ``tariffs`` list: one per service and year, with the value its charging needs."""
    result = []
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(r.seq(data, "tariffs", required=False)):
        path = f"tariffs[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("year", "service", "price", "grades", "markup", "annual"), path)
        year_value = r.decimal(m.get("year"), f"{path}.year", positive=True) if "year" in m else None
        if "year" not in m:
            r.fail(f"{path}.year", "is missing")
        code = r.text(m, "service", path)
        service = services.get(code) if code else None
        if code is not None and service is None:
            r.fail(f"{path}.service", f"unknown service {code!r}")
        if year_value is None or service is None:
            continue
        year = int(year_value)
        if (year, service.code) in seen:
            r.fail(path, f"a second tariff for {service.code} in {year}")
            continue
        seen.add((year, service.code))
        tariff = _tariff_value(r, m, path, year, service)
        if tariff is not None:
            result.append(tariff)
    return result


_TARIFF_FIELD = {
    Charging.USAGE: "price",
    Charging.RESERVED_CAPACITY: "price",
    Charging.TIME: "grades",
    Charging.REAL_COST: "markup",
    Charging.FIXED_SHARE: "annual",
    Charging.EVEN_SPLIT: "annual",
}


def _tariff_value(r: Reader, m: Mapping[str, Any], path: str, year: int, service: Service) -> Tariff | None:
    wanted = _TARIFF_FIELD[service.charging]
    for other in ("price", "grades", "markup", "annual"):
        if other != wanted and other in m:
            r.fail(f"{path}.{other}", f"a {service.charging.value} service takes '{wanted}', not '{other}'")
    if wanted not in m:
        r.fail(f"{path}.{wanted}", f"is missing (a {service.charging.value} service needs it)")
        return None
    if wanted == "grades":
        grades_map = r.mapping(m["grades"], f"{path}.grades")
        if grades_map is None:
            return None
        grades = []
        for grade, value in grades_map.items():
            rate = r.decimal(value, f"{path}.grades.{grade}", positive=True, bound=MAX_PRICE)
            if rate is not None:
                grades.append((str(grade), rate))
        if not grades_map:
            r.fail(f"{path}.grades", "needs at least one grade")
        return Tariff(year, service.code, grades=tuple(grades))
    bound = {"price": MAX_PRICE, "markup": MAX_MARKUP}.get(wanted, MAX_AMOUNT)
    value = r.decimal(m[wanted], f"{path}.{wanted}", non_negative=True, bound=bound)
    if value is None:
        return None
    if wanted == "price":
        return Tariff(year, service.code, price=value)
    if wanted == "markup":
        return Tariff(year, service.code, markup=value)
    return Tariff(year, service.code, annual=value)


def tariff_to_data(t: Tariff) -> dict[str, Any]:
    """A tariff's plain data, as the model file writes it (amounts as text)."""
    data: dict[str, Any] = {"year": t.year, "service": t.service}
    if t.price is not None:
        data["price"] = str(t.price)
    if t.grades:
        data["grades"] = {g: str(v) for g, v in t.grades}
    if t.markup is not None:
        data["markup"] = str(t.markup)
    if t.annual is not None:
        data["annual"] = str(t.annual)
    return data
