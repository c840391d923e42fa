"""Property: the support allocation's published amounts (the report's received, passed on and after
allocation, the allocation picture's links) come from one rounding and add up along rows and
columns to the cent, for random models under every method, and each stays within a cent of its
exact value."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.modelgen import models

from mutua.costing.domain.allocation import Flow, allocate_support, round_flows
from mutua.costing.domain.model import CostModel, build_cost_model


def model_from_data(data: dict[str, Any]) -> CostModel:
    model, problems = build_cost_model(data)
    assert model is not None and not problems, problems
    return model


amounts = st.integers(min_value=-(10**7), max_value=10**11).map(lambda c: Decimal(c) / 100)
CENT = Fraction(1, 100)


@settings(max_examples=200, deadline=None)
@given(models(), st.data())
def test_every_row_and_column_of_the_allocation_adds_up_to_the_cent(data: dict[str, Any], draw: Any) -> None:
    model = model_from_data(data)
    direct = {c.code: draw.draw(amounts) for c in model.centres}
    result = allocate_support(model, direct)
    zero = Decimal("0.00")
    for c in model.support_centres:  # a support centre passes on all it has
        assert direct[c.code] + result.received(c.code) == result.passed_on(c.code)
        assert result.final.get(c.code, zero) == zero
    for c in model.final_centres:  # a final centre keeps its direct cost and what it received
        assert direct[c.code] + result.received(c.code) == result.final[c.code]
        assert result.passed_on(c.code) == zero
    codes = [c.code for c in model.centres]
    assert sum(result.received(c) for c in codes) == sum(result.passed_on(c) for c in codes)
    assert sum(result.final.values()) == sum(direct.values())
    exact: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for f in result.flows:
        exact[(f.source, f.target)] += f.amount
    assert set(result.moved) == set(exact)
    for key, amount in result.moved.items():  # every amount in cents, below or above its exact value
        assert amount.as_tuple().exponent == -2
        assert abs(Fraction(amount) - exact[key]) < CENT
    received_exact: dict[str, Fraction] = defaultdict(Fraction)
    for (_, target), amount in exact.items():
        received_exact[target] += amount
    for c in model.final_centres:
        assert abs(Fraction(result.final[c.code]) - Fraction(direct[c.code]) - received_exact[c.code]) < CENT


def test_the_final_centres_with_the_largest_remainders_get_the_cents_left() -> None:
    # 100.00 over three equal shares, 50.00 over two: the first final centre gets the extra cent
    flows = [Flow("HR", t, Fraction(100, 3)) for t in ("A", "B", "C")] + [
        Flow("IT", t, Fraction(25)) for t in ("A", "B")
    ]
    moved = round_flows(flows, {"HR": Decimal("100.00"), "IT": Decimal("50.00")}, ["HR", "IT"], ["A", "B", "C"])
    assert moved[("HR", "A")] == Decimal("33.34")
    assert moved[("HR", "B")] == moved[("HR", "C")] == Decimal("33.33")
    assert moved[("IT", "A")] == moved[("IT", "B")] == Decimal("25.00")


def test_step_down_support_centre_receives_and_passes_on_what_it_received() -> None:
    # HR 100 -> IT 25, DEV 50, OPS 25; IT (50 + 25) -> DEV 37.50, OPS 37.50
    data = {
        "name": "m",
        "version": "1",
        "association": {"name": "A", "enterprise_number": "0406798006", "iban": "BE71096123456769"},
        "support_allocation": {"method": "step_down", "order": ["HR", "IT"]},
        "centres": [
            {
                "code": "HR",
                "name": "HR",
                "kind": "support",
                "key": {"basis": "weights", "weights": {"IT": 1, "DEV": 2, "OPS": 1}},
            },
            {
                "code": "IT",
                "name": "IT",
                "kind": "support",
                "key": {"basis": "weights", "weights": {"HR": 1, "DEV": 1, "OPS": 1}},
            },
            {"code": "DEV", "name": "DEV", "kind": "operational"},
            {"code": "OPS", "name": "OPS", "kind": "service"},
        ],
        "accounts": [{"prefix": "6", "name": "costs"}],
        "services": [
            {
                "code": "S1",
                "name": "s",
                "centre": "DEV",
                "activity": "development",
                "charging": "usage",
                "unit": "u",
                "unit_code": "C62",
            },
            {
                "code": "S2",
                "name": "s",
                "centre": "OPS",
                "activity": "infrastructure",
                "charging": "usage",
                "unit": "u",
                "unit_code": "C62",
            },
        ],
    }
    direct = {"HR": Decimal("100.00"), "IT": Decimal("50.00"), "DEV": Decimal("300.00"), "OPS": Decimal("200.00")}
    result = allocate_support(model_from_data(data), direct)
    assert result.received("IT") == Decimal("25.00") and result.passed_on("IT") == Decimal("75.00")
    assert result.received("HR") == Decimal("0.00") and result.passed_on("HR") == Decimal("100.00")
    assert result.final == {"DEV": Decimal("387.50"), "OPS": Decimal("262.50")}
