"""Joint purchasing in the portal's tiny association (tests/portal_world.py): one agreement with a
catalogue, member A's accession, an order of each member (A's ``PO-2025-000001``, B's
``PO-2025-000002``: B's is written straight into the tables, B has joined nothing, so that the
list of who joined what names no data of B), a commission statement, and the users ``buyer-a``
(member A's purchaser) and ``officer`` (the association's purchasing team)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

AGREEMENT = "CSMART-2025-PC"
ORDER_A = "PO-2025-000001"
ORDER_B = "PO-2025-000002"
ORDER_Z = "PO-2025-999999"
STATEMENT = "COM-2025-000001"
DAY = date(2025, 1, 10)


def build(engine: Engine, member_a: str, member_b: str, password: str | None = None) -> None:
    from mutua.bootstrap import unit_of_work
    from mutua.purchasing.domain import (
        Accession,
        Agreement,
        CatalogueItem,
        Channel,
        CommissionLine,
        CommissionStatement,
        Lot,
        LotSupplier,
        Order,
        OrderLine,
        OrderStatus,
        Procedure,
        PurchasingClause,
        Quarter,
        Supplier,
    )

    uow = unit_of_work(engine, "test")
    with uow:
        p = uow.purchasing
        p.add_suppliers([Supplier("ECON", "Econocom NV", "0422646816", "BE0422646816", street="Leonardo 3")])
        p.add_agreement(
            Agreement(
                AGREEMENT,
                "Pc's en laptops",
                "PC et portables",
                Procedure.OPEN,
                date(2024, 12, 1),
                date(2025, 1, 1),
                date(2027, 12, 31),
                Decimal("900000.00"),
                ("30213000",),
                PurchasingClause(categories=("A", "B")),
                commission_rate=Decimal("0.015"),
            ),
            [Lot(AGREEMENT, 1, "Laptops", "Portables", Decimal("900000.00"), ("30213100",))],
            [LotSupplier(AGREEMENT, 1, "ECON", 1)],
        )
        p.add_items(
            [
                CatalogueItem(
                    AGREEMENT,
                    1,
                    "ECON",
                    "LAP-14",
                    "30213100",
                    "Laptop 14 inch",
                    "Portable 14 pouces",
                    "C62",
                    Decimal("799.99"),
                    DAY,
                ),
                CatalogueItem(
                    AGREEMENT,
                    1,
                    "ECON",
                    "DOCK",
                    "30237000",
                    "Dockingstation",
                    "Station d'accueil",
                    "C62",
                    Decimal("179.00"),
                    DAY,
                ),
            ],
            "price_list",
            "test",
        )
        item = {i.code: i.id for i in p.items(AGREEMENT)}
        p.add_accession(Accession(AGREEMENT, member_a, DAY, "CR-2025-007"))

        def order(number: str, member: str, quantity: str) -> Order:
            amount = (Decimal(quantity) * Decimal("799.99")).quantize(Decimal("0.01"))
            line = OrderLine(
                1, item["LAP-14"], "LAP-14", "Laptop 14 inch", "C62", Decimal(quantity), Decimal("799.99"), amount
            )
            return Order(
                number,
                member,
                AGREEMENT,
                1,
                "ECON",
                OrderStatus.PLACED,
                Channel.DIRECT,
                DAY,
                (line,),
                approved_on=DAY,
                placed_on=DAY,
            )

        p.add_order(order(ORDER_A, member_a, "2"))
        p.add_order(order(ORDER_B, member_b, "5"))
        p.add_statement(
            CommissionStatement(
                STATEMENT,
                "ECON",
                Quarter(2025, 1),
                (CommissionLine(AGREEMENT, 1, 2, Decimal("5599.93"), Decimal("0.015"), Decimal("84.00")),),
                date(2025, 4, 1),
            )
        )
        uow.commit()
    if password is not None:
        from mutua.access.service import add_user
        from mutua.kernel.access import Role

        users = unit_of_work(engine)
        add_user(users, "buyer-a", Role.BUYER, password=password, member=member_a)
        add_user(users, "officer", Role.PURCHASING_OFFICER, password=password)
