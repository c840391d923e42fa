from importlib import resources

import pytest

from mutua.costing.domain.catalogue import Charging
from mutua.costing.domain.centres import SupportMethod
from mutua.costing.modelfile import dump_cost_model, parse_cost_model
from mutua.kernel.problems import Rejected

DEMO = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")


def test_the_demo_model_is_valid_and_reads_numbers_exactly() -> None:
    model = parse_cost_model(DEMO, "demo.yaml")
    assert model.support_method is SupportMethod.STEP_DOWN
    assert model.step_down_order == ("FAC", "HR", "ICTW", "PUR", "FIN")
    assert {s.charging for s in model.services} == set(Charging)
    assert model.account_rule("740000") is not None and model.account_rule("740000").centre == "FIN"  # type: ignore[union-attr]
    assert model.account_rule("700000") is None


def test_export_then_import_gives_the_same_model() -> None:
    model = parse_cost_model(DEMO + "\n", "demo.yaml")
    text = dump_cost_model(model)
    again = parse_cost_model(text, "exported.yaml")
    assert again == model
    assert dump_cost_model(again) == text


def _problems(text: str) -> list[str]:
    with pytest.raises(Rejected) as info:
        parse_cost_model(text, "model.yaml")
    return [str(p) for p in info.value.problems]


def test_a_misspelt_centre_kind_is_reported_with_its_file_line_and_field() -> None:
    broken = DEMO.replace(
        "  - {code: DEV, name: Application analysis and development, kind: operational,",
        "  - {code: DEV, name: Application analysis and development, kind: operationnal,",
    )
    problems = _problems(broken)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "operationnal" in text)
    assert any(
        p.startswith(f"model.yaml:{line}: centres[") and "kind: 'operationnal' is not one of" in p for p in problems
    ), problems


def test_every_problem_in_the_model_is_reported_at_once() -> None:
    broken = (
        DEMO.replace("centre: VM, activity: infrastructure", "centre: NOPE, activity: infrastructure")
        .replace("unit_code: HUR}", "unit_code: hours}")
        .replace('prefix: "74"', 'prefix: "70"')
    )
    problems = "\n".join(_problems(broken))
    assert "unknown centre 'NOPE'" in problems
    assert "is not a UN/ECE rec. 20 unit code" in problems
    assert "turnover (70) is what the close produces" in problems


def test_a_tariff_of_the_wrong_kind_for_its_service_is_refused() -> None:
    broken = DEMO.replace("tariffs: []", "tariffs:\n  - {year: 2025, service: VMAAS, markup: '0.1'}")
    problems = "\n".join(_problems(broken))
    assert "a usage service takes 'price', not 'markup'" in problems


def test_a_support_centre_without_key_and_an_unknown_step_down_centre_are_refused() -> None:
    broken = DEMO.replace("order: [FAC, HR, ICTW, PUR, FIN]", "order: [FAC, HR, ICTW, PUR, FIN, DEV]")
    assert any("'DEV' is not a support centre" in p for p in _problems(broken))


def test_yaml_syntax_errors_name_the_line() -> None:
    problems = _problems("name: x\ncentres: [\n")
    assert problems[0].startswith("model.yaml:") and "not valid YAML" in problems[0]
