"""What the costing context's use cases need: the versions of the cost model.

:class:`CostModelInForce` is what other contexts read of it (the model in force).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from mutua.costing.domain.model import CostModel
from mutua.kernel.ports import Transaction


class CostModelInForce(Protocol):
    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        """The id and model in force on ``on`` (today by default: the newest imported, unless adopted
        from a later date); refused (Conflict) when there is none."""
        ...

    def cost_model_version(self, model_id: int) -> CostModel:
        """The model of version ``model_id`` as imported (a closed month or a trued-up year keeps
        reporting from the version it used, whatever is imported later)."""
        ...


class CostModels(CostModelInForce, Protocol):
    """Every version of the cost model ever imported; the newest is in force."""

    def cost_model_text(self) -> str | None:
        """The file of the model in force, as imported; None when there is none."""
        ...

    def add_cost_model(
        self, model: CostModel, content: str, sha: str, in_force_from: date | None = None, decision: str | None = None
    ) -> int:
        """Keep a new version (imported now, by the unit of work's actor), in force from now on or from
        ``in_force_from`` (adopted by ``decision``); returns its id."""
        ...


class CostingUnitOfWork(Transaction, Protocol):
    @property
    def costing(self) -> CostModels: ...
