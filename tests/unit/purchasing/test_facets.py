"""The facets of a catalogue search, summed from the cube's cells in one pass, against their
definition: a facet's value counts the cells that pass every filter but the facet's own; the total
and the price facet count the cells that pass every filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mutua.purchasing.domain.search import CatalogueQuery, Cell, facets

AGREEMENTS = ("A-1", "A-2")
SUPPLIERS = ("S1", "S2", "S3")
DIVISIONS = ("30", "48", "72")
BUCKETS = ("0-100", "100-500", "5000-")

cells_strategy = st.lists(
    st.builds(
        Cell,
        st.sampled_from(AGREEMENTS),
        st.integers(1, 2),
        st.sampled_from(SUPPLIERS),
        st.sampled_from(DIVISIONS),
        st.sampled_from(BUCKETS),
        st.integers(1, 1000),
    ),
    max_size=40,
)
queries = st.builds(
    lambda agreement, lot, division, supplier: CatalogueQuery(
        "", agreement=agreement, lot=lot if agreement else None, cpv_division=division, supplier=supplier
    ),
    st.none() | st.sampled_from(AGREEMENTS),
    st.none() | st.integers(1, 2),
    st.none() | st.sampled_from(DIVISIONS),
    st.none() | st.sampled_from(SUPPLIERS),
)


def _passes(query: CatalogueQuery, cell: Cell, but: str) -> bool:
    checks = {
        "agreement": query.agreement is None or cell.agreement == query.agreement,
        "lot": query.lot is None or (cell.agreement, cell.lot) == (query.agreement, query.lot),
        "cpv": query.cpv_division is None or cell.cpv_division == query.cpv_division,
        "supplier": query.supplier is None or cell.supplier == query.supplier,
    }
    return all(ok for name, ok in checks.items() if name != but)


@given(cells_strategy, queries)
def test_every_facet_counts_the_cells_that_pass_every_filter_but_its_own(
    cells: list[Cell], query: CatalogueQuery
) -> None:
    total, found = facets(query, cells, {}, {}, {})
    assert total == sum(c.count for c in cells if _passes(query, c, ""))
    keys = {
        "agreement": lambda c: c.agreement,
        "lot": lambda c: f"{c.agreement}/{c.lot}",
        "cpv": lambda c: c.cpv_division,
        "supplier": lambda c: c.supplier,
        "price": lambda c: c.bucket,
    }
    for name, key in keys.items():
        expected: dict[str, int] = {}
        for c in cells:
            if _passes(query, c, "" if name == "price" else name):
                expected[key(c)] = expected.get(key(c), 0) + c.count
        assert {v.key: v.count for v in found[name]} == {k: n for k, n in expected.items() if n}
