"""What the scenarios' use cases need: the year's books (charging's and the registry's readers),
the versions of the cost model (to compare with and to adopt into), and the saved scenarios."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from mutua.charging.ports import Charging, RegistryReader
from mutua.costing.domain.model import CostModel
from mutua.kernel.ports import Transaction
from mutua.scenarios.domain import Adoption, SavedScenario


class ModelVersions(Protocol):
    """The versions of the cost model (the costing context keeps them)."""

    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        """(its id, the model) in force on ``on`` (today by default); a Conflict when there is none."""
        ...

    def cost_model_version(self, model_id: int) -> CostModel:
        """The model of version ``model_id``, as imported."""
        ...

    def add_cost_model(
        self, model: CostModel, content: str, sha: str, in_force_from: date | None = None, decision: str | None = None
    ) -> int:
        """Keep a new version, in force from ``in_force_from`` (adopted by ``decision``); returns its id."""
        ...


class Scenarios(Protocol):
    """The saved scenarios. Every write is audited by the use case."""

    def lock_scenarios(self) -> None:
        """Wait for any other save or adoption of a scenario to end (taken before the checks)."""
        ...

    def add_scenario(self, scenario: SavedScenario) -> None:
        """Keep a scenario; a Conflict when its name is taken (the database refuses a second)."""
        ...

    def scenario(self, name: str) -> SavedScenario | None: ...

    def scenarios(self) -> list[SavedScenario]:
        """Every saved scenario, newest first."""
        ...

    def adopt_scenario(self, name: str, adoption: Adoption) -> None:
        """Record that ``name`` was adopted; a Conflict when it already was."""
        ...


class ScenarioUnitOfWork(Transaction, Protocol):
    """A transaction with the year's books, the model versions and the saved scenarios."""

    @property
    def charging(self) -> Charging: ...

    @property
    def registry(self) -> RegistryReader: ...

    @property
    def costing(self) -> ModelVersions: ...

    @property
    def scenarios(self) -> Scenarios: ...
