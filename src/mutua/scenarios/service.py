"""The scenarios' use cases: compare a year under another model, method or tariffs with what was
adopted (nothing written), save a scenario by name, show it, and adopt it from a date.

Comparing and adopting are the controller's (:attr:`Action.CLOSE`: they prepare and change what the
close charges); a saved scenario is read by whoever reads the association's figures (the board:
:attr:`Action.READ_ASSOCIATION`).

The adopted model of a year is the one its figures were made with (the true-up's, else the latest
closed month's), or, before any month is closed, the one in force on the year's first day. The
months compared are the closed ones; before any is closed, all twelve, with what is booked so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from mutua.charging import propose_next_year
from mutua.charging.domain import model_used
from mutua.costing.domain.centres import SupportMethod
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import dump_cost_model, parse_cost_model, sha256
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.periods import months_of
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected
from mutua.scenarios.domain import (
    Adoption,
    Basis,
    Comparison,
    SavedScenario,
    TariffChange,
    YearBooks,
    charges_at_tariffs,
    compare,
    name_problem,
    same_tariffs,
    tariff_changes,
    with_method,
)
from mutua.scenarios.ports import ScenarioUnitOfWork

__all__ = [
    "Proposed",
    "adopt_scenario",
    "compare_scenario",
    "list_scenarios",
    "save_scenario",
    "scenario_model",
    "show_scenario",
    "tariff_proposal",
]


@dataclass(frozen=True, slots=True)
class Proposed:
    """What a scenario proposes: its cost model (and its file), what it changes, and the year of the
    tariffs it charges at."""

    model: CostModel
    text: str
    basis: Basis
    tariff_year: int


# -- reading -----------------------------------------------------------------------------------------


def adopted_model(uow: ScenarioUnitOfWork, year: int) -> tuple[int, CostModel]:
    """The model the figures of ``year`` were made with, or the one in force on its first day
    (inside an open unit of work)."""
    keys = [p.key for p in months_of(year)]
    used = model_used(uow.charging.closed_models(keys), uow.charging.true_up_run(year), keys)
    if used is None:
        return uow.costing.cost_model(date(year, 1, 1))
    return used, uow.costing.cost_model_version(used)


def load_year(
    uow: ScenarioUnitOfWork, year: int, model: CostModel, scenario: CostModel | None = None, tariff_year: int = 0
) -> YearBooks:
    """What a scenario reads of ``year`` (inside an open unit of work): each month's drivers too when
    the year is not closed yet or ``scenario`` charges at other tariffs than ``model``."""
    closed = uow.charging.closed_models([p.key for p in months_of(year)])
    periods = tuple(p for p in months_of(year) if p.key in closed) or tuple(months_of(year))
    keys = [p.key for p in periods]
    monthly = not closed or (scenario is not None and not same_tariffs(model, scenario, year, tariff_year or year))
    months = tuple((p, uow.charging.drivers([p.key])) for p in periods) if monthly else ()
    books = YearBooks(
        year,
        periods,
        tuple(uow.registry.engagements()),
        uow.charging.drivers(keys),
        uow.charging.direct_costs_by_centre(keys),
        uow.charging.charged_sums(keys, kind="provisional") if closed else {},
        {m.enterprise_number: m.name for m in uow.registry.members()},
        months,
    )
    if closed:
        return books
    charged, problems = charges_at_tariffs(model, books, year)  # nothing booked yet: at the adopted tariffs
    if problems:
        raise Rejected(problems, f"scenario of {year}")
    return replace(books, charged=charged)


@requires(Permission(Action.CLOSE))
def scenario_model(
    uow: ScenarioUnitOfWork,
    year: int,
    *,
    model_text: str | None = None,
    source: str = "scenario",
    method: SupportMethod | None = None,
    order: Sequence[str] = (),
    tariffs: bool = False,
) -> Proposed:
    """The scenario's model: a model file (``model_text``), the adopted model with another ``method``,
    or the adopted model with next year's proposed tariffs (``tariffs``); exactly one of them."""
    chosen = [model_text is not None, method is not None, tariffs]
    if sum(chosen) != 1:
        raise Rejected(
            [Problem(source, None, None, "give exactly one of: a model file, a method, the proposed tariffs")],
            "scenario",
        )
    if model_text is not None:
        return Proposed(parse_cost_model(model_text, source), model_text, Basis.MODEL, year)
    if method is not None:
        with uow:
            _, adopted = adopted_model(uow, year)
        text = dump_cost_model(with_method(adopted, method, order))
        return Proposed(parse_cost_model(text, f"{adopted.version} with {method.value}"), text, Basis.METHOD, year)
    proposal = propose_next_year(uow, year)
    return Proposed(
        parse_cost_model(proposal.model, f"tariffs proposed for {year + 1}"), proposal.model, Basis.TARIFFS, year + 1
    )


