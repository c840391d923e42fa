"""The cost model: cost centres, which ledger accounts feed them, allocation keys, services, tariffs
and meters. A controller edits it as a file; :func:`build_cost_model` turns its plain data (as
parsed from YAML) into immutable records, returning every problem it finds with the field path.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mutua.kernel.problems import Problem


class CentreKind(enum.StrEnum):
    SUPPORT = "support"  # serves other centres; its cost is allocated to them
    OPERATIONAL = "operational"  # delivers to members at time or real cost (projects, secondment)
    SERVICE = "service"  # runs catalogue services charged by use, capacity or share


class SupportMethod(enum.StrEnum):
    DIRECT = "direct"
    STEP_DOWN = "step_down"
    RECIPROCAL = "reciprocal"


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


class KeyBasis(enum.StrEnum):
    WEIGHTS = "weights"  # fixed weights per receiving centre (headcount, m2, percentages)
    DIRECT_COST = "direct_cost"  # in proportion to the receivers' direct costs


class Aggregation(enum.StrEnum):
    SUM = "sum"
    COUNT = "count"
    MAX = "max"
    UNIQUE_COUNT = "unique_count"
    LATEST = "latest"
    TIME_WEIGHTED_AVERAGE = "time_weighted_average"


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
    """

    code: str
    name: str
    kind: CentreKind
    key: AllocationKey | None = None

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
    """

    prefix: str
    name: str
    centre: str | None = None


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
    """

    code: str
    name: str
    centre: str
    activity: Activity
    charging: Charging
    unit: str
    unit_code: str


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


@dataclass(frozen=True, slots=True)
class Meter:
    """How raw usage events become a service's billing quantity.

    Attributes:
        code: unique code.
        event_type: the CloudEvents ``type`` it reads.
        aggregation: sum, count, max, unique count, latest value or time-weighted average.
        value_property: the property of the event's ``data`` holding the value (None for count).
        group_by: properties of ``data`` to group by as dimensions.
        service: the service whose quantity it measures.
        multiply_by, divide_by: convert the aggregated value into the service's billing unit
            (value x multiply_by / divide_by; seconds to hours is divide_by 3600).
    """

    code: str
    event_type: str
    aggregation: Aggregation
    value_property: str | None
    group_by: tuple[str, ...]
    service: str
    multiply_by: Decimal = Decimal(1)
    divide_by: Decimal = Decimal(1)

    def to_billing_unit(self, value: Decimal) -> Decimal:
        """Convert an aggregated value to the service's unit (exact to 28 digits)."""
        return value * self.multiply_by / self.divide_by


@dataclass(frozen=True, slots=True)
class Association:
    """The association itself, as it appears on documents.

    Attributes:
        name: legal name.
        enterprise_number: 10 digits.
        iban: the account members pay to.
        bic: its BIC.
        street, city, postal_code, country: address.
        payment_days: days from issue to due date.
    """

    name: str
    enterprise_number: str
    iban: str
    bic: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = "BE"
    payment_days: int = 30


@dataclass(frozen=True, slots=True)
class CostModel:
    """The whole cost model, as one immutable value.

    Attributes:
        name: a title.
        version: the controller's version label.
        association: the association's identity.
        support_method: direct, step-down or reciprocal.
        step_down_order: the support centres in step-down order.
        centres, accounts, services, tariffs, meters: the records above.
    """

    name: str
    version: str
    association: Association
    support_method: SupportMethod
    step_down_order: tuple[str, ...]
    centres: tuple[Centre, ...]
    accounts: tuple[AccountRule, ...]
    services: tuple[Service, ...]
    tariffs: tuple[Tariff, ...]
    meters: tuple[Meter, ...] = ()
    _centre_index: dict[str, Centre] = field(default_factory=dict, compare=False, repr=False)
    _service_index: dict[str, Service] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._centre_index.update({c.code: c for c in self.centres})
        self._service_index.update({s.code: s for s in self.services})

    def centre(self, code: str) -> Centre | None:
        return self._centre_index.get(code)

    def service(self, code: str) -> Service | None:
        return self._service_index.get(code)

    @property
    def support_centres(self) -> tuple[Centre, ...]:
        return tuple(c for c in self.centres if not c.is_final)

    @property
    def final_centres(self) -> tuple[Centre, ...]:
        return tuple(c for c in self.centres if c.is_final)

    def services_of(self, centre: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.centre == centre)

    def tariff(self, year: int, service: str) -> Tariff | None:
        for t in self.tariffs:
            if t.year == year and t.service == service:
                return t
        return None

    def account_rule(self, account: str) -> AccountRule | None:
        """The rule with the longest prefix of ``account``, or None if the account is unknown."""
        best: AccountRule | None = None
        for rule in self.accounts:
            if account.startswith(rule.prefix) and (best is None or len(rule.prefix) > len(best.prefix)):
                best = rule
        return best

    def meter(self, code: str) -> Meter | None:
        for m in self.meters:
            if m.code == code:
                return m
        return None


