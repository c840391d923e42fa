"""In-memory fakes of the costing context's ports (``mutua.costing.ports``): every version of the
cost model imported, the newest in force. It also serves the registry's ``Catalogue`` port, as the
real repository does."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mutua.costing.domain.catalogue import offered_services
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.problems import Conflict
from mutua.registry.domain import OfferedService


class FakeCosting:
    """``mutua.costing.ports.CostModels`` in a list: (model, content, sha256, imported by)."""

    def __init__(self, *texts: str, actor: str = "test") -> None:
        self.versions: list[tuple[CostModel, str, str, str]] = []
        self.terms: dict[int, tuple[date | None, str | None]] = {}  # version -> (in force from, decision)
        self.actor = actor
        for text in texts:
            self.add_cost_model(parse_cost_model(text, "model.yaml"), text, "")

    def add_cost_model(
        self, model: CostModel, content: str, sha: str, in_force_from: date | None = None, decision: str | None = None
    ) -> int:
        self.versions.append((model, content, sha, self.actor))
        self.terms[len(self.versions)] = (in_force_from, decision)
        return len(self.versions)

    def _in_force(self, on: date | None) -> int | None:
        day = on or datetime.now(UTC).date()
        for i in range(len(self.versions), 0, -1):
            start = self.terms.get(i, (None, None))[0]
            if start is None or start <= day:
                return i
        return None

    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        found = self._in_force(on)
        if found is None:
            raise Conflict("no cost model has been imported yet: run `mutua model import FILE`")
        return found, self.versions[found - 1][0]

    def cost_model_version(self, model_id: int) -> CostModel:
        if not 1 <= model_id <= len(self.versions):
            raise Conflict(f"no cost model version {model_id}")
        return self.versions[model_id - 1][0]

    def cost_model_text(self) -> str | None:
        found = self._in_force(None)
        return None if found is None else self.versions[found - 1][1]

    def offered_services(self) -> dict[str, OfferedService]:
        return offered_services(self.cost_model()[1].services)
