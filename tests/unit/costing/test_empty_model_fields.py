"""A blank field of a service or a meter is a problem naming the file, line and field (it used to
pass the "missing" check and stop the reading on an assertion)."""

from __future__ import annotations

import pytest

from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.problems import Rejected

MODEL = """\
name: small association
version: "1"
association: {name: Small association, enterprise_number: "0406798006", iban: BE71096123456769}
support_allocation: {method: direct}
centres:
  - {code: DEV, name: Development, kind: operational}
  - {code: VM, name: Virtual machines, kind: service}
accounts:
  - {prefix: "62", name: Remuneration}
services:
  - {code: HOURS, name: Development, centre: DEV, activity: development, charging: time, unit: hour, unit_code: HUR}
  - code: VMH
    name: VM hours
    centre: VM
    activity: infrastructure
    charging: usage
    unit: VM-hour
    unit_code: HUR
meters:
  - code: vm_hours
    event_type: be.mutua.vm.usage
    aggregation: sum
    value_property: seconds
    service: VMH
    divide_by: 3600
"""


def problems(text: str) -> list[str]:
    with pytest.raises(Rejected) as info:
        parse_cost_model(text, "model.yaml")
    return [str(p) for p in info.value.problems]


def test_the_model_without_blanks_is_valid() -> None:
    model = parse_cost_model(MODEL, "model.yaml")
    assert [s.code for s in model.services] == ["HOURS", "VMH"] and [m.code for m in model.meters] == ["vm_hours"]


@pytest.mark.parametrize(
    ("line", "blank", "field"),
    [
        ("    name: VM hours", '    name: ""', "services[1].name"),
        ("    unit: VM-hour", "    unit: '  '", "services[1].unit"),
        ("    centre: VM", '    centre: ""', "services[1].centre"),
        ("    unit_code: HUR", '    unit_code: ""', "services[1].unit_code"),
        ("    event_type: be.mutua.vm.usage", '    event_type: ""', "meters[0].event_type"),
        ("    service: VMH", '    service: ""', "meters[0].service"),
        ("    value_property: seconds", '    value_property: ""', "meters[0].value_property"),
    ],
)
def test_a_blank_field_of_a_service_or_a_meter_is_named_by_file_line_and_field(
    line: str, blank: str, field: str
) -> None:
    assert MODEL.count(line + "\n") == 1
    text = MODEL.replace(line + "\n", blank + "\n")
    number = text.splitlines().index(blank) + 1
    found = problems(text)
    assert found[0] == f"model.yaml:{number}: {field}: is empty", found
    assert not any(p.startswith(f"model.yaml:{number}: {field}:") for p in found[1:])  # said once
