"""Meters: how raw usage events become the billing quantity of a usage or reserved-capacity
service; and reading them from the model file's data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.costing.domain.catalogue import Charging, Service
from mutua.costing.domain.reading import Reader


class Aggregation(enum.StrEnum):
    SUM = "sum"
    COUNT = "count"
    MAX = "max"
    UNIQUE_COUNT = "unique_count"
    LATEST = "latest"
    TIME_WEIGHTED_AVERAGE = "time_weighted_average"


class Rounding(enum.StrEnum):
    """How a meter's monthly quantity is rounded to its ``decimals``, once, at the end: ``round``
    half away from zero (the one rounding rule of metering, see ``metering.domain``), ``ceil`` up,
    ``floor`` down."""

    ROUND = "round"
    CEIL = "ceil"
    FLOOR = "floor"


def scalar_text(value: Any) -> str:
    """A ``data`` property as the text a filter or a dimension compares (``true``, ``12``, ``eu``;
    '' when missing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
        filters: (property, allowed values): only events whose ``data.<property>`` (as text) is
            one of the values count for this meter (all filters must hold).
        rounding, decimals: the monthly quantity in the service's unit is rounded once, at the
            end, to ``decimals`` places (0 to 6) by ``rounding``.
        recurring: a sum or unique count that goes on from month to month (a running balance;
            values stay counted until removed).
        increments: a gauge (latest, time-weighted average) whose values change its level by
            that much instead of setting it.
        corrections: a sum that takes negative values (a refund of usage).
        operation_property: a unique count's ``data`` property saying ``add`` or ``remove``
            (missing: ``add``).
    """

    code: str
    event_type: str
    aggregation: Aggregation
    value_property: str | None
    group_by: tuple[str, ...]
    service: str
    multiply_by: Decimal = Decimal(1)
    divide_by: Decimal = Decimal(1)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rounding: Rounding = Rounding.ROUND
    decimals: int = 6
    recurring: bool = False
    increments: bool = False
    corrections: bool = False
    operation_property: str | None = None

    @property
    def signed(self) -> bool:
        """Its values may be negative: a sum's corrections, a gauge's increments."""
        return self.corrections or self.increments

    @property
    def carries(self) -> bool:
        """Its state goes on into the next month: a gauge's level, a recurring sum or unique count."""
        return self.recurring or self.aggregation in (Aggregation.LATEST, Aggregation.TIME_WEIGHTED_AVERAGE)

    def counts(self, data: Mapping[str, Any]) -> bool:
        """Whether an event with ``data`` counts for this meter (its property filters)."""
        return all(scalar_text(data.get(prop)) in allowed for prop, allowed in self.filters)

    def to_billing_unit(self, value: Decimal) -> Decimal:
        """Convert an aggregated value to the service's unit (exact to 28 digits)."""
        return value * self.multiply_by / self.divide_by


def read_meters(r: Reader, data: Any, services: Mapping[str, Service]) -> list[Meter]:
    """Read the ``meters`` list; each measures a usage or reserved-capacity service."""
    result = []
    seen: set[str] = set()
    for i, item in enumerate(r.seq(data, "meters", required=False)):
        path = f"meters[{i}]"
        m = r.mapping(item, path)
        if m is None:
            continue
        r.unknown_keys(m, METER_KEYS, path)
        code = r.code(m, "code", path)
        event_type = r.filled(m, "event_type", path)
        aggregation = r.choice(m, "aggregation", path, Aggregation)
        value_property = r.text(m, "value_property", path, required=False)
        group_by = [str(g) for g in r.seq(m.get("group_by"), f"{path}.group_by", required=False)]
        service_code = r.filled(m, "service", path)
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
        if value_property == "":
            r.fail(f"{path}.value_property", "is empty")
        elif aggregation is not None and aggregation is not Aggregation.COUNT and value_property is None:
            r.fail(f"{path}.value_property", f"is missing (aggregation {aggregation.value} needs it)")
        multiply_by = divide_by = Decimal(1)
        if "multiply_by" in m:
            multiply_by = r.decimal(m["multiply_by"], f"{path}.multiply_by", positive=True) or Decimal(1)
        if "divide_by" in m:
            divide_by = r.decimal(m["divide_by"], f"{path}.divide_by", positive=True) or Decimal(1)
        options = _read_options(r, m, path, aggregation)
        if code is None or event_type is None or aggregation is None or service_code is None or options is None:
            continue
        seen.add(code)
        result.append(
            Meter(
                code,
                event_type,
                aggregation,
                value_property,
                tuple(group_by),
                service_code,
                multiply_by,
                divide_by,
                **options,
            )
        )
    return result


METER_KEYS = (
    "code",
    "event_type",
    "aggregation",
    "value_property",
    "group_by",
    "service",
    "multiply_by",
    "divide_by",
    "filter",
    "rounding",
    "decimals",
    "recurring",
    "increments",
    "corrections",
    "operation_property",
)
_GAUGES = ("latest", "time_weighted_average")


def _read_options(r: Reader, m: Mapping[str, Any], path: str, aggregation: Aggregation | None) -> dict[str, Any] | None:
    """A meter's optional fields (filter, rounding, decimals, recurring, increments, corrections,
    operation_property), each checked against its aggregation; None when one is wrong."""
    before = len(r.problems)
    agg = aggregation.value if aggregation is not None else None
    options: dict[str, Any] = {}
    filters = []
    if m.get("filter") is not None:
        found = r.mapping(m["filter"], f"{path}.filter")
        for prop, allowed in (found or {}).items():
            values = r.seq(allowed, f"{path}.filter.{prop}")
            if not values:
                r.fail(f"{path}.filter.{prop}", "lists no value")
            filters.append((str(prop), tuple(sorted({scalar_text(v) for v in values}))))
    options["filters"] = tuple(sorted(filters))
    if m.get("rounding") is not None:
        options["rounding"] = r.choice(m, "rounding", path, Rounding)
    if m.get("decimals") is not None:
        decimals = m["decimals"]
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            r.fail(f"{path}.decimals", f"must be a whole number from 0 to 6, not {decimals!r}")
        else:
            options["decimals"] = decimals
    for key, allowed in (("recurring", ("sum", "unique_count")), ("increments", _GAUGES), ("corrections", ("sum",))):
        value = m.get(key)
        if value is None:
            continue
        if not isinstance(value, bool):
            r.fail(f"{path}.{key}", f"must be true or false, not {value!r}")
        elif value and agg is not None and agg not in allowed:
            r.fail(f"{path}.{key}", f"only a meter of {' or '.join(allowed)} can be {key}, not {agg}")
        else:
            options[key] = value
    operation = r.text(m, "operation_property", path, required=False)
    if operation is not None:
        if agg is not None and agg != "unique_count":
            r.fail(f"{path}.operation_property", f"only a unique_count meter has operations, not {agg}")
        elif operation == "":
            r.fail(f"{path}.operation_property", "is empty")
        else:
            options["operation_property"] = operation
    return options if len(r.problems) == before else None
