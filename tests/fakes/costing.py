"""In-memory fakes of the costing context's ports (``mutua.costing.ports``): every version of the
cost model imported, the newest in force. It also serves the registry's ``Catalogue`` port, as the
real repository does."""

from __future__ import annotations

from mutua.costing.domain.catalogue import offered_services
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.problems import Conflict
from mutua.registry.domain import OfferedService


class FakeCosting:
    """``mutua.costing.ports.CostModels`` in a list: (model, content, sha256, imported by)."""

    def __init__(self, *texts: str, actor: str = "test") -> None:
        self.versions: list[tuple[CostModel, str, str, str]] = []
        self.actor = actor
        for text in texts:
            self.add_cost_model(parse_cost_model(text, "model.yaml"), text, "")

    def add_cost_model(self, model: CostModel, content: str, sha: str) -> int:
        self.versions.append((model, content, sha, self.actor))
        return len(self.versions)

    def cost_model(self) -> tuple[int, CostModel]:
        if not self.versions:
            raise Conflict("no cost model has been imported yet: run `mutua model import FILE`")
        return len(self.versions), self.versions[-1][0]

    def cost_model_text(self) -> str | None:
        return self.versions[-1][1] if self.versions else None

    def offered_services(self) -> dict[str, OfferedService]:
        return offered_services(self.cost_model()[1].services)
