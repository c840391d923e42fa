from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.costing.domain.allocation import AllocationError, allocate_support
from mutua.costing.domain.centres import KeyBasis, SupportMethod
from mutua.costing.domain.model import CostModel, build_cost_model
from tests.unit.modelgen import ASSOCIATION, models


def _model(data: dict) -> CostModel:  # type: ignore[type-arg]
    model, problems = build_cost_model(data)
    assert not problems, problems
    assert model is not None
    return model


def _example(method: str) -> CostModel:
    data = {
        "name": "example",
        "version": "1",
        "association": ASSOCIATION,
        "support_allocation": {"method": method, **({"order": ["HR", "IT"]} if method == "step_down" else {})},
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
                "code": "D",
                "name": "d",
                "centre": "DEV",
                "activity": "development",
                "charging": "usage",
                "unit": "h",
                "unit_code": "HUR",
            },
            {
                "code": "O",
                "name": "o",
                "centre": "OPS",
                "activity": "infrastructure",
                "charging": "usage",
                "unit": "u",
                "unit_code": "C62",
            },
        ],
    }
    return _model(data)


DIRECT = {"HR": Decimal("100.00"), "IT": Decimal("50.00"), "DEV": Decimal("300.00"), "OPS": Decimal("200.00")}


def test_step_down_closes_support_centres_in_order_as_worked_by_hand() -> None:
    # HR 100 -> IT 25, DEV 50, OPS 25; IT (50 + 25) -> DEV 37.50, OPS 37.50 (HR already closed)
    result = allocate_support(_example("step_down"), DIRECT)
    assert result.final == {"DEV": Decimal("387.50"), "OPS": Decimal("262.50")}


def test_direct_method_ignores_services_between_support_centres() -> None:
    # HR 100 -> DEV 66.67, OPS 33.33; IT 50 -> DEV 25, OPS 25
    result = allocate_support(_example("direct"), DIRECT)
    assert result.final == {"DEV": Decimal("391.67"), "OPS": Decimal("258.33")}


def test_reciprocal_method_solves_the_simultaneous_equations_exactly() -> None:
    # T_HR = 100 + T_IT/3 ; T_IT = 50 + T_HR/4  =>  T_HR = 1400/11, T_IT = 900/11
    result = allocate_support(_example("reciprocal"), DIRECT)
    dev = Fraction(300) + Fraction(1400, 11) / 2 + Fraction(900, 11) / 3
    assert result.final["DEV"] == Decimal(round(dev * 100)) / 100
    assert sum(result.final.values()) == sum(DIRECT.values())


def test_a_support_centre_that_can_reach_no_final_centre_is_a_problem_not_a_loss() -> None:
    data = {
        "name": "loop",
        "version": "1",
        "association": ASSOCIATION,
        "support_allocation": {"method": "reciprocal"},
        "centres": [
            {"code": "A", "name": "A", "kind": "support", "key": {"basis": "weights", "weights": {"B": 1}}},
            {"code": "B", "name": "B", "kind": "support", "key": {"basis": "weights", "weights": {"A": 1}}},
            {"code": "F", "name": "F", "kind": "service"},
        ],
        "accounts": [{"prefix": "6", "name": "c"}],
        "services": [
            {
                "code": "S",
                "name": "s",
                "centre": "F",
                "activity": "infrastructure",
                "charging": "usage",
                "unit": "u",
                "unit_code": "C62",
            }
        ],
    }
    with pytest.raises(AllocationError, match="only serve each other"):
        allocate_support(_model(data), {"A": Decimal("10.00"), "F": Decimal("1.00")})


def _numpy_final(model: CostModel, direct: dict[str, Decimal]) -> dict[str, float]:
    """The allocation as one linear system solved by numpy: (I - A^T) T = D over support centres."""
    support = [c.code for c in model.support_centres]
    final = [c.code for c in model.final_centres]
    position = {code: i for i, code in enumerate(model.step_down_order)}
    fractions: dict[str, dict[str, float]] = {}
    for c in model.support_centres:
        assert c.key is not None and c.key.basis is KeyBasis.WEIGHTS
        weights = {t: float(w) for t, w in c.key.weights}
        if model.support_method is SupportMethod.DIRECT:
            allowed = set(final)
        elif model.support_method is SupportMethod.STEP_DOWN:
            allowed = set(final) | {s for s in support if position[s] > position[c.code]}
        else:
            allowed = set(final) | set(support) - {c.code}
        kept = {t: w for t, w in weights.items() if t in allowed and w > 0}
        total = sum(kept.values())
        fractions[c.code] = {t: w / total for t, w in kept.items()}
    n = len(support)
    a = np.zeros((n, n))
    for i, s in enumerate(support):
        for j, r in enumerate(support):
            a[i, j] = fractions[s].get(r, 0.0)
    d = np.array([float(direct.get(s, 0)) for s in support])
    totals = np.linalg.solve(np.eye(n) - a.T, d)
    return {
        f: float(direct.get(f, 0)) + sum(totals[i] * fractions[s].get(f, 0.0) for i, s in enumerate(support))
        for f in final
    }


amounts = st.integers(min_value=-(10**9), max_value=10**11).map(lambda c: Decimal(c) / 100)


@settings(max_examples=150, deadline=None)
@given(models(), st.data())
def test_every_method_agrees_with_linear_algebra_and_loses_no_cent(data: dict, draw: st.DataObject) -> None:  # type: ignore[type-arg]
    model = _model(data)
    direct = {c.code: draw.draw(amounts) for c in model.centres}
    result = allocate_support(model, direct)
    assert sum(result.final.values()) == sum(direct.values())
    expected = _numpy_final(model, direct)
    for code, value in result.final.items():
        assert abs(float(value) - expected[code]) <= 0.011 + abs(expected[code]) * 1e-9
