"""Charging: the close's inputs, the monthly close, the true-up, reports, statements, dashboards.

What other contexts may use of charging, besides its ``domain`` and ``ports``: a member's
statement (billing renders it as a PDF). It is loaded when asked for, so that importing the
charging domain does not load the reporting use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mutua.kernel.access import Permission, requires

if TYPE_CHECKING:
    from mutua.charging.ports import ChargingUnitOfWork
    from mutua.charging.service.reporting import Statement
    from mutua.kernel.periods import Period


@requires(Permission(member_scoped=True))
def member_statement(uow: ChargingUnitOfWork, member: str, period: Period) -> Statement:
    """A member's statement of a period (:func:`mutua.charging.service.reporting.member_statement`)."""
    from mutua.charging.service import reporting

    return reporting.member_statement(uow, member, period)
