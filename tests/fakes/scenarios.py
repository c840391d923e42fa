"""In-memory fake of the scenarios context's port (``mutua.scenarios.ports.Scenarios``)."""

from __future__ import annotations

from dataclasses import replace

from mutua.kernel.problems import Conflict
from mutua.scenarios.domain import Adoption, SavedScenario


class FakeScenarios:
    """The saved scenarios in a list, oldest first."""

    def __init__(self) -> None:
        self.saved: list[SavedScenario] = []
        self.locks_taken = 0

    def lock_scenarios(self) -> None:
        self.locks_taken += 1

    def add_scenario(self, scenario: SavedScenario) -> None:
        if self.scenario(scenario.name) is not None:
            raise Conflict(f"a scenario named {scenario.name!r} already exists")
        self.saved.append(scenario)

    def scenario(self, name: str) -> SavedScenario | None:
        return next((s for s in self.saved if s.name == name), None)

    def scenarios(self) -> list[SavedScenario]:
        return list(reversed(self.saved))

    def adopt_scenario(self, name: str, adoption: Adoption) -> None:
        for i, s in enumerate(self.saved):
            if s.name == name:
                if s.adoption is not None:
                    raise Conflict(f"scenario {name!r} was already adopted")
                self.saved[i] = replace(s, adoption=adoption)
                return
        raise Conflict(f"no scenario {name!r}")