def _compare(uow: ScenarioUnitOfWork, year: int, proposed: Proposed, name: str | None) -> Comparison:
    with uow:
        _, adopted = adopted_model(uow, year)
        books = load_year(uow, year, adopted, proposed.model, proposed.tariff_year)
    found, problems = compare(
        adopted, proposed.model, books, basis=proposed.basis, tariff_year=proposed.tariff_year, name=name
    )
    if found is None:
        raise Rejected(problems, f"scenario of {year}")
    return found


# -- the use cases -------------------------------------------------------------------------------------


@requires(Permission(Action.CLOSE))
def compare_scenario(uow: ScenarioUnitOfWork, year: int, proposed: Proposed) -> Comparison:
    """``year`` under the scenario's model against the adopted one, per centre, service and member.
    Nothing is written (the unit of work is never committed)."""
    return _compare(uow, year, proposed, None)


@requires(Permission(Action.CLOSE))
def save_scenario(
    uow: ScenarioUnitOfWork, name: str, year: int, proposed: Proposed, description: str = ""
) -> tuple[SavedScenario, Comparison]:
    """Keep a scenario by name (after computing it: one that cannot be computed is refused)."""
    name = name.strip()
    if (why := name_problem(name)) is not None:
        raise Rejected([Problem("scenario", None, "name", why)], "scenario")
    if len(description) > 1000:
        raise Rejected([Problem("scenario", None, "description", "at most 1000 characters")], "scenario")
    comparison = _compare(uow, year, proposed, name)
    with uow:
        uow.scenarios.lock_scenarios()  # before the check: a concurrent save of the name waits, then finds it
        if uow.scenarios.scenario(name) is not None:
            raise Conflict(f"a scenario named {name!r} already exists")
        saved = SavedScenario(
            name,
            year,
            proposed.tariff_year,
            proposed.basis,
            description.strip(),
            proposed.text,
            sha256(proposed.text),
            datetime.now(UTC).replace(tzinfo=None),
            uow.audit.actor,
        )
        uow.scenarios.add_scenario(saved)
        uow.audit.record(
            "save",
            "scenario",
            name,
            year=year,
            tariff_year=proposed.tariff_year,
            basis=proposed.basis.value,
            sha256=saved.sha256,
            unchanged=comparison.unchanged,
        )
        uow.commit()
    return saved, comparison


@requires(Permission(Action.READ_ASSOCIATION))
def list_scenarios(uow: ScenarioUnitOfWork) -> list[SavedScenario]:
    """Every saved scenario, newest first."""
    with uow:
        return uow.scenarios.scenarios()


def _saved(uow: ScenarioUnitOfWork, name: str) -> SavedScenario:
    with uow:
        found = uow.scenarios.scenario(name)
    if found is None:
        raise NotFound(f"no scenario named {name!r}")
    return found


@requires(Permission(Action.READ_ASSOCIATION))
def show_scenario(uow: ScenarioUnitOfWork, name: str) -> tuple[SavedScenario, Comparison]:
    """A saved scenario and its comparison with what is adopted for its year now (nothing written)."""
    saved = _saved(uow, name)
    proposed = Proposed(parse_cost_model(saved.model, f"scenario {name}"), saved.model, saved.basis, saved.tariff_year)
    return saved, _compare(uow, saved.year, proposed, name)


