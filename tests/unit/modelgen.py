"""Random cost models for property tests, as the plain data a controller would write."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ASSOCIATION = {"name": "Test association", "enterprise_number": "0406798006", "iban": "BE71096123456769"}


@st.composite
def models(draw: st.DrawFn, method: str | None = None) -> dict[str, Any]:
    n_support = draw(st.integers(min_value=1, max_value=5))
    n_final = draw(st.integers(min_value=1, max_value=6))
    support = [f"S{i}" for i in range(n_support)]
    final = [f"F{i}" for i in range(n_final)]
    chosen = method or draw(st.sampled_from(["direct", "step_down", "reciprocal"]))
    centres: list[dict[str, Any]] = []
    for s in support:
        weights = {t: str(draw(st.integers(min_value=0, max_value=500))) for t in support + final if t != s}
        # at least one final receiver, so every support centre's cost can reach a final centre
        weights[draw(st.sampled_from(final))] = str(draw(st.integers(min_value=1, max_value=500)))
        centres.append({"code": s, "name": s, "kind": "support", "key": {"basis": "weights", "weights": weights}})
    for f in final:
        centres.append({"code": f, "name": f, "kind": draw(st.sampled_from(["operational", "service"]))})
    allocation: dict[str, Any] = {"method": chosen}
    if chosen == "step_down":
        allocation["order"] = draw(st.permutations(support))
    return {
        "name": "random",
        "version": "1",
        "association": ASSOCIATION,
        "support_allocation": allocation,
        "centres": centres,
        "accounts": [{"prefix": "6", "name": "costs"}, {"prefix": "74", "name": "income"}],
        "services": [
            {
                "code": f"SV{f}",
                "name": f,
                "centre": f,
                "activity": "infrastructure",
                "charging": "usage",
                "unit": "unit",
                "unit_code": "C62",
            }
            for f in final
        ],
        "tariffs": [{"year": 2025, "service": f"SV{f}", "price": "1.25"} for f in final],
    }