# --------------------------------------------------------------------------------------------
# Building a model from plain data, collecting every problem.

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_UNECE = re.compile(r"^[A-Z0-9]{2,3}$")


class _Reader:
    """Reads typed fields out of nested plain data, recording a problem per bad field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, path, message))

    def mapping(self, data: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(path, f"must be a mapping, not {_kind(data)}")
            return None
        return data

    def seq(self, data: Any, path: str, *, required: bool = True) -> list[Any]:
        if data is None and not required:
            return []
        if not isinstance(data, list):
            self.fail(path, f"must be a list, not {_kind(data)}")
            return []
        return data

    def text(self, m: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}" if path else key, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.fail(f"{path}.{key}" if path else key, f"must be text, not {_kind(value)}")
            return None
        return str(value).strip()

    def code(self, m: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = self.text(m, key, path, required=required)
        if value is not None and not _CODE.match(value):
            self.fail(f"{path}.{key}", f"{value!r} is not a code (letters, digits, _ . -; at most 32)")
            return None
        return value

    def decimal(self, value: Any, path: str, *, positive: bool = False, non_negative: bool = False) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.fail(path, f"must be a number, not {_kind(value)}")
            return None
        try:
            result = Decimal(str(value).strip())
        except ArithmeticError:
            self.fail(path, f"{value!r} is not a number")
            return None
        if not result.is_finite():
            self.fail(path, f"{value!r} is not a finite number")
            return None
        if positive and result <= 0:
            self.fail(path, f"must be greater than zero, not {result}")
            return None
        if non_negative and result < 0:
            self.fail(path, f"must not be negative, not {result}")
            return None
        return result

    def choice(self, m: Mapping[str, Any], key: str, path: str, enum_type: type[enum.StrEnum]) -> Any:
        value = self.text(m, key, path)
        if value is None:
            return None
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum_type)
            self.fail(f"{path}.{key}", f"{value!r} is not one of: {allowed}")
            return None

    def unknown_keys(self, m: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed_set = set(allowed)
        for key in m:
            if key not in allowed_set:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown field (allowed: {', '.join(sorted(allowed_set))})")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, Decimal)):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


def build_cost_model(data: Any, source: str = "cost model") -> tuple[CostModel | None, list[Problem]]:
    """Turn parsed data into a :class:`CostModel`, or return the problems that prevent it.

    Every problem is reported with its field path (``centres[2].kind``); the caller maps paths to
    lines. The model is returned only when there is no problem at all.
    """
    r = _Reader(source)
    root = r.mapping(data, "(top)")
    if root is None:
        return None, r.problems
    r.unknown_keys(
        root,
        (
            "name",
            "version",
            "association",
            "support_allocation",
            "centres",
            "accounts",
            "services",
            "tariffs",
            "meters",
        ),
        "",
    )
    name = r.text(root, "name", "") or ""
    version = r.text(root, "version", "") or ""
    association = _association(r, root.get("association"))
    centres = _centres(r, root.get("centres"))
    centre_codes = {c.code: c for c in centres}
    support_method, order = _support_allocation(r, root.get("support_allocation"), centre_codes)
    accounts = _accounts(r, root.get("accounts"), centre_codes)
    services = _services(r, root.get("services"), centre_codes)
    service_codes = {s.code: s for s in services}
    tariffs = _tariffs(r, root.get("tariffs"), service_codes)
    meters = _meters(r, root.get("meters"), service_codes)
    _check_final_centres_have_services(r, centres, services)
    if r.problems or association is None or support_method is None:
        return None, r.problems
    return (
        CostModel(
            name=name,
            version=version,
            association=association,
            support_method=support_method,
            step_down_order=order,
            centres=tuple(centres),
            accounts=tuple(accounts),
            services=tuple(services),
            tariffs=tuple(tariffs),
            meters=tuple(meters),
        ),
        [],
    )


def _association(r: _Reader, data: Any) -> Association | None:
    from mutua.registry.domain import enterprise_number

    m = r.mapping(data, "association")
    if m is None:
        return None
    fields = ("name", "enterprise_number", "iban", "bic", "street", "city", "postal_code", "country", "payment_days")
    r.unknown_keys(m, fields, "association")
    name = r.text(m, "name", "association")
    number_text = r.text(m, "enterprise_number", "association")
    iban = r.text(m, "iban", "association")
    number = None
    if number_text is not None:
        try:
            number = enterprise_number(number_text)
        except ValueError as exc:
            r.fail("association.enterprise_number", str(exc))
    if iban is not None:
        from stdnum import iban as iban_check
        from stdnum.exceptions import ValidationError

        try:
            iban = iban_check.validate(iban)
        except ValidationError as exc:
            r.fail("association.iban", f"not a valid IBAN: {iban!r} ({exc})")
            iban = None
    days_value = m.get("payment_days", 30)
    days = r.decimal(days_value, "association.payment_days", positive=True)
    if name is None or number is None or iban is None or days is None:
        return None
    return Association(
        name=name,
        enterprise_number=number,
        iban=iban,
        bic=r.text(m, "bic", "association", required=False) or "",
        street=r.text(m, "street", "association", required=False) or "",
        city=r.text(m, "city", "association", required=False) or "",
        postal_code=r.text(m, "postal_code", "association", required=False) or "",
        country=r.text(m, "country", "association", required=False) or "BE",
        payment_days=int(days),
    )


def _centres(r: _Reader, data: Any) -> list[Centre]:
    pending: list[tuple[str, str, CentreKind, Any, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "centres")):
        path = f"centres[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("code", "name", "kind", "key"), path)
        code = r.code(m, "code", path)
        name = r.text(m, "name", path)
        kind = r.choice(m, "kind", path, CentreKind)
        if code is not None and code in seen:
            r.fail(f"{path}.code", f"centre {code!r} is declared twice")
            continue
        if code is None or name is None or kind is None:
            continue
        seen.add(code)
        pending.append((code, name, kind, m.get("key"), path))
    result = []
    for code, name, kind, key_data, path in pending:
        key = None
        if kind is CentreKind.SUPPORT:
            key = _key(r, key_data, f"{path}.key", code, seen)
        elif key_data is not None:
            r.fail(f"{path}.key", "only support centres have an allocation key")
        result.append(Centre(code, name, kind, key))
    if data is not None and not any(c.is_final for c in result) and not r.problems:
        r.fail("centres", "the model needs at least one operational or service centre")
    return result


def _key(r: _Reader, data: Any, path: str, owner: str, centres: set[str]) -> AllocationKey | None:
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
        w = r.decimal(value, wpath, non_negative=True)
        if w is not None:
            weights.append((str(target), w))
    if weights and sum(w for _, w in weights) == 0:
        r.fail(f"{path}.weights", "the weights add up to zero")
    return AllocationKey(KeyBasis.WEIGHTS, tuple(weights))


def _support_allocation(
    r: _Reader, data: Any, centres: Mapping[str, Centre]
) -> tuple[SupportMethod | None, tuple[str, ...]]:
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


def _accounts(r: _Reader, data: Any, centres: Mapping[str, Centre]) -> list[AccountRule]:
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "accounts")):
        path = f"accounts[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("prefix", "name", "centre"), path)
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
        result.append(AccountRule(prefix, name, centre))
    return result


def _services(r: _Reader, data: Any, centres: Mapping[str, Centre]) -> list[Service]:
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "services")):
        path = f"services[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, ("code", "name", "centre", "activity", "charging", "unit", "unit_code"), path)
        code = r.code(m, "code", path)
        name = r.text(m, "name", path)
        centre = r.text(m, "centre", path)
        activity = r.choice(m, "activity", path, Activity)
        charging = r.choice(m, "charging", path, Charging)
        unit = r.text(m, "unit", path)
        unit_code = r.text(m, "unit_code", path)
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
        if None in (code, name, centre, activity, charging, unit, unit_code):
            continue
        assert code and name and centre and unit and unit_code  # narrowed above
        seen.add(code)
        result.append(Service(code, name, centre, activity, charging, unit, unit_code))
    return result


def _tariffs(r: _Reader, data: Any, services: Mapping[str, Service]) -> list[Tariff]:
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


def _tariff_value(r: _Reader, m: Mapping[str, Any], path: str, year: int, service: Service) -> Tariff | None:
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
            rate = r.decimal(value, f"{path}.grades.{grade}", positive=True)
            if rate is not None:
                grades.append((str(grade), rate))
        if not grades_map:
            r.fail(f"{path}.grades", "needs at least one grade")
        return Tariff(year, service.code, grades=tuple(grades))
    value = r.decimal(m[wanted], f"{path}.{wanted}", non_negative=True)
    if value is None:
        return None
    if wanted == "price":
        return Tariff(year, service.code, price=value)
    if wanted == "markup":
        return Tariff(year, service.code, markup=value)
    return Tariff(year, service.code, annual=value)


def _meters(r: _Reader, data: Any, services: Mapping[str, Service]) -> list[Meter]:
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "meters", required=False)):
        path = f"meters[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(
            m,
            ("code", "event_type", "aggregation", "value_property", "group_by", "service", "multiply_by", "divide_by"),
            path,
        )
        code = r.code(m, "code", path)
        event_type = r.text(m, "event_type", path)
        aggregation = r.choice(m, "aggregation", path, Aggregation)
        value_property = r.text(m, "value_property", path, required=False)
        group_by = [str(g) for g in r.seq(m.get("group_by"), f"{path}.group_by", required=False)]
        service_code = r.text(m, "service", path)
        if code is not None and code in seen:
            r.fail(f"{path}.code", f"meter {code!r} is declared twice")
            code = None
        if service_code is not None and service_code not in services:
            r.fail(f"{path}.service", f"unknown service {service_code!r}")
            service_code = None
        elif service_code is not None and services[service_code].charging not in (
            Charging.USAGE,
            Charging.RESERVED_CAPACITY,
        ):
            r.fail(f"{path}.service", f"{service_code!r} is not charged by usage or reserved capacity")
            service_code = None
        if aggregation is not None and aggregation is not Aggregation.COUNT and value_property is None:
            r.fail(f"{path}.value_property", f"is missing (aggregation {aggregation.value} needs it)")
        multiply_by = divide_by = Decimal(1)
        if "multiply_by" in m:
            multiply_by = r.decimal(m["multiply_by"], f"{path}.multiply_by", positive=True) or Decimal(1)
        if "divide_by" in m:
            divide_by = r.decimal(m["divide_by"], f"{path}.divide_by", positive=True) or Decimal(1)
        if None in (code, event_type, aggregation, service_code):
            continue
        assert code and event_type and service_code
        seen.add(code)
        result.append(
            Meter(code, event_type, aggregation, value_property, tuple(group_by), service_code, multiply_by, divide_by)
        )
    return result


def _check_final_centres_have_services(r: _Reader, centres: list[Centre], services: list[Service]) -> None:
    with_service = {s.centre for s in services}
    for i, c in enumerate(centres):
        if c.is_final and c.code not in with_service and services:
            r.fail(f"centres[{i}]", f"final centre {c.code!r} has no service to recover its cost through")


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


def cost_model_to_data(model: CostModel) -> dict[str, Any]:
    """The plain data of a model, as :func:`build_cost_model` reads it (amounts as text)."""
    a = model.association
    data: dict[str, Any] = {
        "name": model.name,
        "version": model.version,
        "association": {
            "name": a.name,
            "enterprise_number": a.enterprise_number,
            "iban": a.iban,
            "bic": a.bic,
            "street": a.street,
            "city": a.city,
            "postal_code": a.postal_code,
            "country": a.country,
            "payment_days": a.payment_days,
        },
        "support_allocation": {"method": model.support_method.value},
        "centres": [],
        "accounts": [],
        "services": [],
        "tariffs": [],
    }
    if model.support_method is SupportMethod.STEP_DOWN:
        data["support_allocation"]["order"] = list(model.step_down_order)
    for c in model.centres:
        item: dict[str, Any] = {"code": c.code, "name": c.name, "kind": c.kind.value}
        if c.key is not None:
            key: dict[str, Any] = {"basis": c.key.basis.value}
            if c.key.basis is KeyBasis.WEIGHTS:
                key["weights"] = {t: str(w) for t, w in c.key.weights}
            item["key"] = key
        data["centres"].append(item)
    for rule in model.accounts:
        acc: dict[str, Any] = {"prefix": rule.prefix, "name": rule.name}
        if rule.centre:
            acc["centre"] = rule.centre
        data["accounts"].append(acc)
    for s in model.services:
        data["services"].append(
            {
                "code": s.code,
                "name": s.name,
                "centre": s.centre,
                "activity": s.activity.value,
                "charging": s.charging.value,
                "unit": s.unit,
                "unit_code": s.unit_code,
            }
        )
    data["tariffs"] = [tariff_to_data(t) for t in model.tariffs]
    if model.meters:
        data["meters"] = []
        for mt in model.meters:
            met: dict[str, Any] = {
                "code": mt.code,
                "event_type": mt.event_type,
                "aggregation": mt.aggregation.value,
                "service": mt.service,
            }
            if mt.value_property:
                met["value_property"] = mt.value_property
            if mt.group_by:
                met["group_by"] = list(mt.group_by)
            if mt.multiply_by != 1:
                met["multiply_by"] = str(mt.multiply_by)
            if mt.divide_by != 1:
                met["divide_by"] = str(mt.divide_by)
            data["meters"].append(met)
    return data
