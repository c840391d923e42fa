"""The costing context's use cases on an in-memory repository: validating, importing and
exporting the cost model, and reading its catalogue and tariffs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.costing import FakeCosting

from mutua.costing import service
from mutua.costing.domain.catalogue import Charging, Tariff
from mutua.costing.modelfile import sha256
from mutua.kernel.access import Action, Permission, permission_of
from mutua.kernel.problems import Conflict, Rejected

MODEL = """\
name: small association
version: "1"
association: {name: Small association, enterprise_number: "0406798006", iban: BE71096123456769}
support_allocation: {method: direct}
centres:
  - {code: HR, name: Human resources, kind: support, key: {basis: weights, weights: {DEV: 3, VM: 1}}}
  - {code: DEV, name: Development, kind: operational}
  - {code: VM, name: Virtual machines, kind: service}
accounts:
  - {prefix: "62", name: Remuneration}
services:
  - {code: HOURS, name: Development, centre: DEV, activity: development, charging: time, unit: hour, unit_code: HUR}
  - {code: VMH, name: VM hours, centre: VM, activity: infrastructure, charging: usage, unit: VM-hour, unit_code: HUR}
tariffs:
  - {year: 2025, service: HOURS, grades: {junior: "60.00", senior: "90.00"}}
  - {year: 2025, service: VMH, price: "0.50"}
  - {year: 2026, service: VMH, price: "0.45"}
"""


def costing_uow(*texts: str, actor: str = "ctrl") -> FakeUnitOfWork:
    return FakeUnitOfWork(actor, costing=FakeCosting(*texts, actor=actor))


def test_an_imported_model_is_in_force_and_its_import_is_audited_with_its_sha() -> None:
    uow = costing_uow()
    imported = service.import_cost_model_text(uow, MODEL, "model.yaml")
    assert (imported.model_id, imported.model.version, imported.sha256) == (1, "1", sha256(MODEL))
    assert uow.costing.cost_model() == (1, imported.model)
    assert uow.costing.versions[0][3] == "ctrl"
    [entry] = uow.audit.recorded
    assert (entry["actor"], entry["action"], entry["entity"], entry["entity_key"]) == (
        "ctrl",
        "import",
        "cost_model",
        "1",
    )
    assert json.loads(entry["detail"]) == {"id": 1, "sha256": sha256(MODEL)}
    assert uow.committed


def test_a_newer_model_replaces_the_one_in_force_and_the_earlier_is_kept(tmp_path: Path) -> None:
    uow = costing_uow(MODEL)
    newer = MODEL.replace('version: "1"', 'version: "2"')
    path = tmp_path / "model-2.yaml"
    path.write_text(newer, encoding="utf-8")
    imported = service.import_cost_model(uow, path)
    assert imported.model_id == 2 and uow.costing.cost_model()[1].version == "2"
    assert len(uow.costing.versions) == 2
    assert service.export_cost_model(uow) == newer


def test_an_invalid_model_is_refused_and_nothing_is_kept_or_audited() -> None:
    uow = costing_uow()
    broken = MODEL.replace("kind: operational", "kind: operationnal")
    with pytest.raises(Rejected) as info:
        service.import_cost_model_text(uow, broken, "model.yaml")
    assert any("'operationnal' is not one of" in str(p) for p in info.value.problems)
    assert uow.costing.versions == [] and uow.audit.recorded == [] and not uow.committed


def test_exporting_without_a_model_is_refused() -> None:
    with pytest.raises(Conflict, match="no cost model has been imported yet"):
        service.export_cost_model(costing_uow())


def test_validating_a_file_reads_the_model_without_a_database(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(MODEL, encoding="utf-8")
    model = service.validate_cost_model(path)
    assert (len(model.centres), len(model.services), len(model.tariffs), len(model.meters)) == (3, 2, 3, 0)
    with pytest.raises(Rejected, match="cost model"):
        service.validate_cost_model(tmp_path / "missing.yaml")


def test_the_tariffs_in_force_name_every_service_even_one_without_a_tariff_that_year() -> None:
    rows = service.tariffs_in_force(costing_uow(MODEL), 2026)
    assert [(r.service, r.charging, r.tariff) for r in rows] == [
        ("HOURS", Charging.TIME, None),
        ("VMH", Charging.USAGE, Tariff(2026, "VMH", price=Decimal("0.45"))),
    ]
    assert [r.as_json() for r in rows] == [
        {"service": "HOURS", "name": "Development", "charging": "time", "unit": "hour", "tariff": None},
        {
            "service": "VMH",
            "name": "VM hours",
            "charging": "usage",
            "unit": "VM-hour",
            "tariff": {"year": 2026, "service": "VMH", "price": "0.45"},
        },
    ]


def test_the_tariff_list_gives_exact_amounts_of_every_year_or_of_one() -> None:
    every = service.tariffs(costing_uow(MODEL))
    assert [(t.service, t.year) for t in every] == [("HOURS", 2025), ("VMH", 2025), ("VMH", 2026)]
    hours, vm = service.tariffs(costing_uow(MODEL), 2025)
    assert [(g.grade, g.rate) for g in hours.grades] == [("junior", Decimal("60.00")), ("senior", Decimal("90.00"))]
    assert (hours.price, vm.price, vm.markup, vm.annual, vm.grades) == (None, Decimal("0.50"), None, None, ())
    assert str(vm.price) == "0.50"  # the model's own digits


def test_the_catalogue_is_the_services_of_the_model_in_force() -> None:
    assert [(s.code, s.centre, s.unit_code) for s in service.services(costing_uow(MODEL))] == [
        ("HOURS", "DEV", "HUR"),
        ("VMH", "VM", "HUR"),
    ]
    with pytest.raises(Conflict):
        service.services(costing_uow())


def test_importing_a_model_is_the_controllers_and_reading_tariffs_is_everyones() -> None:
    assert permission_of(service.import_cost_model) == Permission(Action.CLOSE)
    assert permission_of(service.import_cost_model_text) == Permission(Action.CLOSE)
    assert permission_of(service.export_cost_model) == Permission(Action.READ_ASSOCIATION)
    for use_case in (service.tariffs, service.tariffs_in_force, service.services, service.validate_cost_model):
        assert permission_of(use_case) == Permission()
