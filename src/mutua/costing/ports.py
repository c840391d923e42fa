"""What the costing context's use cases need: the versions of the cost model.

:class:`CostModelInForce` is what other contexts read of it (the model in force).
"""

from __future__ import annotations

from typing import Protocol

from mutua.costing.domain.model import CostModel
from mutua.kernel.ports import Transaction


class CostModelInForce(Protocol):
    def cost_model(self) -> tuple[int, CostModel]:
        """The id and model in force (the newest imported); refused (Conflict) when there is none."""
        ...


class CostModels(CostModelInForce, Protocol):
    """Every version of the cost model ever imported; the newest is in force."""

    def cost_model_text(self) -> str | None:
        """The file of the model in force, as imported; None when there is none."""
        ...

    def add_cost_model(self, model: CostModel, content: str, sha: str) -> int:
        """Keep a new version (imported now, by the unit of work's actor); returns its id."""
        ...


class CostingUnitOfWork(Transaction, Protocol):
    @property
    def costing(self) -> CostModels: ...
