"""Charging: the close's inputs, the monthly close, the true-up, reports, statements, dashboards.

What other contexts may use of charging, besides its ``domain`` and ``ports``: a member's
statement (billing renders it as a PDF) and next year's tariff proposal (scenarios compare it with
this year's tariffs). They are loaded when asked for, so that importing the charging domain does not
load the reporting use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mutua.kernel.access import Action, Permission, requires

if TYPE_CHECKING:
    from mutua.charging.ports import ChargingUnitOfWork
    from mutua.charging.service.reporting import Statement
    from mutua.charging.service.tariffs import TariffProposal
    from mutua.kernel.periods import Period


@requires(Permission(member_scoped=True))
def member_statement(uow: ChargingUnitOfWork, member: str, period: Period) -> Statement:
    """A member's statement of a period (:func:`mutua.charging.service.reporting.member_statement`)."""
    from mutua.charging.service import reporting

    return reporting.member_statement(uow, member, period)


@requires(Permission(Action.READ_ASSOCIATION))
def propose_next_year(uow: ChargingUnitOfWork, year: int) -> TariffProposal:
    """Next year's tariffs from ``year``'s actuals (:func:`mutua.charging.service.tariffs.propose_next_year`)."""
    from mutua.charging.service import tariffs

    return tariffs.propose_next_year(uow, year)
