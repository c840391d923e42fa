"""The costing context's use cases: validate a cost model file, import it (it is in force from
then on; earlier versions are kept), export the model in force, and read its service catalogue and
tariffs.

Importing a model is the controller's (it sets what the close charges): it needs
:attr:`Action.CLOSE`. The catalogue and the tariffs are read by every logged-in user.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.costing.domain.catalogue import Charging, Service, Tariff, tariff_to_data
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model, read_cost_model, sha256
from mutua.costing.ports import CostingUnitOfWork
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.problems import Conflict

__all__ = [
    "GradeRate",
    "ImportedCostModel",
    "TariffInForce",
    "TariffLine",
    "export_cost_model",
    "glossary",
    "import_cost_model",
    "import_cost_model_text",
    "services",
    "tariffs",
    "tariffs_in_force",
    "validate_cost_model",
]


@dataclass(frozen=True, slots=True)
class ImportedCostModel:
    """A cost model just imported.

    Attributes:
        model_id: the id of the new version (it is in force).
        model: the model.
        sha256: the SHA-256 of the file imported.
    """

    model_id: int
    model: CostModel
    sha256: str


@dataclass(frozen=True, slots=True)
class TariffInForce:
    """A service of the model in force and its tariff of one year.

    Attributes:
        service: the service code.
        name: its name.
        charging: how it is charged.
        unit: its billing unit in words.
        tariff: the year's provisional tariff, or None when the model sets none.
    """

    service: str
    name: str
    charging: Charging
    unit: str
    tariff: Tariff | None

    def as_json(self) -> dict[str, Any]:
        """The tariff as ``mutua tariffs list --json`` prints it (amounts as text)."""
        return {
            "service": self.service,
            "name": self.name,
            "charging": self.charging.value,
            "unit": self.unit,
            "tariff": None if self.tariff is None else tariff_to_data(self.tariff),
        }


@dataclass(frozen=True, slots=True)
class GradeRate:
    grade: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class TariffLine:
    """A tariff of the model in force with its service, for the API and the portal.

    Attributes:
        service, name, charging, unit: the service.
        year: the year the tariff applies to.
        price: the unit price (usage, reserved capacity), else None.
        markup: the overhead rate on real costs (real cost), else None.
        annual: the annual amount to share (fixed share, even split), else None.
        grades: the hourly cost rate of each grade (time).
    """

    service: str
    name: str
    charging: Charging
    unit: str
    year: int
    price: Decimal | None
    markup: Decimal | None
    annual: Decimal | None
    grades: tuple[GradeRate, ...]

    @property
    def monthly(self) -> Decimal | None:
        """What an annual tariff charges a month (a twelfth; the close splits the cents exactly)."""
        return None if self.annual is None else (self.annual / 12).quantize(Decimal("0.01"))


@requires(Permission())
def validate_cost_model(path: Path) -> CostModel:
    """The model in the file at ``path``; refused (every problem with its line and field) when invalid.
    Nothing is read or written in the database."""
    model, _ = read_cost_model(path)
    return model


@requires(Permission(Action.CLOSE))
def import_cost_model(uow: CostingUnitOfWork, path: Path) -> ImportedCostModel:
    """Import the cost model file at ``path``: it is in force from now on (earlier versions are kept)."""
    model, text = read_cost_model(path)
    return _keep(uow, model, text)


@requires(Permission(Action.CLOSE))
def import_cost_model_text(uow: CostingUnitOfWork, text: str, source: str) -> ImportedCostModel:
    """Import a cost model given as text (the content of ``source``)."""
    return _keep(uow, parse_cost_model(text, source), text)


def _keep(uow: CostingUnitOfWork, model: CostModel, text: str) -> ImportedCostModel:
    sha = sha256(text)
    with uow:
        model_id = uow.costing.add_cost_model(model, text, sha)
        uow.audit.record("import", "cost_model", model.version, id=model_id, sha256=sha)
        uow.commit()
    return ImportedCostModel(model_id, model, sha)


@requires(Permission(Action.READ_ASSOCIATION))
def export_cost_model(uow: CostingUnitOfWork) -> str:
    """The file of the model in force, as it was imported."""
    with uow:
        text = uow.costing.cost_model_text()
    if text is None:
        raise Conflict("no cost model has been imported yet")
    return text


def _model(uow: CostingUnitOfWork) -> CostModel:
    with uow:
        _, model = uow.costing.cost_model()
    return model


@requires(Permission())
def tariffs_in_force(uow: CostingUnitOfWork, year: int) -> list[TariffInForce]:
    """Every service of the model in force, with its tariff of ``year`` (None where it has none)."""
    model = _model(uow)
    return [TariffInForce(s.code, s.name, s.charging, s.unit, model.tariff(year, s.code)) for s in model.services]


@requires(Permission())
def tariffs(uow: CostingUnitOfWork, year: int | None = None) -> list[TariffLine]:
    """The tariffs of the model in force (of every year, or of ``year``), service by service."""
    model = _model(uow)
    return [
        TariffLine(
            s.code,
            s.name,
            s.charging,
            s.unit,
            t.year,
            t.price,
            t.markup,
            t.annual,
            tuple(GradeRate(g, r) for g, r in t.grades),
        )
        for s in model.services
        for t in model.tariffs
        if t.service == s.code and (year is None or t.year == year)
    ]


@requires(Permission())
def glossary(uow: CostingUnitOfWork, language: str) -> dict[str, str]:
    """The names of the model in force (services, centres, accounts, units) in ``language``, as
    ``{plain name: translation}`` (see :meth:`CostModel.glossary`); empty before any model."""
    try:
        model = _model(uow)
    except Conflict:
        return {}
    return model.glossary(language)


@requires(Permission())
def services(uow: CostingUnitOfWork) -> list[Service]:
    """The service catalogue of the model in force."""
    return list(_model(uow).services)
