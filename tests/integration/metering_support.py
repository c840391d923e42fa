"""A small association for the metering tests: the demo cost model (its meters), three members,
their shared-cloud engagements, and helpers to write CloudEvents."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from mutua.bootstrap import unit_of_work
from mutua.costing.service import import_cost_model
from mutua.demo.figures import synthetic_enterprise_number
from mutua.registry.service import import_engagements_text, import_members_text

MEMBERS = [synthetic_enterprise_number(i) for i in (1, 2, 3)]
EXTRA_METER = (
    "  - {code: vm_count, event_type: be.mutua.vm.inventory, aggregation: unique_count, value_property: vm,\n"
    "     service: VMAAS}\n"
)
TARIFFS = """tariffs:
  - {year: 2025, service: VMAAS, price: "0.05"}
  - {year: 2025, service: STAAS, price: "0.02"}
  - {year: 2025, service: BAAS, price: "0.01"}
  - {year: 2025, service: ARCH, price: "0.005"}
  - {year: 2025, service: APIGW, price: "0.10"}
  - {year: 2025, service: MONITOR, annual: "12000.00"}
  - {year: 2025, service: ITSM, annual: "1200.00"}
"""


def cost_model_text() -> str:
    text = files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    text = text.replace("tariffs: []", TARIFFS)
    anchor = "service: APIGW, divide_by: 1000}\n"
    return text.replace(anchor, anchor + EXTRA_METER)


def build_association(engine: Engine, folder: Path) -> None:
    model = folder / "cost-model.yaml"
    model.write_text(cost_model_text(), encoding="utf-8")
    uow = unit_of_work(engine)
    import_cost_model(uow, model)
    members = "enterprise_number,name,category,client_group,language,joined_on\n" + "".join(
        f"{m},Member {i},A,social_security,nl,2019-01-01\n" for i, m in enumerate(MEMBERS, start=1)
    )
    import_members_text(uow, members, "members.csv")
    engagements = "code,member,kind,title,service,budget,starts_on\n" + "".join(
        f"SVC-{i},{m},service,Shared cloud {i},MONITOR,1000.00,2024-01-01\n"
        f"ITSM-{i},{m},service,Service management {i},ITSM,100.00,2024-01-01\n"
        for i, m in enumerate(MEMBERS, start=1)
    )
    import_engagements_text(uow, engagements, "engagements.csv")


def event(
    i: int | str,
    *,
    type: str = "be.mutua.api.call",
    subject: str | None = None,
    time: str = "2025-03-10T12:00:00Z",
    data: dict[str, Any] | None = None,
    source: str = "/gateway/ehealth",
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(i),
        "source": source,
        "type": type,
        "subject": subject or MEMBERS[0],
        "time": time,
        "data": data or {},
    }


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path
