"""A meter's own rules at ingestion, as SQL for ``staging.py`` (the same rules as the domain's
``Meter.counts``, ``Meter.signed`` and ``domain.operation_problem``):

- ``op``: a unique count's operation, 1 (``add``, or no operation) or -1 (``remove``); NULL when
  the event names another (the event is bad);
- ``counted``: the event passes the meter's property filters (an event that does not is stored
  and claimed, but written for that meter nowhere);
- ``signed``: the meter takes negative values (a sum's corrections, a gauge's increments).

Each is a SQL expression over ``mt.meter`` (the meter of the staged row) and ``r.data``; meter
codes, property names and values are bound parameters, never SQL text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mutua.costing.domain.meters import Meter
from mutua.metering.sqltext import Parameters


@dataclass(frozen=True)
class RuleColumns:
    """The three expressions, as a fragment of a SELECT list (``op``, ``counted``, ``signed``)."""

    op: str
    counted: str
    signed: str

    def select(self) -> str:
        return f"{self.op} AS op, {self.counted} AS counted, {self.signed} AS signed"


def rule_columns(meters: Sequence[Meter], extract: Callable[[str], str], params: Parameters) -> RuleColumns:
    """The expressions for these meters; ``extract(prop)`` is SQL reading ``data.<prop>`` as text."""
    with_ops = [m for m in meters if m.operation_property]
    op = "CAST(1 AS TINYINT)"
    if with_ops:
        cases = " ".join(
            f"WHEN {params.add(m.code)} THEN CASE coalesce({extract(m.operation_property or '')}, 'add') "
            "WHEN 'add' THEN 1 WHEN 'remove' THEN -1 END"
            for m in with_ops
        )
        op = f"CAST(CASE mt.meter {cases} ELSE 1 END AS TINYINT)"
    filtered = [m for m in meters if m.filters]
    counted = "true"
    if filtered:
        cases = " ".join(
            f"WHEN {params.add(m.code)} THEN "
            + " AND ".join(
                f"coalesce({extract(prop)}, '') IN ({', '.join(params.add(v) for v in allowed)})"
                for prop, allowed in m.filters
            )
            for m in filtered
        )
        counted = f"coalesce(CASE mt.meter {cases} ELSE true END, false)"
    signed_codes = [m.code for m in meters if m.signed]
    signed = (
        f"coalesce(mt.meter IN ({', '.join(params.add(c) for c in signed_codes)}), false)" if signed_codes else "false"
    )
    return RuleColumns(op, counted, signed)
