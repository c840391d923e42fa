"""Follow-up: consumption per agreement and lot against the ceilings, expiry and renewal alerts, and
the savings against the configurable reference (the lot's or agreement's markup, or an item's own
reference price)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mutua.kernel.access import Action, Permission, requires
from mutua.purchasing.domain.followup import (
    ALERT_DAYS,
    CEILING_WARNING,
    Alert,
    Consumption,
    Savings,
    alerts,
    consumption_lines,
    savings,
)
from mutua.purchasing.ports import PurchasingUnitOfWork
from mutua.purchasing.service.common import today


@requires(Permission())
def consumption(uow: PurchasingUnitOfWork, reference: str | None = None) -> list[Consumption]:
    """Per agreement (and each of its lots) the value ordered against the ceiling, computed from
    the orders (approved and after, not cancelled)."""
    with uow:
        p = uow.purchasing
        agreements = [a for a in p.agreements() if reference is None or a.reference == reference]
        return consumption_lines(agreements, p.lots(reference), p.consumption(reference))


@requires(Permission(Action.READ_ASSOCIATION))
def purchasing_alerts(
    uow: PurchasingUnitOfWork,
    on: date | None = None,
    within_days: int = ALERT_DAYS,
    threshold: Decimal = CEILING_WARNING,
) -> list[Alert]:
    """What the purchasing team must act on: terms ending (renew, or tender again), ceilings
    nearly used."""
    day = today(on)
    with uow:
        p = uow.purchasing
        agreements = p.agreements()
        used = consumption_lines(agreements, p.lots(), p.consumption())
        return alerts(agreements, used, day, within_days, threshold)


@requires(Permission(Action.READ_ASSOCIATION))
def association_savings(uow: PurchasingUnitOfWork) -> list[Savings]:
    """The savings of every member's orders per agreement and lot."""
    with uow:
        return savings(uow.purchasing.orders())


@requires(Permission(member_scoped=True))
def member_savings(uow: PurchasingUnitOfWork, member: str) -> list[Savings]:
    """The savings of one member's orders per agreement and lot."""
    with uow:
        return savings(uow.purchasing.orders(member=member))
