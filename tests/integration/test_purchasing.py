"""Joint purchasing on SQLite and PostgreSQL: the agreement file, price lists refused line by line
with nothing written, the refusals of an order (past the term, above the ceiling, outside the
accession, over the engagement's budget), a consultancy order's invoice charged at real cost by
the close, commissions computed once, and the property that the database's consumption and
commissions' bases equal the sum of the orders, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from mutua.bootstrap import unit_of_work
from mutua.charging.service.close import close_period
from mutua.costing.service import import_cost_model
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, Rejected
from mutua.purchasing.db import tables
from mutua.purchasing.domain import Channel, OrderStatus, PriceSource, Quarter
from mutua.purchasing.service import agreements, catalogue, commissions, followup, orders
from mutua.registry import service as registry_service
from tests.small_model import MODEL, A, B
from tests.unit.purchasing.world import (
    ENGAGEMENTS_CSV,
    LAPTOPS,
    MEMBERS_CSV,
    REF,
    C,
    join,
    load,
    write,
)

D = Decimal
JAN = date(2025, 1, 20)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Any:
    uow = unit_of_work(engine, "purchasing-test")
    import_cost_model(uow, write(tmp_path, "model.yaml", MODEL))
    registry_service.import_members(uow, write(tmp_path, "members.csv", MEMBERS_CSV))
    registry_service.import_engagements(uow, write(tmp_path, "engagements.csv", ENGAGEMENTS_CSV))
    load(uow, tmp_path)
    join(uow, A)
    join(uow, B)
    return uow


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_agreement_its_catalogue_and_the_price_history_are_kept(world: Any, engine: Engine) -> None:
    view = agreements.agreement_detail(world, REF)
    assert [(w.lot, w.supplier, w.rank) for w in view.awarded][:2] == [(1, "ACME", 1), (1, "BETA", 2)]
    assert view.agreement.clause.bodies == () and len(view.accessions) == 2
    assert _count(engine, tables.items) == 7 and _count(engine, tables.prices) == 7
    changed = LAPTOPS.replace("1200.50", "1180.00")
    catalogue.import_price_list(world, REF, 1, "ACME", write(_tmp(engine), "acme-2.csv", changed), date(2025, 4, 1))
    lt16 = next(i for i in catalogue.catalogue(world, REF, 1, "ACME", on=date(2025, 4, 1)) if i.code == "LT-16")
    points = catalogue.price_history(world, lt16.id).points
    assert [(p.price, p.valid_from, p.source) for p in points] == [
        (D("1200.50"), date(2025, 1, 1), PriceSource.PRICE_LIST),
        (D("1180.00"), date(2025, 4, 1), PriceSource.PRICE_LIST),
    ]
    # an order of March is priced at March's price, one of April at April's
    march = orders.draft_order(world, A, REF, 1, "ACME", [("LT-16", D(1))], on=date(2025, 3, 31)).order
    april = orders.draft_order(world, A, REF, 1, "ACME", [("LT-16", D(1))], on=date(2025, 4, 1)).order
    assert (march.lines[0].unit_price, april.lines[0].unit_price) == (D("1200.50"), D("1180.00"))
    assert march.lines[0].price_point == points[0].id and april.lines[0].price_point == points[1].id


_TMP: dict[int, Path] = {}


def _tmp(engine: Engine) -> Path:
    import tempfile

    return _TMP.setdefault(id(engine), Path(tempfile.mkdtemp(prefix="purchasing-")))


def test_a_bad_price_list_is_refused_line_by_line_with_nothing_written(world: Any, engine: Engine) -> None:
    before = [_count(engine, t) for t in (tables.items, tables.prices)]
    text = (
        "code,cpv,description_nl,description_fr,unit,price\n"
        "N1,30213199,Fout,Faux,C62,10.00\n"
        "N2,30213100,Negatief,Négatif,C62,-1\n"
        "N3,30213100,Geen,Sans,C62,\n"
        "N4,30213100,Eenheid,Unité,XYZ,5\n"
        "N4,30213100,Dubbel,Double,C62,5\n"
    ).encode() + "N5,30213100,Caf\xe9,Caf\xe9,C62,5\n".encode("latin-1")
    with pytest.raises(Rejected) as refused:
        catalogue.import_price_list(world, REF, 1, "ACME", write(_tmp(engine), "bad.csv", text), date(2025, 3, 1))
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (2, "cpv"),
        (3, "price"),
        (4, "price"),
        (5, "unit"),
        (6, "code"),
        (7, None),
    ]
    assert [_count(engine, t) for t in (tables.items, tables.prices)] == before


@pytest.mark.parametrize("bad", ["duplicate", "price"])
def test_a_long_price_list_bad_after_its_first_parts_leaves_nothing(world: Any, engine: Engine, bad: str) -> None:
    """The new items of the first parts are written while the next are checked (catalogue._PART
    lines a part): a bad line in a later part refuses the file, and what was written is rolled back."""
    assert catalogue._PART == 10_000
    before = [_count(engine, t) for t in (tables.items, tables.prices, tables.item_cells)]
    lines = [f"LONG-{n:05d},30213100,Laptop {n},Portable {n},C62,{100 + n % 900}.00" for n in range(25_000)]
    lines[21_000] = "LONG-00007,30213100,Dubbel,Double,C62,5" if bad == "duplicate" else "LONG-X,30213100,Nul,Nul,C62,0"
    text = ("code,cpv,description_nl,description_fr,unit,price\n" + "\n".join(lines) + "\n").encode()
    with pytest.raises(Rejected) as refused:
        catalogue.import_price_list(
            world, REF, 1, "ACME", write(_tmp(engine), f"long-{bad}.csv", text), date(2025, 3, 1)
        )
    assert [(p.line, p.field) for p in refused.value.problems] == [(21_002, "code" if bad == "duplicate" else "price")]
    assert [_count(engine, t) for t in (tables.items, tables.prices, tables.item_cells)] == before
    lines[21_000] = "LONG-21000,30213100,Goed,Bon,C62,5"  # the same list, mended, is taken whole
    text = ("code,cpv,description_nl,description_fr,unit,price\n" + "\n".join(lines) + "\n").encode()
    result = catalogue.import_price_list(world, REF, 1, "ACME", write(_tmp(engine), "long.csv", text), date(2025, 3, 1))
    assert result.new == 25_000 and result.withdrawn == 3  # ACME's three items of lot 1 are not in it
    assert _count(engine, tables.items) == before[0] + 25_000 and _count(engine, tables.prices) == before[1] + 25_000


def test_every_refusal_of_an_order_names_its_reason(world: Any) -> None:
    def reasons(**kwargs: Any) -> list[str]:
        with pytest.raises(Rejected) as refused:
            orders.draft_order(world, **kwargs)
        return [p.message for p in refused.value.problems]

    base: dict[str, Any] = {"reference": REF, "lot": 1, "supplier": "ACME"}
    assert reasons(member=A, lines=[("LT-14", D(1))], on=date(2026, 1, 2), **base) == [
        f"agreement {REF} ended on 2025-12-31: no order after its term"
    ]
    assert reasons(member=C, lines=[("LT-14", D(1))], on=JAN, **base) == [
        f"member {C} has not joined agreement {REF}: outside the accession"
    ]
    assert reasons(member=A, lines=[("LT-14", D(67))], on=JAN, **base) == [
        f"above the ceiling of lot 1 of {REF}: 0.00 ordered of 60000.00, this order (60300.00) would bring it to "
        "60300.00"
    ]
    consultancy: dict[str, Any] = {"reference": REF, "lot": 2, "supplier": "CONS1", "channel": Channel.ASSOCIATION}
    assert reasons(member=A, lines=[("SENIOR", D(12))], engagement="K1", on=JAN, **consultancy) == [
        "beyond the budget of engagement K1: 0.00 ordered in 2025 of 9000.00, this order (9600.00) would bring it "
        "to 9600.00"
    ]
    assert reasons(member=A, lines=[("SENIOR", D(1))], on=JAN, **base) == [
        f"line 1: item SENIOR is outside lot 1 of {REF} from ACME"
    ]
    assert orders.all_orders(world) == []


def test_a_consultancy_order_is_charged_at_real_cost_by_the_close(world: Any) -> None:
    number = orders.draft_order(
        world,
        A,
        REF,
        2,
        "CONS1",
        [("SENIOR", D(5)), ("JUNIOR", D("2.5"))],
        engagement="K1",
        channel=Channel.ASSOCIATION,
        on=JAN,
    ).order.number
    for step in (orders.approve_order, orders.place_order):
        step(world, A, number, on=JAN)
    orders.record_delivery(world, A, number, on=date(2025, 1, 31))
    orders.record_invoice(world, A, number, "F-2025-17", on=date(2025, 1, 31))  # 5,375.00 + 21 % VAT
    with pytest.raises(Conflict):
        orders.record_invoice(world, A, number, "F-2025-17", on=date(2025, 1, 31))
    close_period(world, Period(2025, 1))
    with world:
        charges = [c for c in world.charging.charges([202501]) if c.engagement == "K1"]
    ((charge),) = charges
    assert charge.service == "SECOND" and charge.quantity == D("6503.75")  # 5,375.00 + 1,128.75
    assert charge.amount == D("6828.94")  # x 1.05, the year's markup for allocated overhead


def test_commissions_are_computed_once_with_a_gapless_number(world: Any) -> None:
    for member, day in ((A, date(2025, 2, 3)), (B, date(2025, 3, 30))):
        n = orders.draft_order(world, member, REF, 1, "ACME", [("LT-14", D(2))], on=day).order.number
        orders.approve_order(world, member, n, on=day)
        orders.place_order(world, member, n, on=day)
    (made,) = commissions.compute_commissions(world, Quarter(2025, 1), on=date(2025, 4, 1))
    assert (made.statement.number, made.statement.base, made.statement.commission) == (
        "COM-2025-000001",
        D("3600.00"),
        D("54.00"),
    )
    with pytest.raises(Conflict):
        commissions.compute_commissions(world, Quarter(2025, 1), on=date(2025, 4, 2))
    assert [v.statement.number for v in commissions.commission_statements(world)] == ["COM-2025-000001"]


def test_a_statement_keeps_the_vat_the_models_rule_gave_it(world: Any, tmp_path: Path) -> None:
    n = orders.draft_order(world, A, REF, 1, "ACME", [("LT-14", D(2))], on=date(2025, 2, 3)).order.number
    orders.approve_order(world, A, n, on=date(2025, 2, 3))
    orders.place_order(world, A, n, on=date(2025, 2, 3))
    rule = (
        "commissions: {vat_category: E, vat_rate: '0', exemption_reason_code: VATEX-EU-132,\n"
        "  exemption_reason: Exempt (art. 132),\n"
        "  exemption_reasons: {nl: Vrijgesteld (art. 132), fr: Exonéré (art. 132)}}\n"
    )
    import_cost_model(world, write(tmp_path, "exempt.yaml", MODEL + rule))
    commissions.compute_commissions(world, Quarter(2025, 1), on=date(2025, 4, 1))
    import_cost_model(world, write(tmp_path, "standard.yaml", MODEL))  # the rule changes afterwards
    kept = commissions.commission_statement(world, "COM-2025-000001")
    s = kept.statement
    assert (s.vat_category, s.vat_rate, s.exemption_reason_code, s.exemption_reason) == (
        "E",
        D(0),
        "VATEX-EU-132",
        "Exempt (art. 132)",
    )
    assert s.exemption_reasons == (("fr", "Exonéré (art. 132)"), ("nl", "Vrijgesteld (art. 132)"))
    assert (kept.vat, kept.total) == (D("0.00"), D("27.00"))  # 1,800.00 at 1.5 %


steps = st.lists(
    st.tuples(
        st.sampled_from([A, B]),
        st.sampled_from(["LT-14", "LT-16", "DOCK"]),
        st.integers(min_value=1, max_value=5),
        st.sampled_from(["draft", "approved", "placed", "cancelled"]),
        st.integers(min_value=1, max_value=12),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_the_databases_consumption_and_commission_base_equal_the_sum_of_the_orders(
    world: Any, batch: list[Any]
) -> None:
    for member, code, quantity, status, month in batch:
        day = date(2025, month, 10)
        try:
            n = orders.draft_order(world, member, REF, 1, "ACME", [(code, D(quantity))], on=day).order.number
            if status != "draft":
                orders.approve_order(world, member, n, on=day)
            if status in ("placed", "cancelled"):
                orders.place_order(world, member, n, on=day)
            if status == "cancelled":
                orders.cancel_order(world, member, n, "property", on=day)
        except Rejected:  # the ceiling reached: refused, nothing counted
            continue
    every = orders.all_orders(world)
    counted = sum((o.value for o in every if o.status.commits), ZERO)
    lines = {(c.agreement, c.lot): c.consumed for c in followup.consumption(world)}
    assert lines[(REF, None)] == counted == lines[(REF, 1)]
    assert counted <= D("60000.00")
    with world:
        for q in range(1, 5):
            quarter = Quarter(2025, q)
            placed = world.purchasing.placed_values(quarter)
            expected = sum(
                (o.value for o in every if o.status.ordered and o.placed_on and Quarter.of(o.placed_on) == quarter),
                ZERO,
            )
            assert sum((p.value for p in placed), ZERO) == expected
    assert all(o.status in OrderStatus for o in every)
