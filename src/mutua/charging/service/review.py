"""The review step of the close: what closing a month WOULD charge, computed and not written.

The portal's close is run, review, lock: :func:`preview_close` runs the close's own stages
(:func:`mutua.charging.domain.draft_close` on :func:`mutua.charging.service.load_month`) in a unit
of work that is never committed; the controller reviews the totals per service, what blocks the
close and the problems; then "lock" is :func:`mutua.charging.service.close_period` itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from mutua.charging.domain import CloseDraft, Timings, draft_close
from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.service.close import load_month
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem


@dataclass(frozen=True, slots=True)
class ServiceCharges:
    """The charges of one service in a close: its lines and their total."""

    service: str
    name: str
    lines: int
    amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"service": self.service, "name": self.name, "lines": self.lines, "amount": str(self.amount)}


@dataclass(frozen=True)
class CloseReview:
    """What closing a month would write, and what stands in the way (nothing is written).

    Attributes:
        period: the month.
        closed: whether it is closed already.
        blockers: why it cannot be closed now (already closed; an earlier month open).
        problems: what in the data would refuse the close.
        charges: the number of charges it would write.
        members: the number of members charged.
        total_charged: their total.
        direct_cost: the month's direct cost in the ledger.
        by_service: the charges per service, in the cost model's order.
        timings: seconds per stage (load, check, charge, validate).
    """

    period: Period
    closed: bool
    blockers: tuple[str, ...]
    problems: tuple[Problem, ...]
    charges: int
    members: int
    total_charged: Decimal
    direct_cost: Decimal
    by_service: tuple[ServiceCharges, ...]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def can_lock(self) -> bool:
        return not self.blockers and not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "closed": self.closed,
            "can_lock": self.can_lock,
            "blockers": list(self.blockers),
            "problems": [p.as_dict() for p in self.problems],
            "charges": self.charges,
            "members": self.members,
            "total_charged": str(self.total_charged),
            "direct_cost": str(self.direct_cost),
            "by_service": [s.as_json() for s in self.by_service],
        }


def review_of(draft: CloseDraft, model: CostModel, closed: bool) -> CloseReview:
    """A close's draft summed per service for the controller's review."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    lines: dict[str, int] = defaultdict(int)
    for c in draft.charges:
        amounts[c.service] += c.amount
        lines[c.service] += 1
    return CloseReview(
        draft.period,
        closed,
        draft.blockers,
        draft.problems,
        len(draft.charges),
        len({c.member for c in draft.charges}),
        sum(amounts.values(), ZERO),
        draft.direct_cost,
        tuple(
            ServiceCharges(s.code, s.name, lines[s.code], amounts[s.code]) for s in model.services if s.code in amounts
        ),
    )


@requires(Permission(Action.CLOSE))
def preview_close(uow: ChargingUnitOfWork, period: Period) -> CloseReview:
    """The charges closing ``period`` would write, summed per service, and what stands in the way."""
    timings = Timings()
    with uow:  # never committed: nothing is written
        books = timings.run("load", load_month, uow, period)
    draft = draft_close(books, timings)
    return replace(review_of(draft, books.model, period.key in books.closed), timings=dict(timings.stages))