@requires(Permission(Action.CLOSE))
def adopt_scenario(uow: ScenarioUnitOfWork, name: str, in_force_from: date, decision: str) -> SavedScenario:
    """Adopt a saved scenario: its model becomes the model in force from ``in_force_from`` (the first
    day of a month none of whose months from then on is closed), by the decision ``decision``."""
    decision = decision.strip()
    problems = []
    if not decision:
        problems.append(Problem("adoption", None, "decision", "give the reference of the decision that adopts it"))
    elif len(decision) > 200:
        problems.append(Problem("adoption", None, "decision", "at most 200 characters"))
    if in_force_from.day != 1:
        problems.append(Problem("adoption", None, "in_force_from", f"{in_force_from} is not the first day of a month"))
    if problems:
        raise Rejected(problems, f"adoption of scenario {name}")
    with uow:
        uow.scenarios.lock_scenarios()  # before the checks: a concurrent adoption waits, then finds it adopted
        saved = uow.scenarios.scenario(name)
        if saved is None:
            raise NotFound(f"no scenario named {name!r}")
        if saved.adoption is not None:
            raise Conflict(f"scenario {name!r} was already adopted (decision {saved.adoption.decision})")
        latest = uow.charging.latest_closed_period()
        if latest is not None and latest.first_day >= in_force_from:
            raise Conflict(
                f"{latest} is closed: a model adopted from {in_force_from} would change a closed month; "
                f"adopt it from {latest.next().first_day} or later"
            )
        model = parse_cost_model(saved.model, f"scenario {name}")
        model_id = uow.costing.add_cost_model(model, saved.model, saved.sha256, in_force_from, decision)
        adoption = Adoption(model_id, in_force_from, decision, datetime.now(UTC).replace(tzinfo=None), uow.audit.actor)
        uow.scenarios.adopt_scenario(name, adoption)
        uow.audit.record(
            "adopt",
            "scenario",
            name,
            cost_model=model_id,
            version=model.version,
            in_force_from=in_force_from.isoformat(),
            decision=decision,
        )
        uow.commit()
    return SavedScenario(
        saved.name,
        saved.year,
        saved.tariff_year,
        saved.basis,
        saved.description,
        saved.model,
        saved.sha256,
        saved.at,
        saved.actor,
        adoption,
    )


@dataclass(frozen=True)
class TariffProposalView:
    """Next year's tariffs proposed from this year's actuals, next to this year's, and their effect
    per member (this year's volumes charged at them).

    Attributes:
        year: the year the proposal starts from (every month closed).
        tariffs: per service (and grade), this year's tariff and the proposed one.
        notes: services that could not be priced, and why.
        comparison: this year's books at the proposed tariffs against this year's tariffs.
    """

    year: int
    tariffs: tuple[TariffChange, ...]
    notes: tuple[str, ...]
    comparison: Comparison

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "tariff_year": self.year + 1,
            "tariffs": [t.as_json() for t in self.tariffs],
            "notes": list(self.notes),
            "comparison": self.comparison.as_json(),
        }


@requires(Permission(Action.READ_ASSOCIATION))
def tariff_proposal(uow: ScenarioUnitOfWork, year: int) -> TariffProposalView:
    """Next year's tariffs from ``year``'s actual cost, volume and carried balance (charging's
    proposal), next to ``year``'s, with the effect per member; nothing written."""
    proposal = propose_next_year(uow, year)
    model = parse_cost_model(proposal.model, f"tariffs proposed for {year + 1}")
    comparison = _compare(uow, year, Proposed(model, proposal.model, Basis.TARIFFS, year + 1), None)
    with uow:
        _, current = adopted_model(uow, year)
    return TariffProposalView(year, tariff_changes(current, model, year), tuple(proposal.notes), comparison)
