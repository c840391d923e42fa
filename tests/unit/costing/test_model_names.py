"""Names in the members' languages in the cost model file (``names: {nl, fr, en}``, ``units:``), the
model's glossary, and the example model with tariffs (docs/cost-model-example.yaml)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import pytest

from mutua.costing.domain.catalogue import Charging
from mutua.costing.modelfile import dump_cost_model, parse_cost_model
from mutua.kernel.problems import Rejected

DEMO = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "cost-model-example.yaml"

SMALL = """
name: t
version: "1"
association: {name: A, enterprise_number: "0406.798.006", iban: BE71 0961 2345 6769}
support_allocation: {method: direct}
centres:
  - {code: ADM, name: Administration, names: {nl: Administratie}, kind: support, key: {basis: direct_cost}}
  - {code: VM, name: Virtual machines, kind: service}
accounts:
  - {prefix: "61", name: Services, names: {nl: Diensten, fr: Services et biens divers}}
services:
  - {code: VMAAS, name: Virtual machines, names: {nl: Virtuele machines, fr: Machines virtuelles}, centre: VM,
     activity: infrastructure, charging: usage, unit: VM-hour, units: {nl: VM-uur, fr: heure de VM}, unit_code: HUR}
"""


def test_names_are_read_per_language_and_fall_back_to_the_plain_name() -> None:
    model = parse_cost_model(SMALL, "t.yaml")
    vm = model.service("VMAAS")
    assert vm is not None
    assert (vm.name_in("nl"), vm.name_in("fr"), vm.name_in("en")) == (
        "Virtuele machines",
        "Machines virtuelles",
        "Virtual machines",
    )
    assert (vm.unit_in("fr"), vm.unit_in("en")) == ("heure de VM", "VM-hour")
    adm = model.centre("ADM")
    assert adm is not None and (adm.name_in("nl"), adm.name_in("fr")) == ("Administratie", "Administration")
    assert model.account_rule("610000").name_in("nl") == "Diensten"  # type: ignore[union-attr]


def test_the_glossary_maps_each_english_name_and_unit_to_its_translation() -> None:
    model = parse_cost_model(SMALL, "t.yaml")
    assert model.glossary("fr") == {
        "Administration": "Administration",
        "Services": "Services et biens divers",
        "Virtual machines": "Machines virtuelles",
        "VM-hour": "heure de VM",
    }
    assert model.glossary("nl")["Virtual machines"] == "Virtuele machines"


def test_names_survive_an_export_and_a_model_without_names_is_still_valid() -> None:
    model = parse_cost_model(SMALL, "t.yaml")
    again = parse_cost_model(dump_cost_model(model), "exported.yaml")
    assert again == model
    plain = SMALL.replace(", names: {nl: Administratie}", "").replace(", units: {nl: VM-uur, fr: heure de VM}", "")
    assert parse_cost_model(plain, "plain.yaml").service("VMAAS").unit_in("nl") == "VM-hour"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("names: {nl: Administratie}", "names: {de: Verwaltung}"), "centres[0].names.de", "is not a language"),
        (("names: {nl: Administratie}", "names: {nl: ''}"), "centres[0].names.nl", "is empty"),
        (("names: {nl: Administratie}", "names: [Administratie]"), "centres[0].names", "must be a mapping"),
        (("units: {nl: VM-uur, fr: heure de VM}", "units: {fr: [a]}"), "services[0].units.fr", "must be text"),
    ],
)
def test_a_bad_names_mapping_is_a_problem_with_its_line_and_field(
    change: tuple[str, str], field: str, message: str
) -> None:
    with pytest.raises(Rejected) as caught:
        parse_cost_model(SMALL.replace(*change), "t.yaml")
    found = [p for p in caught.value.problems if p.field == field]
    assert found, caught.value.problems
    assert message in found[0].message
    assert found[0].line is not None


def test_a_service_charged_by_annual_amount_has_the_month_as_its_unit() -> None:
    text = SMALL.replace(
        "charging: usage, unit: VM-hour, units: {nl: VM-uur, fr: heure de VM}, unit_code: HUR",
        "charging: fixed_share, unit: year, unit_code: ANN",
    )
    with pytest.raises(Rejected) as caught:
        parse_cost_model(text, "t.yaml")
    assert [p.field for p in caught.value.problems] == ["services[0].unit_code"]
    assert "month (MON)" in caught.value.problems[0].message
    fine = text.replace("unit: year, unit_code: ANN", "unit: month, unit_code: MON")
    assert parse_cost_model(fine, "t.yaml").service("VMAAS").charging is Charging.FIXED_SHARE  # type: ignore[union-attr]


def test_the_demo_model_names_every_service_centre_and_account_in_dutch_and_french() -> None:
    model = parse_cost_model(DEMO, "demo.yaml")
    for record in (*model.centres, *model.accounts, *model.services):
        assert {lang for lang, _ in record.names} >= {"nl", "fr"}, record


def test_the_example_model_is_the_demo_model_with_the_tariffs_the_demo_computes() -> None:
    """docs/cost-model-example.yaml is what scripts/cost_model_example.py writes (run it when this fails)."""
    sys.path.insert(0, str(EXAMPLE.parents[1] / "scripts"))
    from cost_model_example import example_text

    text = EXAMPLE.read_text(encoding="utf-8")
    assert text == example_text()
    example = parse_cost_model(text, str(EXAMPLE))
    demo = parse_cost_model(DEMO, "demo.yaml")
    assert example.services == demo.services and example.centres == demo.centres
    assert {t.service for t in example.tariffs if t.year == 2025} == {s.code for s in demo.services}
    assert not demo.tariffs
