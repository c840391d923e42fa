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


def read_meters(r: Reader, data: Any, services: Mapping[str, Service]) -> list[Meter]:
    """Read the ``meters`` list; each measures a usage or reserved-capacity service."""
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
        if code is None or event_type is None or aggregation is None or service_code is None:
            continue
        seen.add(code)
        result.append(
            Meter(code, event_type, aggregation, value_property, tuple(group_by), service_code, multiply_by, divide_by)
        )
    return result
